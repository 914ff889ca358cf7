"""No rubber stamp (issue 18): a criterion that needs judgement, got new evidence or has an open
clarification must be assessed explicitly before a proposal; saving takes a partial set; notes
between reviewers stay between reviewers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask

from portal.domain.assessment import Attention
from portal.domain.eligibility import Mark
from portal.extensions import db
from portal.models import (
    ApplicationState,
    AuditEvent,
    LotOutcome,
    ReviewMark,
    ReviewNote,
    Role,
)
from portal.pages.messages import message_for
from portal.services import ServiceError, applications, calendar, review
from tests import factories

RECEIVED = datetime(2026, 12, 18, 9, tzinfo=UTC)


def moment(hours: int) -> datetime:
    return RECEIVED + timedelta(hours=hours)


@pytest.fixture()
def world(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory(four_eyes=False)
    provider = factories.ProviderUserFactory()
    application = factories.complete_draft(das, provider, date(2026, 12, 1))
    # U2 answered "yes" with self-cleaning measures: the rule cannot decide (judgement).
    u2 = das.criteria[1]
    applications.save_answers(
        application,
        {u2.id: applications.AnswerInput(True, "Failliet in 2019", "Nieuwe directie sinds 2020")},
        provider,
    )
    applications.submit(application, provider, RECEIVED)
    reviewer = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    factories.assign(reviewer, das)
    review.declare_conflict(application, reviewer, False, "", moment(1))
    return das, application, provider, reviewer


def admit_all(application) -> dict[int, review.LotDecision]:
    return {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots}


def refusal(application, reviewer, now: datetime) -> str:
    with pytest.raises(ServiceError) as refused:
        review.propose_decision(
            application, admit_all(application), reviewer, now, application.version_id
        )
    assert refused.value.code == "assess_these_first"
    return message_for(refused.value)


def test_judgement_starts_open_and_blocks_the_proposal(app: Flask, world) -> None:
    das, application, _, reviewer = world
    u1, u2, g1, g4 = das.criteria
    found = review.standings(application)
    assert found[u1.id].start_with is Mark.PASS and found[u1.id].needs is Attention.NOT_ASSESSED
    assert found[u2.id].start_with is None and found[u2.id].needs is Attention.JUDGEMENT
    # Saving the pre-set ones only (what one click on the page does) is accepted ...
    review.assess(
        application,
        reviewer,
        {c.id: review.MarkInput(ReviewMark.PASS) for c in (u1, g1, g4)},
        moment(2),
    )
    # ... and the proposal names the one left.
    assert refusal(application, reviewer, moment(3)) == (
        "Beoordeel eerst deze eisen voordat u een besluit neemt: U2 Faillissement (oordeel nodig)."
    )
    review.assess(
        application,
        reviewer,
        {u2.id: review.MarkInput(ReviewMark.PASS, "Zelfreiniging aangetoond")},
        moment(4),
    )
    review.propose_decision(
        application, admit_all(application), reviewer, moment(5), application.version_id
    )
    assert application.state is ApplicationState.DECIDED


def test_new_evidence_after_a_clarification_needs_a_new_verdict(app: Flask, world) -> None:
    das, application, provider, reviewer = world
    u1, u2, g1, g4 = das.criteria
    factories.prepare_for_decision(application, reviewer, moment(2))
    clarification = review.ask_clarification(
        application,
        reviewer,
        "Uw KvK-uittreksel is onleesbaar.",
        ["G4"],
        date(2027, 1, 4),
        moment(3),
    )
    # While the question is open nothing about G4 counts, its saved "Voldoet" included.
    assert review.standings(application)[g4.id].needs is Attention.OPEN_CLARIFICATION
    new_extract = factories.upload_pdf(
        provider, factories.EvidenceType.KVK_EXTRACT, date(2026, 12, 18), content=b"%PDF-1.4 nieuw"
    )
    review.answer_clarification(
        application, clarification, provider, "Bijgevoegd.", [new_extract.id], moment(4)
    )
    found = review.standings(application)
    assert found[g4.id].needs is Attention.NEW_EVIDENCE and found[g4.id].start_with is None
    assert all(found[c.id].settled for c in (u1, u2, g1))
    assert refusal(application, reviewer, moment(5)) == (
        "Beoordeel eerst deze eisen voordat u een besluit neemt: "
        "G4 Verantwoorde bedrijfsvoering (nieuw bewijs na herstelverzoek)."
    )
    # The same verdict given again, after the new evidence, counts.
    review.assess(application, reviewer, {g4.id: review.MarkInput(ReviewMark.PASS)}, moment(6))
    review.propose_decision(
        application, admit_all(application), reviewer, moment(7), application.version_id
    )
    assert application.state is ApplicationState.DECIDED


def test_saving_again_unchanged_keeps_who_assessed(app: Flask, world) -> None:
    das, application, _, reviewer = world
    u1 = das.criteria[0]
    review.assess(application, reviewer, {u1.id: review.MarkInput(ReviewMark.PASS)}, moment(2))
    colleague = factories.UserFactory(role=Role.REVIEWER, name="Wendy Tweede")
    factories.assign(colleague, das)
    review.declare_conflict(application, colleague, False, "", moment(3))
    review.assess(application, colleague, {u1.id: review.MarkInput(ReviewMark.PASS)}, moment(4))
    saved = review.assessments_of(application)[u1.id]
    assert saved.assessed_by_id == reviewer.id
    # A changed verdict is the colleague's.
    review.assess(
        application, colleague, {u1.id: review.MarkInput(ReviewMark.FAIL, "Toch fraude")}, moment(5)
    )
    db.session.refresh(saved)
    assert saved.assessed_by_id == colleague.id and saved.mark is ReviewMark.FAIL
    with pytest.raises(ServiceError) as refused:
        review.assess(application, colleague, {}, moment(6))
    assert refused.value.code == "no_verdict_given"


def test_notes_are_for_reviewers_without_a_conflict(app: Flask, world) -> None:
    das, application, provider, reviewer = world
    g4 = das.criteria[3]
    review.add_note(application, reviewer, "Uittreksel is van 2019, vraag na", "G4", moment(2))
    review.add_note(application, reviewer, "Let op de directie", "", moment(3))
    notes = review.notes_of(application, reviewer)
    assert [(n.text, n.criterion_id) for n in notes] == [
        ("Uittreksel is van 2019, vraag na", g4.id),
        ("Let op de directie", None),
    ]
    # The audit trail says a note was written, never what it says (the provider's privacy
    # export lists the events of its applications).
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action == "review.note_written")
        .order_by(AuditEvent.id)  # without it PostgreSQL may return them in any order
    ).all()
    assert [e.details for e in events] == [{"criterion": "G4"}, {"criterion": None}]
    assert all("2019" not in str(e.details) and "directie" not in str(e.details) for e in events)
    with pytest.raises(ServiceError) as refused:
        review.add_note(application, reviewer, "   ", "", moment(4))
    assert refused.value.code == "note_required"
    with pytest.raises(ServiceError) as refused:
        review.add_note(application, reviewer, "x", "Z9", moment(4))
    assert refused.value.code == "unknown_criterion"
    # A reviewer with a conflict of interest neither reads nor writes them; nor does a provider.
    conflicted = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(conflicted, das)
    review.declare_conflict(application, conflicted, True, "Familie", moment(5))
    for who in (conflicted, provider):
        with pytest.raises(ServiceError):
            review.notes_of(application, who)
        with pytest.raises(ServiceError):
            review.add_note(application, who, "Ik ook", "", moment(6))
    assert db.session.scalar(db.select(db.func.count(ReviewNote.id))) == 2
