"""Questions and answers on a DAS (nota van inlichtingen, issue 20): asking, the text's rules,
answering as a draft or at once, merging a duplicate, correcting with its history, who sees
what, and the mails to the askers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask

from portal.errors import ServiceError
from portal.extensions import db
from portal.models import AuditEvent, DasState, Question, QuestionState, QuestionSubject, Role
from portal.services import questions
from portal.services.privacy_export import organisation_data
from tests import factories

WHEN = datetime(2026, 11, 20, 9, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 14, tzinfo=UTC)
TEXT = "Mag een onderaannemer de kwaliteitseisen voor ons aantonen?"


@pytest.fixture()
def world(app: Flask):
    das = factories.DasFactory()
    asker = factories.ProviderUserFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    db.session.commit()
    return das, asker, reviewer


def _ask(das, asker, text: str = TEXT, subject=QuestionSubject.SUITABILITY) -> Question:
    return questions.ask(das, asker, subject, text, WHEN)


def test_a_provider_asks_and_the_question_is_numbered_per_das(world) -> None:
    das, asker, _reviewer = world
    first = _ask(das, asker)
    second = _ask(das, factories.ProviderUserFactory(), "Wanneer sluit de eerste ronde precies?")
    other_das = factories.DasFactory()
    elsewhere = _ask(other_das, asker)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert first.state is QuestionState.OPEN
    assert first.organisation_id == asker.organisation_id
    assert first.text == TEXT
    # What the task list counts (H4): the DAS's open questions.
    open_count = db.session.scalar(
        db.select(db.func.count())
        .select_from(Question)
        .where(Question.das_id == das.id, Question.state == QuestionState.OPEN)
    )
    assert open_count == 2
    event = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action == "question.asked")
        .order_by(AuditEvent.sequence)  # the first one asked (PostgreSQL keeps no order unasked)
    ).first()
    assert event is not None and event.object_id == first.id
    # The audit trail names the question, never its text.
    assert TEXT not in str(event.details)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "question_empty"),
        ("   \r\n  ", "question_empty"),
        ("Waarom?", "question_too_short"),
        ("x" * 4001, "question_too_long"),
        ("Een vraag met een \x00 erin, lang genoeg", "question_control_characters"),
        ("Een vraag met een escape \x1b[31m erin", "question_control_characters"),
        ("Een vraag met \u2028 een scheiding", "question_control_characters"),
    ],
)
def test_a_question_that_breaks_the_rules_is_refused(world, text: str, code: str) -> None:
    das, asker, _reviewer = world
    with pytest.raises(ServiceError) as refused:
        _ask(das, asker, text)
    assert refused.value.code == code
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 0


def test_line_breaks_and_tabs_are_kept(world) -> None:
    das, asker, _reviewer = world
    question = _ask(das, asker, "  Eerste regel\r\n\tTweede regel  ")
    assert question.text == "Eerste regel\n\tTweede regel"


@pytest.mark.parametrize("state", [DasState.DRAFT, DasState.ENDED])
def test_no_questions_about_a_das_in_preparation_or_ended(app: Flask, state: DasState) -> None:
    das = factories.DasFactory(state=state)
    with pytest.raises(ServiceError) as refused:
        _ask(das, factories.ProviderUserFactory())
    assert refused.value.code == "not_found"


def test_only_a_provider_asks(world) -> None:
    das, _asker, reviewer = world
    with pytest.raises(ServiceError):
        _ask(das, reviewer)


def test_a_draft_answer_is_not_published_until_published(world, mailbox) -> None:
    das, asker, reviewer = world
    question = _ask(das, asker)
    questions.save_answer(
        question, reviewer, "Ja, dat mag.", QuestionSubject.PROCEDURE, publish=False, now=WHEN
    )
    assert question.state is QuestionState.OPEN
    assert question.draft_answer == "Ja, dat mag."
    assert question.subject is QuestionSubject.PROCEDURE  # the staff corrected the subject
    assert questions.published(das.id) == []
    assert mailbox.to(asker.email) == []

    questions.save_answer(
        question,
        reviewer,
        "Ja, als u de onderaannemer noemt.",
        QuestionSubject.SUITABILITY,
        publish=True,
        now=LATER,
    )
    assert question.state is QuestionState.ANSWERED
    assert question.draft_answer is None
    assert question.answer == "Ja, als u de onderaannemer noemt."
    assert [r.text for r in question.revisions] == ["Ja, als u de onderaannemer noemt."]
    groups = questions.published(das.id)
    assert [(g.subject, [q.number for q in g.questions]) for g in groups] == [
        (QuestionSubject.SUITABILITY, [1])
    ]
    assert questions.published_count(das.id) == 1
    message = mailbox.last_to(asker.email)
    body = message.get_content()
    assert "Ja, als u de onderaannemer noemt." in body
    assert f"/aanbieder/das/{das.slug}/vragen#vraag-1" in body
    # Published once: answering again is a correction.
    with pytest.raises(ServiceError) as refused:
        questions.save_answer(
            question, reviewer, "Anders", QuestionSubject.OTHER, publish=True, now=LATER
        )
    assert refused.value.code == "question_already_answered"


def test_an_empty_or_broken_answer_is_refused(world) -> None:
    das, asker, reviewer = world
    question = _ask(das, asker)
    for text, code in (("  ", "answer_empty"), ("a\x07b", "answer_control_characters")):
        with pytest.raises(ServiceError) as refused:
            questions.save_answer(
                question, reviewer, text, QuestionSubject.OTHER, publish=True, now=WHEN
            )
        assert refused.value.code == code
    assert question.state is QuestionState.OPEN


def test_a_correction_is_a_new_revision_and_the_askers_are_told(world, mailbox) -> None:
    das, asker, reviewer = world
    question = _ask(das, asker)
    questions.save_answer(
        question, reviewer, "Nee.", QuestionSubject.SUITABILITY, publish=True, now=WHEN
    )
    mailbox.messages.clear()
    with pytest.raises(ServiceError) as refused:
        questions.correct(question, reviewer, "Nee.", LATER)
    assert refused.value.code == "answer_unchanged"
    questions.correct(question, reviewer, "Ja, onder voorwaarden.", LATER)
    assert question.answer == "Ja, onder voorwaarden."
    assert question.answered_at is not None and question.corrected_at is not None
    assert [r.text for r in question.revisions] == ["Nee.", "Ja, onder voorwaarden."]
    assert [r.text for r in question.earlier_answers] == ["Nee."]
    assert "gecorrigeerd" in mailbox.last_to(asker.email).get_content()
    corrected = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "question.corrected")
    ).one()
    assert corrected.details == {"revision": 2}


def test_an_open_question_has_no_answer_to_correct(world) -> None:
    das, asker, reviewer = world
    question = _ask(das, asker)
    with pytest.raises(ServiceError) as refused:
        questions.correct(question, reviewer, "Iets", LATER)
    assert refused.value.code == "question_not_answered"


def test_a_merged_duplicate_is_answered_with_its_target(world, mailbox) -> None:
    das, asker, reviewer = world
    other_asker = factories.ProviderUserFactory()
    target = _ask(das, asker)
    duplicate = _ask(das, other_asker, "Mag een onderaannemer de eisen voor ons aantonen?")
    questions.merge(duplicate, target.id, reviewer, WHEN)
    assert duplicate.state is QuestionState.MERGED
    assert duplicate.merged_into_id == target.id
    assert mailbox.to(other_asker.email) == []  # told when the answer is published
    with pytest.raises(ServiceError) as refused:
        questions.save_answer(
            duplicate, reviewer, "Ja", QuestionSubject.OTHER, publish=True, now=WHEN
        )
    assert refused.value.code == "question_merged"

    questions.save_answer(
        target, reviewer, "Ja, dat mag.", QuestionSubject.SUITABILITY, publish=True, now=LATER
    )
    told = mailbox.last_to(other_asker.email).get_content()
    assert "samengevoegd met vraag 1" in told and "Ja, dat mag." in told
    assert mailbox.last_to(asker.email) is not None
    # Only the target is published; the duplicate's text is not.
    assert [q.id for g in questions.published(das.id) for q in g.questions] == [target.id]


def test_a_duplicate_of_an_answered_question_is_told_at_once(world, mailbox) -> None:
    das, asker, reviewer = world
    target = _ask(das, asker)
    questions.save_answer(
        target, reviewer, "Ja, dat mag.", QuestionSubject.SUITABILITY, publish=True, now=WHEN
    )
    late_asker = factories.ProviderUserFactory()
    duplicate = _ask(das, late_asker, "Nog eens: mag een onderaannemer dat?")
    questions.merge(duplicate, target.id, reviewer, LATER)
    assert "Ja, dat mag." in mailbox.last_to(late_asker.email).get_content()


def test_merging_refuses_what_makes_no_sense(world) -> None:
    das, asker, reviewer = world
    first = _ask(das, asker)
    second = _ask(das, asker, "Een tweede vraag over de planning?")
    elsewhere = _ask(factories.DasFactory(), asker)
    cases = [
        (first, first.id, "merge_into_itself"),
        (first, elsewhere.id, "merge_target_unknown"),
        (first, 999_999, "merge_target_unknown"),
    ]
    for question, target_id, code in cases:
        with pytest.raises(ServiceError) as refused:
            questions.merge(question, target_id, reviewer, WHEN)
        assert refused.value.code == code
    questions.merge(second, first.id, reviewer, WHEN)
    third = _ask(das, asker, "En een derde vraag over de planning?")
    with pytest.raises(ServiceError) as refused:
        questions.merge(third, second.id, reviewer, WHEN)
    assert refused.value.code == "merge_target_merged"
    with pytest.raises(ServiceError) as refused:
        questions.merge(second, third.id, reviewer, WHEN)
    assert refused.value.code == "question_not_open"


def test_staff_of_another_das_and_providers_are_refused(world) -> None:
    das, asker, _reviewer = world
    question = _ask(das, asker)
    elsewhere = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(elsewhere, factories.DasFactory())
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    for actor in (elsewhere, manager, asker):
        with pytest.raises(ServiceError) as refused:
            questions.save_answer(
                question, actor, "Ja", QuestionSubject.OTHER, publish=True, now=WHEN
            )
        assert refused.value.code in ("not_found",)
        with pytest.raises(ServiceError):
            questions.merge(question, question.id, actor, WHEN)
    assert question.state is QuestionState.OPEN
    # An administrator works on every DAS.
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    questions.save_answer(question, admin, "Ja", QuestionSubject.OTHER, publish=True, now=WHEN)
    assert question.state is QuestionState.ANSWERED


def test_a_provider_reads_only_its_own_organisations_questions(world) -> None:
    das, asker, _reviewer = world
    colleague = factories.ProviderUserFactory(organisation=asker.organisation, contributor=True)
    mine = _ask(das, asker)
    ours = _ask(das, colleague, "Een vraag van een collega van ons?")
    _ask(das, factories.ProviderUserFactory(), "Een vraag van een andere aanbieder?")
    own = questions.for_organisation(das.id, asker.organisation_id)
    assert [q.id for q in own] == [ours.id, mine.id]


def test_the_staff_list_puts_open_questions_first(world) -> None:
    das, asker, reviewer = world
    first = _ask(das, asker)
    second = _ask(das, asker, "Een tweede vraag over de planning?")
    third = _ask(das, asker, "Een derde vraag over de planning?")
    questions.save_answer(first, reviewer, "Ja", QuestionSubject.OTHER, publish=True, now=WHEN)
    questions.merge(third, first.id, reviewer, WHEN)
    listed = questions.for_staff(das.id, "all")
    assert [q.id for q in listed.questions] == [second.id, first.id, third.id]
    assert listed.counts == {
        QuestionState.OPEN: 1,
        QuestionState.ANSWERED: 1,
        QuestionState.MERGED: 1,
    }
    assert [q.id for q in questions.for_staff(das.id, "open").questions] == [second.id]
    assert [q.id for q in questions.for_staff(das.id, "merged").questions] == [third.id]


def test_questions_stay_when_the_das_changes(world) -> None:
    """Questions belong to the DAS, not to a version of its announcement."""
    das, asker, reviewer = world
    question = _ask(das, asker)
    questions.save_answer(question, reviewer, "Ja", QuestionSubject.OTHER, publish=True, now=WHEN)
    das.name = "Een nieuwe naam"
    das.state = DasState.CLOSED
    db.session.commit()
    assert questions.published_count(das.id) == 1


def test_the_privacy_export_holds_the_organisations_questions(world) -> None:
    das, asker, reviewer = world
    question = _ask(das, asker)
    questions.save_answer(question, reviewer, "Ja", QuestionSubject.OTHER, publish=True, now=WHEN)
    _ask(das, factories.ProviderUserFactory(), "Een vraag van een andere aanbieder?")
    data = organisation_data(asker.organisation, {})
    assert [(q["das"], q["number"], q["text"], q["answer"]) for q in data["questions"]] == [
        (das.reference, 1, TEXT, "Ja")
    ]
    assert "question.asked" in {e["action"] for e in data["audit_events"]}


def test_two_questions_asked_at_once_get_their_own_numbers(world, monkeypatch) -> None:
    """The second of two askers read the highest number before the first one's insert: its
    insert fails on the number's constraint and it takes the next number."""
    das, asker, _reviewer = world
    _ask(das, asker)
    real_scalar = db.session.scalar
    stale = iter([None])  # what a concurrent asker read: no question yet

    def scalar(statement, *args, **kwargs):
        for value in stale:
            return value
        return real_scalar(statement, *args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", scalar)
    second = _ask(das, factories.ProviderUserFactory(), "Een tweede vraag, tegelijk gesteld?")
    monkeypatch.undo()
    assert second.number == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 2
