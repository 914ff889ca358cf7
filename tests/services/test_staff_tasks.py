"""What waits for a member of staff (services/staff_tasks.py): each category counts what it should
and nothing else, per DAS and role; the header's count in one statement; the urgent mails at most
once a day per application; the daily digest and its opt-out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from sqlalchemy import event

from portal.extensions import db
from portal.models import (
    Application,
    Das,
    LotOutcome,
    Message,
    MessageKind,
    Question,
    QuestionState,
    QuestionSubject,
    Role,
    TaskMail,
    User,
)
from portal.services import agreements, calendar, kpis, review, staff_tasks
from portal.services.staff_tasks import TaskKind
from tests import factories

# Tuesday 27 April 2027 is Koningsdag. From Friday the 23rd: Monday (1), Wednesday (2), Thursday (3).
FRIDAY = date(2027, 4, 23)
DUE_DAYS = 30


def moment(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class World:
    das: Das  # the reviewer's and the manager's
    other: Das  # someone else's
    reviewer: User
    colleague: User  # another reviewer of `das`
    stranger: User  # a reviewer of `other` only
    manager: User
    admin: User


@pytest.fixture()
def world(app: Flask) -> World:
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das, other = factories.DasFactory(), factories.DasFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    colleague = factories.UserFactory(role=Role.REVIEWER)
    stranger = factories.UserFactory(role=Role.REVIEWER)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    for user in (reviewer, colleague, manager):
        factories.assign(user, das)
    factories.assign(stranger, other)
    return World(das, other, reviewer, colleague, stranger, manager, admin)


def submitted(das: Das, day: date = date(2027, 4, 1)) -> Application:
    return factories.submitted_application(das, factories.ProviderUserFactory(), day)


def tasks(user: User, today: date = date(2027, 4, 2)) -> staff_tasks.TaskList:
    return staff_tasks.tasks_for(user, today, DUE_DAYS)


def ids(user: User, kind: TaskKind, today: date = date(2027, 4, 2)) -> list[int]:
    found = tasks(user, today).of(kind)
    return [(t.application or t.agreement or t.question or t.das).id for t in found]


# --- review categories -----------------------------------------------------------------------


def test_an_application_nobody_reviews_waits_for_the_reviewers_of_its_das(world: World) -> None:
    application = submitted(world.das)
    elsewhere = submitted(world.other)
    factories.complete_draft(world.das, factories.ProviderUserFactory(), date(2027, 4, 1))  # draft

    assert ids(world.reviewer, TaskKind.UNASSIGNED) == [application.id]
    assert ids(world.stranger, TaskKind.UNASSIGNED) == [elsewhere.id]
    assert sorted(ids(world.admin, TaskKind.UNASSIGNED)) == sorted([application.id, elsewhere.id])
    assert TaskKind.UNASSIGNED not in tasks(world.manager).kinds
    assert staff_tasks.count_for(world.reviewer) == 1
    assert staff_tasks.count_for(world.admin) == 2
    assert staff_tasks.count_for(world.manager) == 0


def test_assigned_it_is_the_assignees_until_they_propose(world: World) -> None:
    application = submitted(world.das)
    review.assign(application, world.reviewer, world.admin)

    assert ids(world.reviewer, TaskKind.TO_ASSESS) == [application.id]
    assert ids(world.reviewer, TaskKind.UNASSIGNED) == []
    assert ids(world.colleague, TaskKind.TO_ASSESS) == []
    assert staff_tasks.count_for(world.colleague) == 0
    assert staff_tasks.count_for(world.reviewer) == 1

    # Four eyes off: the proposal is the decision, and nothing waits any more.
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        world.reviewer,
        moment(date(2027, 4, 2)),
    )
    assert staff_tasks.count_for(world.reviewer) == 0
    assert staff_tasks.count_for(world.colleague) == 0


def test_a_conflict_of_interest_keeps_an_application_off_the_list(world: World) -> None:
    application = submitted(world.das)
    review.declare_conflict(application, world.colleague, True, "Mijn zwager", moment(FRIDAY))
    assert ids(world.colleague, TaskKind.UNASSIGNED) == []
    assert ids(world.reviewer, TaskKind.UNASSIGNED) == [application.id]


def test_with_four_eyes_a_proposal_waits_for_another_reviewer(world: World) -> None:
    world.das.four_eyes = True
    db.session.commit()
    application = submitted(world.das)
    review.assign(application, world.reviewer, world.admin)
    factories.prepare_for_decision(application, world.reviewer, moment(date(2027, 4, 2)))
    review.propose_decision(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        world.reviewer,
        moment(date(2027, 4, 2)),
        application.version_id,
    )

    assert ids(world.colleague, TaskKind.TO_CONFIRM) == [application.id]
    assert ids(world.admin, TaskKind.TO_CONFIRM) == [application.id]
    assert ids(world.reviewer, TaskKind.TO_CONFIRM) == []  # not their own proposal
    assert ids(world.reviewer, TaskKind.TO_ASSESS) == []  # proposed: not theirs any more
    assert ids(world.stranger, TaskKind.TO_CONFIRM) == []  # another DAS
    assert staff_tasks.count_for(world.colleague) == 1


def test_an_answered_clarification_brings_the_application_back(world: World) -> None:
    application = submitted(world.das)
    review.assign(application, world.reviewer, world.admin)
    factories.prepare_for_decision(application, world.reviewer, moment(date(2027, 4, 2)))
    clarification = review.ask_clarification(
        application, world.reviewer, "Welk jaar?", [], date(2027, 4, 20), moment(date(2027, 4, 5))
    )
    # While the provider has the turn, nothing waits for the reviewer.
    assert staff_tasks.count_for(world.reviewer) == 0
    assert tasks(world.reviewer, date(2027, 4, 6)).total == 0

    review.answer_clarification(
        application,
        clarification,
        application.created_by,
        "Het jaar 2026.",
        [],
        moment(date(2027, 4, 7)),
    )
    assert ids(world.reviewer, TaskKind.ANSWERED, date(2027, 4, 8)) == [application.id]
    assert ids(world.reviewer, TaskKind.TO_ASSESS, date(2027, 4, 8)) == []  # not twice
    assert ids(world.colleague, TaskKind.ANSWERED, date(2027, 4, 8)) == []
    assert staff_tasks.count_for(world.reviewer) == 1


# --- deadlines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "kind"),
    [
        (date(2027, 4, 22), TaskKind.OVERDUE),  # yesterday
        (FRIDAY, TaskKind.DEADLINE_SOON),  # today
        (date(2027, 4, 26), TaskKind.DEADLINE_SOON),  # Monday: one working day
        (date(2027, 4, 28), TaskKind.DEADLINE_SOON),  # Wednesday: two (Koningsdag between)
        (date(2027, 4, 29), None),  # Thursday: three
    ],
)
def test_deadlines_within_two_working_days_and_overdue(
    world: World, deadline: date, kind: TaskKind | None
) -> None:
    application = submitted(world.das)
    review.assign(application, world.reviewer, world.admin)
    application.review_deadline = deadline
    db.session.commit()

    found = tasks(world.reviewer, FRIDAY)
    warned = {k: [t.application.id for t in found.of(k)] for k in TaskKind if k.is_warning}
    expected = {k: ([application.id] if k is kind else []) for k in TaskKind if k.is_warning}
    assert warned == expected
    assert found.total == 1  # a warning on a task that is counted once
    assert staff_tasks.soon_until(FRIDAY, {date(2027, 4, 27)}) == date(2027, 4, 28)


def test_a_deadline_of_someone_elses_application_is_not_mine(world: World) -> None:
    application = submitted(world.das)
    review.assign(application, world.colleague, world.admin)
    application.review_deadline = FRIDAY
    db.session.commit()
    assert tasks(world.reviewer, FRIDAY).of(TaskKind.DEADLINE_SOON) == []
    assert len(tasks(world.colleague, FRIDAY).of(TaskKind.DEADLINE_SOON)) == 1


# --- messages, complaints, questions, agreements -----------------------------------------------


def _message(author: User, *, application=None, agreement=None, **values) -> Message:
    message = Message(
        application_id=application.id if application else None,
        agreement_id=agreement.id if agreement else None,
        author_id=author.id,
        body="Tekst",
        **values,
    )
    db.session.add(message)
    db.session.commit()
    return message


def test_open_complaints_and_unread_messages(world: World) -> None:
    agreement = factories.admit(world.das, factories.ProviderUserFactory(), date(2027, 3, 1))
    application = db.session.get(Application, agreement.lots[0].application_id)
    provider = application.created_by
    elsewhere = submitted(world.other)
    complaint = _message(
        provider,
        application=application,
        kind=MessageKind.COMPLAINT,
        complaint_due_on=date(2027, 4, 15),
    )
    _message(
        provider,
        application=application,
        kind=MessageKind.COMPLAINT,
        handled_at=moment(date(2027, 4, 2)),
    )
    _message(provider, application=application)  # unread
    _message(provider, application=application)  # the same thread: counts once
    _message(provider, application=elsewhere)  # another DAS
    _message(world.reviewer, application=application, from_staff=True)  # staff's own
    _message(provider, agreement=agreement, read_at=moment(date(2027, 4, 2)))  # read
    _message(provider, agreement=agreement, kind=MessageKind.COMPLAINT)

    reviewer = tasks(world.reviewer)
    assert [t.due_on for t in reviewer.of(TaskKind.COMPLAINTS)] == [complaint.complaint_due_on]
    assert [(t.application.id, t.count) for t in reviewer.of(TaskKind.MESSAGES)] == [
        (application.id, 2)
    ]
    assert staff_tasks.count_for(world.reviewer) == 2  # a complaint and a thread

    manager = tasks(world.manager)
    assert [t.agreement.id for t in manager.of(TaskKind.COMPLAINTS)] == [agreement.id]
    assert manager.of(TaskKind.MESSAGES) == []
    assert staff_tasks.count_for(world.manager) == 1
    assert ids(world.stranger, TaskKind.COMPLAINTS) == []
    assert ids(world.stranger, TaskKind.MESSAGES) == [elsewhere.id]
    # An administrator has both sides of every DAS.
    assert len(tasks(world.admin).of(TaskKind.COMPLAINTS)) == 2


def test_open_questions_on_the_announcement(world: World) -> None:
    provider = factories.ProviderUserFactory()

    def question(das: Das, number: int, state: QuestionState) -> Question:
        found = Question(
            das_id=das.id,
            number=number,
            organisation_id=provider.organisation_id,
            asked_by_id=provider.id,
            subject=QuestionSubject.PROCEDURE,
            text="Wanneer?",
            state=state,
        )
        db.session.add(found)
        db.session.commit()
        return found

    open_one = question(world.das, 1, QuestionState.OPEN)
    question(world.das, 2, QuestionState.ANSWERED)
    question(world.other, 1, QuestionState.OPEN)
    assert ids(world.reviewer, TaskKind.QUESTIONS) == [open_one.id]
    assert staff_tasks.count_for(world.reviewer) == 1
    assert len(ids(world.admin, TaskKind.QUESTIONS)) == 2
    [task] = tasks(world.reviewer).of(TaskKind.QUESTIONS)
    assert staff_tasks.where(task) == (
        "review.das_question",
        {"slug": world.das.slug, "question_id": open_one.id},
    )


def test_agreements_signed_by_the_provider_wait_for_an_administrator(world: World) -> None:
    provider = factories.ProviderUserFactory()
    signed = factories.admit(world.das, provider, date(2027, 3, 1))
    factories.admit(world.das, factories.ProviderUserFactory(), date(2027, 3, 1))  # unsigned
    agreements.sign(signed, provider, factories.PASSWORD, "1.1.1.1", moment(date(2027, 3, 2)))

    assert ids(world.admin, TaskKind.COUNTERSIGN) == [signed.id]
    assert TaskKind.COUNTERSIGN not in tasks(world.manager).kinds
    before = staff_tasks.count_for(world.admin)
    agreements.countersign(
        signed, world.admin, factories.PASSWORD, "2.2.2.2", moment(date(2027, 3, 3))
    )
    assert ids(world.admin, TaskKind.COUNTERSIGN) == []
    assert staff_tasks.count_for(world.admin) == before - 1


def test_late_reports_per_das_of_the_contract_manager(world: World) -> None:
    kpis.ensure_default_kpis(world.admin, world.das)
    db.session.commit()
    factories.admit(world.das, factories.ProviderUserFactory(), date(2027, 1, 4), live=True)
    today = date(2027, 9, 1)  # the first quarter's figures were due on 30 April
    late = kpis.late_reports(world.das, today, DUE_DAYS)
    assert late

    [task] = tasks(world.manager, today).of(TaskKind.LATE_REPORTS)
    assert task.das.id == world.das.id and task.count == len(late)
    assert tasks(world.manager, date(2027, 2, 1)).of(TaskKind.LATE_REPORTS) == []
    assert TaskKind.LATE_REPORTS not in tasks(world.reviewer, today).kinds


# --- the header's count costs one statement ------------------------------------------------------


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.mark.parametrize("who", ["reviewer", "manager", "admin"])
def test_the_count_is_one_statement(world: World, who: str) -> None:
    for _ in range(3):
        submitted(world.das)
    user = getattr(world, who)
    db.session.refresh(user)  # loaded, as the signed-in user of a request is
    with counting() as statements:
        staff_tasks.count_for(user)
    assert len(statements) == 1


# --- mails ---------------------------------------------------------------------------------------


def test_urgent_mails_at_most_once_a_day_per_application(world: World, mailbox) -> None:
    soon, later = submitted(world.das), submitted(world.das)
    review.assign(soon, world.reviewer, world.admin)
    review.assign(later, world.reviewer, world.admin)
    soon.review_deadline = date(2027, 4, 28)  # two working days from Friday
    later.review_deadline = date(2027, 4, 29)  # three
    db.session.commit()

    assert staff_tasks.send_urgent_mails(moment(FRIDAY, 6)) == 1
    message = mailbox.last_to(world.reviewer.email)
    body = mailbox.body(message)
    assert soon.reference in body and later.reference not in body
    assert f"/beoordeling/aanmeldingen/{soon.id}" in body
    # The schedule runs again the same day (or a retried job): nothing new, no mail.
    assert staff_tasks.send_urgent_mails(moment(FRIDAY, 14)) == 0
    assert len(mailbox.to(world.reviewer.email)) == 1
    # Not on the weekend, nor on Koningsdag.
    assert staff_tasks.send_urgent_mails(moment(date(2027, 4, 24), 6)) == 0
    assert staff_tasks.send_urgent_mails(moment(date(2027, 4, 27), 6)) == 0
    assert staff_tasks.send_daily_digests(moment(date(2027, 4, 24), 6)) == 0
    assert mailbox.to(world.colleague.email) == []  # not theirs
    # On Monday both are urgent; each is named once again.
    assert staff_tasks.send_urgent_mails(moment(date(2027, 4, 26), 6)) == 1
    body = mailbox.body(mailbox.last_to(world.reviewer.email))
    assert soon.reference in body and later.reference in body
    assert db.session.scalar(db.select(db.func.count(TaskMail.id))) == 3


def test_the_daily_digest_lists_the_tasks_and_can_be_turned_off(world: World, mailbox) -> None:
    application = submitted(world.das)
    now = moment(date(2027, 4, 2), 6)

    # The reviewer, the colleague and the administrator (every DAS); the manager and the
    # stranger have nothing waiting.
    assert staff_tasks.send_daily_digests(now) == 3
    body = mailbox.body(mailbox.last_to(world.reviewer.email))
    assert "Aanmeldingen zonder beoordelaar (1)" in body and application.reference in body
    assert "/account" in body
    assert mailbox.to(world.manager.email) == []
    assert mailbox.to(world.stranger.email) == []
    # Once a day.
    assert staff_tasks.send_daily_digests(moment(date(2027, 4, 2), 9)) == 0

    staff_tasks.choose_daily_digest(world.reviewer, False)
    mailbox.messages.clear()
    staff_tasks.send_daily_digests(moment(date(2027, 4, 5), 6))
    assert mailbox.to(world.reviewer.email) == []
    assert mailbox.to(world.colleague.email) != []
