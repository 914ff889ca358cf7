"""The purge of declarations and evidence after the retention period (portal.services.privacy_purge)."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import (
    AgreementState,
    Answer,
    Application,
    ApplicationLot,
    Assessment,
    AuditEvent,
    Clarification,
    CriterionKind,
    Das,
    EvidenceDocument,
    FrameworkAgreement,
    LotOutcome,
    Role,
    User,
    answer_evidence,
)
from portal.services import agreements, applications, evidence, privacy_purge, review
from tests import factories

YEARS = 7
# The factory DAS ends on 31-12-2029 (no options exercised).
SIX_YEARS_LATER = date(2035, 12, 31)
EIGHT_YEARS_LATER = date(2037, 12, 31)


def at(y: int, m: int, d: int, h: int = 10) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def upload(user: User, criterion, content: bytes) -> EvidenceDocument:
    return evidence.store_upload(
        user.organisation,
        user,
        evidence.Upload(
            stream=io.BytesIO(content),
            filename=f"{criterion.code}.pdf",
            evidence_type=criterion.evidence_type,
            issued_on=date(2027, 3, 1),
            expires_on=None,
        ),
    )


def submitted(das: Das, user: User, tag: str, extra_docs: tuple[int, ...] = ()):
    """A submitted application whose evidence files are this provider's own bytes."""
    application = applications.start_application(das, user)
    applications.save_products(application, [p.id for lot in das.lots for p in lot.products], user)
    answers = {}
    for criterion in das.criteria:
        documents: tuple[int, ...] = ()
        if criterion.evidence_required:
            content = factories.PDF_BYTES + f"% {tag} {criterion.code}\n".encode()
            documents = (upload(user, criterion, content).id, *extra_docs)
        answers[criterion.id] = applications.AnswerInput(
            criterion.passing_answer,
            explanation=f"Verklaring {tag}" if criterion.kind is CriterionKind.EXCLUSION else "",
            document_ids=documents,
        )
    applications.save_answers(application, answers, user)
    applications.submit(application, user, at(2027, 3, 1))
    return application


def decide_all(application, outcome: LotOutcome, reviewer: User) -> None:
    reason = "" if outcome is LotOutcome.ADMITTED else "Niet aangetoond"
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(outcome, reason) for al in application.lots},
        reviewer,
        at(2027, 3, 2),
    )


@pytest.fixture()
def world(app: Flask):
    das = factories.DasFactory()  # ends 31-12-2029
    later_das = factories.DasFactory(initial_end_date=date(2033, 12, 31))
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    factories.assign(reviewer, das)
    factories.assign(reviewer, later_das)
    users = {
        name: factories.ProviderUserFactory()
        for name in ("rejected", "ended", "expired", "running", "later")
    }
    application_of = {
        name: submitted(das, user, name) for name, user in users.items() if name != "later"
    }
    # The rejected provider answered a clarification with a new document.
    rejected_application = application_of["rejected"]
    review.declare_conflict(rejected_application, reviewer, False, "", at(2027, 3, 1, 11))
    clarification = review.ask_clarification(
        rejected_application,
        reviewer,
        "Graag een nieuw certificaat.",
        ["G1"],
        date(2027, 3, 10),
        at(2027, 3, 1, 12),
    )
    reply_doc = upload(users["rejected"], das.criteria[2], factories.PDF_BYTES + b"% herstel\n")
    review.answer_clarification(
        rejected_application,
        clarification,
        users["rejected"],
        "Hierbij.",
        [reply_doc.id],
        at(2027, 3, 1, 13),
    )
    decide_all(rejected_application, LotOutcome.REJECTED, reviewer)
    for name in ("ended", "expired", "running"):
        decide_all(application_of[name], LotOutcome.ADMITTED, reviewer)
    ended = agreements.agreement_of(das.id, users["ended"].organisation_id)
    agreements.change_state(admin, ended, AgreementState.ENDED, "Wanprestatie", date(2028, 6, 1))
    # An agreement whose end date has not passed keeps everything (however it got there).
    running = agreements.agreement_of(das.id, users["running"].organisation_id)
    running.end_date = date(2099, 12, 31)
    db.session.commit()
    # The rejected provider reuses one of its documents in a DAS that is not due yet.
    kept_doc = application_of["rejected"].answers[-1].documents[0]
    elsewhere = applications.start_application(later_das, users["rejected"])
    criterion = later_das.criteria[-1]
    applications.save_answers(
        elsewhere,
        {criterion.id: applications.AnswerInput(True, document_ids=(kept_doc.id,))},
        users["rejected"],
    )
    # A provider rejected in the later DAS: not due in 2037.
    application_of["later"] = submitted(later_das, users["later"], "later")
    decide_all(application_of["later"], LotOutcome.REJECTED, reviewer)
    return {
        "das": das,
        "users": users,
        "application_of": application_of,
        "kept_doc": kept_doc,
        "admin": admin,
        "clarification": clarification,
        "reply_doc": reply_doc,
    }


def org_state(organisation_id: int) -> dict:
    docs = db.session.scalars(
        db.select(EvidenceDocument).where(EvidenceDocument.organisation_id == organisation_id)
    ).all()
    answers = db.session.scalars(
        db.select(Answer)
        .join(Answer.application)
        .where(Answer.application.property.mapper.class_.organisation_id == organisation_id)
    ).all()
    links = db.session.execute(
        db.select(answer_evidence).where(answer_evidence.c.answer_id.in_([a.id for a in answers]))
    ).all()
    return {
        "documents": sorted(d.id for d in docs),
        "files": sorted(d.id for d in docs if os.path.exists(evidence.path_for(d.sha256))),
        "answers": sorted(a.id for a in answers),
        "links": sorted((row.answer_id, row.document_id) for row in links),
    }


def org_ids(plans: list[privacy_purge.OrganisationPurge]) -> set[int]:
    return {p.organisation_id for p in plans}


def test_nothing_is_due_six_years_after_the_end(world) -> None:
    assert privacy_purge.plan_purge(SIX_YEARS_LATER, YEARS) == []


def test_selection_eight_years_after_the_end(world) -> None:
    users = world["users"]
    plans = {p.organisation_id: p for p in privacy_purge.plan_purge(EIGHT_YEARS_LATER, YEARS)}
    # Rejected, terminated, and an agreement that simply ran out with the DAS; not the one
    # whose agreement still runs, nor the provider of the DAS that ended later.
    assert set(plans) == {
        users["rejected"].organisation_id,
        users["ended"].organisation_id,
        users["expired"].organisation_id,
    }
    assert plans[users["rejected"].organisation_id].standings == ["rejected"]
    assert plans[users["ended"].organisation_id].standings == ["ended"]
    assert plans[users["expired"].organisation_id].standings == ["ended"]


def test_purge_removes_declarations_and_evidence_but_keeps_the_archive(
    world,
) -> None:
    users, application_of, das = world["users"], world["application_of"], world["das"]
    rejected_org = users["rejected"].organisation_id
    ended_org = users["ended"].organisation_id
    untouched = {name: org_state(users[name].organisation_id) for name in ("running", "later")}
    before_rejected = org_state(rejected_org)
    decisions_before = db.session.execute(
        db.select(ApplicationLot.id, ApplicationLot.outcome, ApplicationLot.reason).order_by(
            ApplicationLot.id
        )
    ).all()
    assessments_before = db.session.scalar(db.select(db.func.count(Assessment.id)))
    agreements_before = db.session.execute(
        db.select(FrameworkAgreement.id, FrameworkAgreement.state).order_by(FrameworkAgreement.id)
    ).all()
    kept_doc_id = world["kept_doc"].id
    reply_doc_id = world["reply_doc"].id
    gone_doc_ids = [d for d in before_rejected["documents"] if d != kept_doc_id]
    gone_paths = [
        evidence.path_for(db.session.get(EvidenceDocument, d).sha256) for d in gone_doc_ids
    ]

    plans = privacy_purge.purge(EIGHT_YEARS_LATER, YEARS)
    db.session.expire_all()

    assert org_ids(plans) == {
        rejected_org,
        ended_org,
        users["expired"].organisation_id,
    }
    for name in ("rejected", "ended", "expired"):
        application = db.session.get(Application, application_of[name].id)
        kinds = {a.criterion.kind for a in application.answers}
        assert kinds == {CriterionKind.SUITABILITY}  # exclusion-ground declarations gone
        assert all(a.documents == [] for a in application.answers)
        snapshot_answers = application.snapshot["answers"]
        assert all(a["documents"] == [] for a in snapshot_answers)
        assert all(
            a["value"] is None and a["explanation"] == ""
            for a in snapshot_answers
            if a["kind"] == "exclusion"
        )
        assert application.snapshot["purged_on"] == "2037-12-31"
    after_rejected = org_state(rejected_org)
    # The document the draft in the later DAS still uses stays, with its file.
    assert after_rejected["documents"] == [kept_doc_id]
    assert after_rejected["files"] == [kept_doc_id]
    assert not any(os.path.exists(p) for p in gone_paths)
    assert org_state(ended_org)["documents"] == []
    # The clarification stays (the review file), without its evidence.
    clarification = db.session.get(Clarification, world["clarification"].id)
    assert clarification.answer == "Hierbij." and clarification.documents == []
    assert db.session.get(EvidenceDocument, reply_doc_id) is None
    # Decisions, assessments and agreements are the municipalities' archive.
    assert (
        db.session.execute(
            db.select(ApplicationLot.id, ApplicationLot.outcome, ApplicationLot.reason).order_by(
                ApplicationLot.id
            )
        ).all()
        == decisions_before
    )
    assert db.session.scalar(db.select(db.func.count(Assessment.id))) == assessments_before
    assert (
        db.session.execute(
            db.select(FrameworkAgreement.id, FrameworkAgreement.state).order_by(
                FrameworkAgreement.id
            )
        ).all()
        == agreements_before
    )
    # Other organisations are untouched.
    for name, state in untouched.items():
        assert org_state(users[name].organisation_id) == state
    # One audit event per purged organisation, with the counts.
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "organisation.privacy_purged")
    ).all()
    assert sorted(e.organisation_id for e in events) == sorted(org_ids(plans))
    rejected_event = next(e for e in events if e.organisation_id == rejected_org)
    assert rejected_event.actor_id is None
    assert rejected_event.details["das"] == [das.reference]
    assert rejected_event.details["declarations"] == 2
    assert rejected_event.details["documents"] == len(gone_doc_ids)
    assert rejected_event.details["files"] == len(gone_doc_ids)
    # A second run finds nothing left to do.
    assert privacy_purge.purge(EIGHT_YEARS_LATER, YEARS) == []


def test_a_file_shared_with_a_retained_document_stays(world) -> None:
    """Files are stored by their hash: the same bytes uploaded by a provider that stays keep
    the file on disk, though the purged provider's row goes."""
    users = world["users"]
    rejected_doc = next(
        d
        for a in world["application_of"]["rejected"].answers
        for d in a.documents
        if d.id != world["kept_doc"].id
    )
    running = users["running"]
    criterion = world["das"].criteria[-1]
    with open(evidence.path_for(rejected_doc.sha256), "rb") as handle:
        same_bytes = handle.read()
    twin = upload(running, criterion, same_bytes)
    assert twin.sha256 == rejected_doc.sha256
    rejected_doc_id = rejected_doc.id
    privacy_purge.purge(EIGHT_YEARS_LATER, YEARS)
    assert db.session.get(EvidenceDocument, rejected_doc_id) is None
    assert os.path.exists(evidence.path_for(twin.sha256))


def test_dry_run_changes_nothing(world, app: Flask) -> None:
    users = world["users"]
    before = {name: org_state(u.organisation_id) for name, u in users.items()}
    snapshots = {name: a.snapshot for name, a in world["application_of"].items()}
    plans = privacy_purge.purge(EIGHT_YEARS_LATER, YEARS, dry_run=True)
    assert org_ids(plans) == {
        users[name].organisation_id for name in ("rejected", "ended", "expired")
    }
    assert all(p.files_removed == 0 for p in plans)
    db.session.expire_all()
    assert {name: org_state(u.organisation_id) for name, u in users.items()} == before
    assert {
        name: db.session.get(Application, a.id).snapshot
        for name, a in world["application_of"].items()
    } == snapshots
    assert not db.session.scalar(
        db.select(AuditEvent.id).where(AuditEvent.action == "organisation.privacy_purged")
    )


def test_the_command(world, app: Flask) -> None:
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run", "--today", "2037-12-31"])
    assert dry.exit_code == 0, dry.output
    assert "Proefdraai, er is niets gewijzigd." in dry.output
    assert "3 organisatie(s)" in dry.output
    early = runner.invoke(args=["privacy", "purge", "--today", "2035-12-31"])
    assert early.exit_code == 0
    assert "Niets te verwijderen" in early.output
    real = runner.invoke(args=["privacy", "purge", "--today", "2037-12-31"])
    assert real.exit_code == 0, real.output
    assert "Verwijderd bij 3 organisatie(s)" in real.output
    assert "afgewezen" in real.output and "overeenkomst beëindigd" in real.output
    wrong = runner.invoke(args=["privacy", "purge", "--today", "31-12-2037"])
    assert wrong.exit_code != 0
