"""Two reviewers act on the same application at the same moment: one succeeds, the other is
told the application changed; never two decisions. Runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

from flask import Flask

from portal.extensions import db
from portal.models import Application, AuditEvent, FrameworkAgreement, LotOutcome, Role, User
from portal.services import ServiceError, applications, review
from tests import factories


def test_two_reviewers_decide_at_once(app: Flask) -> None:
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2027, 3, 1))
    applications.submit(application, provider, datetime(2027, 3, 1, 9, tzinfo=UTC))
    reviewers = [factories.UserFactory(role=Role.REVIEWER) for _ in range(2)]
    for reviewer in reviewers:
        factories.assign(reviewer, das)
        factories.prepare_for_decision(application, reviewer, datetime(2027, 3, 2, tzinfo=UTC))
    application_id, version = application.id, application.version_id
    outcomes = [LotOutcome.ADMITTED, LotOutcome.REJECTED]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def act(reviewer_id: int, outcome: LotOutcome) -> None:
        with app.app_context():
            reviewer = db.session.get(User, reviewer_id)
            own = db.session.get(Application, application_id)
            decisions = {al.lot_id: review.LotDecision(outcome, "Reden") for al in own.lots}
            barrier.wait()
            try:
                review.decide(own, decisions, reviewer, datetime(2027, 3, 3, tzinfo=UTC), version)
                results.append("ok")
            except ServiceError as error:
                results.append(error.code)
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=act, args=(r.id, o))
        for r, o in zip(reviewers, outcomes, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["application_changed", "ok"], results
    db.session.expire_all()
    decided = db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "application.decided")
    )
    assert decided == 1
    lots = db.session.get(Application, application_id).lots
    assert len({al.outcome for al in lots}) == 1  # all lots from the one decision that won
    agreements = db.session.scalar(db.select(db.func.count()).select_from(FrameworkAgreement))
    assert agreements == (1 if lots[0].outcome is LotOutcome.ADMITTED else 0)
