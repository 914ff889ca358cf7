"""Many providers submit and many reviewers decide at the same moment: nothing is lost, nothing is
done twice.

Each worker is a thread with its own app context, so its own session and connection, as a request
in a threaded server has. On PostgreSQL 50 applications go in at once (54 workers with the double
clicks). SQLite serialises every writer behind one lock with a 5-second busy timeout; the SQLite
variant runs the same assertions on 6 applications. The decision letter, the assessment report and
the agreement are rendered by jobs after the decision's commit (issue 20); the tests' queue runs
them at once in the committing thread, once its session has handed back its connection
(portal/infra/jobs.py): a job run while it still held one made 54 threads wait on each other for
the connection pool.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from functools import partial

import pytest
from flask import Flask

from portal import create_app
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationState,
    AuditEvent,
    FrameworkAgreement,
    LotOutcome,
    Role,
    User,
)
from portal.services import ServiceError, applications, audit, review
from tests import factories
from tests.support.app import GENEROUS_LIMITS

RECEIVED = datetime(2027, 3, 1, 9, tzinfo=UTC)
PREPARED = datetime(2027, 3, 2, 9, tzinfo=UTC)
PROPOSED = datetime(2027, 3, 3, 9, tzinfo=UTC)
CONFIRMED = datetime(2027, 3, 4, 9, tzinfo=UTC)


@pytest.fixture()
def size(app: Flask) -> int:
    return 50 if app.config["DATABASE_URL"].startswith("postgresql") else 6


def races(size: int) -> int:
    """On how many applications two people press the same button at once."""
    return 4 if size >= 50 else 2


@pytest.fixture()
def workers(app: Flask, size: int) -> Iterator[Flask]:
    """The same database through an engine whose pool has a connection for every thread (the
    default pool of 5 + 10 would make 50 threads queue for a connection, not for the database).
    The throwaway PostgreSQL server allows 100 connections (tests/support/pgserver.py)."""
    served = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "load",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
            "SERVER_NAME": "localhost",
            **GENEROUS_LIMITS,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": app.config["MAIL_SERVER"],
            "MAIL_PORT": app.config["MAIL_PORT"],
            # Ignored on SQLite (create_app), where the size stays within the default pool.
            "SQLALCHEMY_ENGINE_OPTIONS": {
                "pool_size": size + races(size) + 2,
                "max_overflow": 0,
                "pool_timeout": 60,
                "pool_pre_ping": True,
            },
        }
    )
    yield served
    with served.app_context():
        db.engine.dispose()


def run_at_once(
    served: Flask, jobs: Sequence[tuple[str, Callable[[], object]]]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Run every job in its own thread and app context, released together by a barrier.
    Each job is (label, function); a function loads what it needs and returns a callable that
    does the work, so loading happens before the barrier and only the work races.
    Returns (label, "ok" or the service's refusal code) per job, and any other error."""
    barrier = threading.Barrier(len(jobs))
    results: list[tuple[str, str]] = []
    errors: list[str] = []
    durations: list[float] = []
    lock = threading.Lock()

    def work(label: str, load: Callable[[], Callable[[], object]]) -> None:
        with served.app_context():
            try:
                act = load()
                barrier.wait(timeout=60)
                began = time.monotonic()
                act()
                outcome = "ok"
                with lock:
                    durations.append(time.monotonic() - began)
            except ServiceError as refused:
                outcome = refused.code
            except Exception as error:  # noqa: BLE001 (collected and asserted on below)
                with lock:
                    errors.append(f"{label}: {error!r}")
                barrier.abort()
                return
            finally:
                db.session.remove()
            with lock:
                results.append((label, outcome))

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    db.session.expire_all()
    if durations:
        print(f"\n{len(jobs)} at once: slowest {max(durations):.2f} s, sum {sum(durations):.2f} s")
    return results, errors


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def test_many_submissions_and_decisions_at_once(
    app: Flask, workers: Flask, size: int, mailbox
) -> None:
    started = time.monotonic()
    twice = races(size)
    das = factories.DasFactory(four_eyes=True)
    providers = [factories.ProviderUserFactory() for _ in range(size)]
    drafts = [factories.complete_draft(das, p, date(2027, 3, 1)) for p in providers]
    ids = [(a.id, p.id) for a, p in zip(drafts, providers, strict=True)]

    # --- 1. every provider submits at once; the first few press the button twice ------------
    def submission(application_id: int, user_id: int) -> Callable[[], object]:
        user = db.session.get(User, user_id)
        own = db.session.get(Application, application_id)
        return lambda: applications.submit(own, user, RECEIVED)

    jobs = [(f"submit {a}", partial(submission, a, u)) for a, u in ids]
    jobs += [(f"submit {a}", partial(submission, a, u)) for a, u in ids[:twice]]
    results, errors = run_at_once(workers, jobs)
    assert errors == [], "\n".join(errors)
    per_application = Counter(label for label, outcome in results if outcome == "ok")
    assert per_application == Counter(f"submit {a}" for a, _u in ids)
    refusals = sorted(outcome for _label, outcome in results if outcome != "ok")
    assert refusals == ["application_not_draft"] * twice
    submitted = events("application.submitted")
    assert sorted(e.object_id for e in submitted) == sorted(a for a, _u in ids)
    references = [db.session.get(Application, a).reference for a, _u in ids]
    assert None not in references and len(set(references)) == size
    assert {db.session.get(Application, a).state for a, _u in ids} == {ApplicationState.SUBMITTED}
    receipts = [m for m in mailbox.messages if "Ontvangstbevestiging" in m["Subject"]]
    assert sorted(m["To"] for m in receipts) == sorted(p.email for p in providers)
    assert sorted(m["Subject"].rsplit(" ", 1)[-1] for m in receipts) == sorted(references)

    # --- 2. reviewers prepare (not timed as a race), then propose all at once -----------------
    proposer, rival, confirmer, second = (factories.UserFactory(role=Role.REVIEWER) for _ in "abcd")
    for reviewer in (proposer, rival, confirmer, second):
        factories.assign(reviewer, das)
    for application in drafts:
        db.session.refresh(application)
        factories.prepare_for_decision(application, proposer, PREPARED)
        review.declare_conflict(application, confirmer, False, "", PREPARED)
    for application in drafts[:twice]:
        review.declare_conflict(application, rival, False, "", PREPARED)
        review.declare_conflict(application, second, False, "", PREPARED)
    # Even applications are admitted, odd ones rejected; the rival proposes the opposite.
    wanted = {
        a: LotOutcome.ADMITTED if i % 2 == 0 else LotOutcome.REJECTED
        for i, (a, _u) in enumerate(ids)
    }
    # Plain ids for the workers: the test's own objects belong to the test's session.
    proposer_id, rival_id, confirmer_id, second_id = (
        u.id for u in (proposer, rival, confirmer, second)
    )
    opposite = {LotOutcome.ADMITTED: LotOutcome.REJECTED, LotOutcome.REJECTED: LotOutcome.ADMITTED}

    def proposal(application_id: int, user_id: int, outcome: LotOutcome) -> Callable[[], object]:
        user = db.session.get(User, user_id)
        own = db.session.get(Application, application_id)
        decisions = {al.lot_id: review.LotDecision(outcome, "Reden") for al in own.lots}
        seen = own.version_id
        return lambda: review.propose_decision(own, decisions, user, PROPOSED, seen)

    jobs = [(f"propose {a}", partial(proposal, a, proposer_id, wanted[a])) for a, _u in ids]
    jobs += [
        (f"propose {a}", partial(proposal, a, rival_id, opposite[wanted[a]]))
        for a, _u in ids[:twice]
    ]
    results, errors = run_at_once(workers, jobs)
    assert errors == [], "\n".join(errors)
    assert Counter(label for label, outcome in results if outcome == "ok") == Counter(
        f"propose {a}" for a, _u in ids
    )
    refusals = [outcome for _label, outcome in results if outcome != "ok"]
    assert len(refusals) == twice
    assert set(refusals) <= {"application_changed", "decision_already_proposed"}
    assert sorted(e.object_id for e in events("decision.proposed")) == sorted(a for a, _u in ids)
    proposed_by = {}
    for a, _u in ids:
        application = db.session.get(Application, a)
        # Every lot carries the proposal that won, never half of each.
        assert {al.decided_by_id for al in application.lots} == {
            application.decision_proposed_by_id
        }
        assert len({al.outcome for al in application.lots}) == 1
        proposed_by[a] = application.decision_proposed_by_id
        if proposed_by[a] == rival_id:
            wanted[a] = opposite[wanted[a]]
        assert application.lots[0].outcome is wanted[a]

    # --- 3. second reviewers confirm all at once; two race on the first few -------------------
    def confirmation(application_id: int, user_id: int) -> Callable[[], object]:
        user = db.session.get(User, user_id)
        own = db.session.get(Application, application_id)
        seen = own.version_id
        return lambda: review.confirm_decision(own, user, CONFIRMED, seen)

    # The confirmer may not confirm what they proposed themselves: nobody here did.
    jobs = [(f"confirm {a}", partial(confirmation, a, confirmer_id)) for a, _u in ids]
    jobs += [(f"confirm {a}", partial(confirmation, a, second_id)) for a, _u in ids[:twice]]
    results, errors = run_at_once(workers, jobs)
    assert errors == [], "\n".join(errors)
    assert Counter(label for label, outcome in results if outcome == "ok") == Counter(
        f"confirm {a}" for a, _u in ids
    )
    refusals = [outcome for _label, outcome in results if outcome != "ok"]
    assert len(refusals) == twice
    assert set(refusals) <= {"application_changed", "nothing_to_confirm"}

    decided = events("application.decided")
    assert sorted(e.object_id for e in decided) == sorted(a for a, _u in ids)
    assert {db.session.get(Application, a).state for a, _u in ids} == {ApplicationState.DECIDED}
    admitted_orgs = sorted(
        db.session.get(Application, a).organisation_id
        for a, _u in ids
        if wanted[a] is LotOutcome.ADMITTED
    )
    agreement_orgs = sorted(
        db.session.scalars(
            db.select(FrameworkAgreement.organisation_id).where(FrameworkAgreement.das_id == das.id)
        )
    )
    assert agreement_orgs == admitted_orgs  # one each, none for the rejected
    assert sorted(e.organisation_id for e in events("agreement.created")) == admitted_orgs
    for agreement in db.session.scalars(db.select(FrameworkAgreement)):
        assert len(agreement.lots) == len(das.lots)

    # The audit trail took every event in one unbroken chain.
    verification = audit.verify()
    assert verification.intact, verification.problems
    sequences = list(db.session.scalars(db.select(AuditEvent.sequence)))
    assert len(sequences) == len(set(sequences)) == verification.events
    print(
        f"\n{size} applications submitted, proposed and confirmed in "
        f"{time.monotonic() - started:.1f} s"
    )
