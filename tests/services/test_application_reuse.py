"""Reused answers: where each came from, what was decided on it before, the documents a
rejection leaves behind, and the confirmation that reused documents cover new lots."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import (
    AuditEvent,
    EvidenceType,
    LotOutcome,
    ReuseSource,
    ReviewMark,
)
from portal.services import ServiceError, applications, calendar, review
from tests import factories

REJECTION = "Het certificaat dekt de aangeboden zorg niet."


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


@pytest.fixture()
def das(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    return factories.DasFactory()


def criterion(das, code: str):
    return next(c for c in das.criteria if c.code == code)


def decide(application, outcome: LotOutcome, when: datetime, fail: str | None = None) -> None:
    """A reviewer assesses every answer as the rules mark it, except `fail` (a criterion code),
    which they judge failing with REJECTION as the reason; then decides every lot."""
    reviewer = factories.UserFactory()
    factories.assign(reviewer, application.das)
    review.declare_conflict(application, reviewer, False, "", when)
    marks = {}
    for c in application.das.criteria:
        if c.code == fail:
            marks[c.id] = review.MarkInput(ReviewMark.FAIL, REJECTION)
        else:
            auto = review.pre_marks(application)[c.code].value
            marks[c.id] = review.MarkInput(
                ReviewMark.FAIL if auto == "fail" else ReviewMark.PASS,
                "" if auto == "pass" else "Beoordeeld",
            )
    review.assess(application, reviewer, marks, when)
    reason = "" if outcome is LotOutcome.ADMITTED else "G1 voldoet niet"
    review.decide(
        application,
        {al.lot_id: review.LotDecision(outcome, reason) for al in application.lots},
        reviewer,
        when,
        application.version_id,
    )


def rejected_then_renewed(das):
    """A provider whose application of 1 March 2027 was rejected on 2 March (G1 judged
    failing), and its new draft."""
    user = factories.ProviderUserFactory()
    first = factories.complete_draft(das, user, date(2027, 3, 1))
    applications.submit(first, user, at(2027, 3, 1, 9))
    decide(first, LotOutcome.REJECTED, at(2027, 3, 2), fail="G1")
    second = applications.start_application(das, user, now=at(2027, 3, 5))
    return user, first, second


def keep(answer) -> applications.AnswerInput:
    return applications.AnswerInput(
        answer.value,
        answer.explanation,
        answer.self_cleaning,
        tuple(d.id for d in answer.documents),
    )


def test_carried_answers_are_marked_reused_until_changed(das) -> None:
    user, first, second = rejected_then_renewed(das)
    for answer in second.answers:
        assert answer.reused_source is ReuseSource.EARLIER_APPLICATION
        assert answer.reused_from_application == first
        assert answer.reused_at is not None and answer.is_reused

    u1, u2, g1, g4 = (criterion(das, code) for code in ("U1", "U2", "G1", "G4"))
    answers = {c.id: second.answer_for(c) for c in (u1, u2, g1, g4)}
    # Saving the same content again (a page saved without changes) keeps the mark.
    applications.save_answers(second, {c_id: keep(a) for c_id, a in answers.items()}, user)
    assert all(a.is_reused for a in second.answers)

    other = factories.upload_pdf(
        user, EvidenceType.KVK_EXTRACT, date(2027, 3, 4), content=factories.PDF_BYTES + b"new"
    )
    applications.save_answers(
        second,
        {
            u1.id: applications.AnswerInput(True, "Veroordeeld in 2020.", "Nieuw bestuur."),
            u2.id: applications.AnswerInput(False, "Een toelichting erbij."),
            g4.id: applications.AnswerInput(True, document_ids=(other.id,)),
        },
        user,
    )
    db.session.expire_all()
    changed = {second.answer_for(c).criterion_id for c in (u1, u2, g4)}
    for answer in second.answers:
        if answer.criterion_id in changed:
            assert not answer.is_reused
            assert answer.reused_from_application_id is None and answer.reused_at is None
        else:
            assert answer.is_reused  # G1, untouched
    # A change of the self-cleaning text alone counts too.
    applications.save_answers(
        second,
        {g1.id: applications.AnswerInput(True, "", "Iets anders", ())},
        user,
    )
    assert not second.answer_for(g1).is_reused


def test_a_rejected_criterion_leaves_its_documents_behind(das) -> None:
    user, first, second = rejected_then_renewed(das)
    g1, g4 = criterion(das, "G1"), criterion(das, "G4")
    assert first.answer_for(g1).documents  # it had one
    carried = second.answer_for(g1)
    assert carried.value is True and carried.is_reused  # the answer itself is carried
    assert carried.documents == []  # the document the reviewers judged failing is not
    assert second.answer_for(g4).documents == first.answer_for(g4).documents
    # So the draft is not complete until the provider gives G1 a document again.
    assert [m.code for m in applications.missing_items(second, date(2027, 3, 5))] == ["G1"]


def test_earlier_decisions_per_criterion(das) -> None:
    user, first, second = rejected_then_renewed(das)
    g1, g4 = criterion(das, "G1"), criterion(das, "G4")
    decisions = applications.earlier_decisions(second)
    assert set(decisions) == {c.id for c in das.criteria}
    failed = decisions[g1.id]
    assert failed.application_id == first.id
    assert failed.reference == first.reference
    assert failed.submitted_on == date(2027, 3, 1)
    assert failed.decided_on == date(2027, 3, 2)
    assert failed.verdict is ReviewMark.FAIL and failed.rejected
    assert failed.reason == REJECTION
    assert failed.outcome is LotOutcome.REJECTED
    assert [(lot.lot_code, lot.outcome, lot.reason) for lot in failed.lots] == [
        ("1", LotOutcome.REJECTED, "G1 voldoet niet"),
        ("2", LotOutcome.REJECTED, "G1 voldoet niet"),
    ]
    assert failed.reused and failed.needs_attention
    # The document judged failing, so the section page does not offer it by default again.
    assert failed.document_ids == tuple(d.id for d in first.answer_for(g1).documents)
    passed = decisions[g4.id]
    assert passed.verdict is ReviewMark.PASS and not passed.rejected
    assert not passed.needs_attention

    # Once the provider changes G1 the rejection is still shown, but no longer needs attention.
    document = factories.upload_pdf(
        user,
        EvidenceType.QUALITY_CERTIFICATE,
        date(2027, 3, 4),
        content=factories.PDF_BYTES + b"ander certificaat",
    )
    applications.save_answers(
        second, {g1.id: applications.AnswerInput(True, document_ids=(document.id,))}, user
    )
    again = applications.earlier_decisions(second)[g1.id]
    assert again.rejected and again.reason == REJECTION
    assert not again.reused and not again.needs_attention

    # A first application has no earlier decisions.
    assert (
        applications.earlier_decisions(
            applications.start_application(das, factories.ProviderUserFactory())
        )
        == {}
    )


def admitted_for_lot_one(das):
    user = factories.ProviderUserFactory()
    first_lot, second_lot = das.lots
    first = factories.complete_draft(das, user, date(2027, 3, 1), lots=[first_lot])
    applications.submit(first, user, at(2027, 3, 1, 9))
    decide(first, LotOutcome.ADMITTED, at(2027, 3, 2))
    more = applications.start_application(das, user, now=at(2027, 4, 1, 8))
    applications.save_products(more, [second_lot.products[0].id], user)
    return user, first, more


def test_more_lots_needs_the_confirmation_that_reused_documents_cover_them(das) -> None:
    user, first, more = admitted_for_lot_one(das)
    reused = applications.reused_documents(more)
    declared_before = {d.id for a in first.answers for d in a.documents}
    assert reused and {d.id for d in reused} == declared_before

    with pytest.raises(ServiceError) as refused:
        applications.submit(more, user, at(2027, 4, 1))
    assert refused.value.code == "reused_documents_unconfirmed"
    db.session.refresh(more)
    assert more.is_draft and more.snapshot is None

    applications.submit(more, user, at(2027, 4, 1), covers_new_lots=True)
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "application.submitted", AuditEvent.object_id == more.id
        )
    )
    assert event.details["reused_documents_cover_lots"] == {
        "documents": sorted(declared_before),
        "lots": ["2"],
    }
    snapshot = applications.open_application(das, user.organisation_id).snapshot
    assert snapshot is not None
    assert snapshot["reuse_confirmation"] == {"documents": sorted(declared_before), "lots": ["2"]}
    snapshot_documents = [d for a in snapshot["answers"] for d in a["documents"]]
    assert snapshot_documents and all(d["covers_new_lots_confirmed"] for d in snapshot_documents)
    g1 = next(a for a in snapshot["answers"] if a["code"] == "G1")
    assert g1["reused_from"]["reference"] == first.reference


def test_more_lots_with_new_documents_needs_no_confirmation(das) -> None:
    user, first, more = admitted_for_lot_one(das)
    answers = {}
    for c in das.criteria:
        documents: tuple[int, ...] = ()
        if c.evidence_required:
            assert c.evidence_type is not None
            new = factories.upload_pdf(
                user, c.evidence_type, date(2027, 3, 30), content=factories.PDF_BYTES + b"2"
            )
            documents = (new.id,)
        answers[c.id] = applications.AnswerInput(c.passing_answer, document_ids=documents)
    applications.save_answers(more, answers, user)
    assert applications.reused_documents(more) == []
    applications.submit(more, user, at(2027, 4, 1))
    assert "reuse_confirmation" not in more.snapshot


def test_a_renewal_after_rejection_asks_no_confirmation(das) -> None:
    """The same lots again: nothing new to cover."""
    user, first, second = rejected_then_renewed(das)
    assert applications.reused_documents(second) == []


def test_the_draft_after_a_rejection_shows_the_reason_and_does_not_tick_the_rejected_document(
    das, client
) -> None:
    """The G1 certificate was judged failing: the new draft's suitability page says so at G1,
    and does not tick that certificate again although it is the only one that fits."""
    from datetime import timedelta

    from tests.support.app import login

    user = factories.ProviderUserFactory()
    recently = datetime.now(UTC) - timedelta(days=10)
    first = factories.complete_draft(das, user, recently.date() - timedelta(days=5))
    applications.submit(first, user, recently)
    decide(first, LotOutcome.REJECTED, recently + timedelta(days=1), fail="G1")
    second = applications.start_application(das, user)
    g1 = criterion(das, "G1")
    (certificate,) = first.answer_for(g1).documents
    login(client, user)
    page = client.get(f"/aanbieder/aanmeldingen/{second.id}/geschiktheidseisen").get_data(
        as_text=True
    )
    start = page.index('id="criterium-G1"')
    section = page[start : page.index("</section>", start)]
    assert "Eerder afgewezen op dit punt" in section and REJECTION in section
    assert f'value="{certificate.id}"' in section  # still offered ...
    at_value = section.index(f'name="c{g1.id}_documents" type="checkbox" value="{certificate.id}"')
    box = section[section.rindex("<input", 0, at_value) : section.index(">", at_value)]
    assert "checked" not in box  # ... but not ticked
