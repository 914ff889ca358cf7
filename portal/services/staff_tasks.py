"""What waits for a member of staff (issue 20, "Staff see what waits for them"): their tasks in
categories with counts, the count in the site header, the urgent mails and the daily digest.

Whose task is what:

- Review (reviewers and administrators): submitted applications nobody is assigned to; those
  assigned to them without a proposal yet; those whose clarification was answered since their
  last look (assigned to them); a colleague's proposal waiting for a second reviewer in a
  four-eyes DAS; open complaints and unread provider messages on applications; open questions on
  the announcement (nota van inlichtingen).
- Contracts (contract managers and administrators): open complaints and unread provider messages
  on agreements; reports (KPI figures, social return) past their due date.
- Administrators only: agreements the provider signed that wait for the countersignature (only an
  administrator countersigns, services/agreements.py).
- Deadlines: of the applications above, those due within two working days and those overdue.
  They are a warning on tasks already counted, so the total does not count them again.

Scope is the access scope of services/ownership.py: the DAS instances a member of staff is
assigned to, every DAS for an administrator; an application the user declared a conflict of
interest on is never their task. Late reports are the exception: they are computed per DAS (a
handful of queries each, services/kpis/late_reports.py), so they cover the DAS a person is
assigned to, administrators included, and are left out of the header's count.

The header's count is one SELECT of count subqueries (`count_for`), since it runs on every staff
page; the task page costs a fixed number of queries however many tasks there are.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.domain import working_days
from portal.extensions import db
from portal.infra import mail
from portal.infra.timeutil import local_date
from portal.models import (
    AgreementState,
    Application,
    ApplicationState,
    Das,
    FrameworkAgreement,
    LumpSumResult,
    Message,
    MessageKind,
    Question,
    QuestionState,
    Role,
    StaffAssignment,
    TaskMail,
    TaskMailKind,
    User,
)
from portal.services import ServiceError, calendar, transaction
from portal.services.kpis.late_reports import late_reports
from portal.services.ownership import CONTRACT_ROLES, REVIEWER_ROLES, in_visible_das
from portal.services.review_queue import (
    answered_since_last_look,
    not_conflicted,
    waiting_for_confirmation_by,
)

#: A review deadline within this many working days is urgent (issue 20).
SOON_WORKING_DAYS = 2


class TaskKind(enum.StrEnum):
    """The categories of the task page, in the order it shows them."""

    OVERDUE = "overdue"  # review deadline passed (a warning on a task below)
    DEADLINE_SOON = "deadline_soon"  # review deadline within two working days (idem)
    UNASSIGNED = "unassigned"  # submitted, nobody assigned
    TO_ASSESS = "to_assess"  # assigned to me, no proposal yet
    ANSWERED = "answered"  # assigned to me, a clarification answered since the last look
    TO_CONFIRM = "to_confirm"  # a colleague's proposal waits for a second reviewer
    COMPLAINTS = "complaints"  # complaints not yet handled
    MESSAGES = "messages"  # threads with provider messages nobody of the staff has read
    QUESTIONS = "questions"  # questions on the announcement without a published answer
    COUNTERSIGN = "countersign"  # signed by the provider, waiting for an administrator
    LATE_REPORTS = "late_reports"  # KPI figures or social return past their due date
    LUMP_SUM_REVIEW = "lump_sum_review"  # an audited lump-sum result beyond the 3% valve

    @property
    def is_warning(self) -> bool:
        """A deadline: shown first, but its applications are counted under their own task."""
        return self in (TaskKind.OVERDUE, TaskKind.DEADLINE_SOON)


@dataclass(frozen=True)
class Task:
    """One thing to do, and what it is about (one of the objects is set)."""

    kind: TaskKind
    application: Application | None = None
    agreement: FrameworkAgreement | None = None
    question: Question | None = None
    das: Das | None = None  # late reports: per DAS
    count: int = 1  # unread messages in the thread; late reports of the DAS
    due_on: date | None = None  # deadlines
    lump_sum_result: LumpSumResult | None = None  # its figures, for the review


@dataclass
class TaskList:
    tasks: dict[TaskKind, list[Task]] = field(default_factory=dict)

    def of(self, kind: TaskKind) -> list[Task]:
        return self.tasks.get(kind, [])

    @property
    def kinds(self) -> list[TaskKind]:
        """The categories this person has (empty ones too), in the page's order."""
        return [kind for kind in TaskKind if kind in self.tasks]

    def count(self, kind: TaskKind) -> int:
        return sum(task.count for task in self.of(kind))

    @property
    def total(self) -> int:
        """Everything waiting; deadlines are not counted twice."""
        return sum(self.count(kind) for kind in self.tasks if not kind.is_warning)


def kinds_for(user: User) -> list[TaskKind]:
    """The categories a member of staff has, by role."""
    kinds: list[TaskKind] = []
    if user.role in REVIEWER_ROLES:
        kinds += [
            TaskKind.OVERDUE,
            TaskKind.DEADLINE_SOON,
            TaskKind.UNASSIGNED,
            TaskKind.TO_ASSESS,
            TaskKind.ANSWERED,
            TaskKind.TO_CONFIRM,
            TaskKind.QUESTIONS,
        ]
    if user.is_staff:
        kinds += [TaskKind.COMPLAINTS, TaskKind.MESSAGES]
    if user.role is Role.ADMINISTRATOR:
        kinds.append(TaskKind.COUNTERSIGN)
    if user.role in CONTRACT_ROLES:
        kinds += [TaskKind.LATE_REPORTS, TaskKind.LUMP_SUM_REVIEW]
    return [kind for kind in TaskKind if kind in kinds]


# --- the conditions, one per category ----------------------------------------------------------


def _assigned_das_ids(user: User) -> sa.Select[tuple[int]]:
    return db.select(StaffAssignment.das_id).where(StaffAssignment.user_id == user.id)


def _application_conditions(user: User) -> dict[TaskKind, sa.ColumnElement[bool]]:
    """Each review category as a condition on Application (state SUBMITTED: while a
    clarification is open the provider has the turn, and the clock stands still)."""
    base = sa.and_(
        Application.state == ApplicationState.SUBMITTED,
        in_visible_das(user, Application.das_id),
        not_conflicted(user),
    )
    mine = sa.and_(base, Application.assigned_reviewer_id == user.id)
    answered = answered_since_last_look()
    return {
        # A proposal by someone unassigned waits under TO_CONFIRM, not here as well.
        TaskKind.UNASSIGNED: sa.and_(
            base,
            Application.assigned_reviewer_id.is_(None),
            Application.decision_proposed_at.is_(None),
        ),
        TaskKind.TO_ASSESS: sa.and_(mine, Application.decision_proposed_at.is_(None), ~answered),
        TaskKind.ANSWERED: sa.and_(mine, answered),
        TaskKind.TO_CONFIRM: sa.and_(base, waiting_for_confirmation_by(user)),
    }


def _thread_applications(user: User, everyone: bool) -> sa.Select[tuple[int]]:
    """The applications whose threads are the user's: of a DAS they review; for unread messages
    (`everyone` False) only those assigned to them or to nobody."""
    query = db.select(Application.id).where(
        in_visible_das(user, Application.das_id), not_conflicted(user)
    )
    if not everyone:
        query = query.where(
            sa.or_(
                Application.assigned_reviewer_id == user.id,
                Application.assigned_reviewer_id.is_(None),
            )
        )
    return query


def _thread_agreements(user: User) -> sa.Select[tuple[int]]:
    return db.select(FrameworkAgreement.id).where(in_visible_das(user, FrameworkAgreement.das_id))


def _message_conditions(
    user: User, kind: TaskKind
) -> list[tuple[sa.ColumnElement[Any], sa.ColumnElement[bool]]]:
    """Per side the user has (applications, agreements): the thread column and the condition on
    Message for this category."""
    if kind is TaskKind.COMPLAINTS:
        what = sa.and_(Message.kind == MessageKind.COMPLAINT, Message.handled_at.is_(None))
    else:
        what = sa.and_(
            Message.kind == MessageKind.MESSAGE,
            Message.from_staff.is_(False),
            Message.read_at.is_(None),
        )
    sides: list[tuple[sa.ColumnElement[Any], sa.ColumnElement[bool]]] = []
    if user.role in REVIEWER_ROLES:
        everyone = kind is TaskKind.COMPLAINTS
        sides.append(
            (
                Message.application_id.expression,
                sa.and_(what, Message.application_id.in_(_thread_applications(user, everyone))),
            )
        )
    if user.role in CONTRACT_ROLES:
        sides.append(
            (
                Message.agreement_id.expression,
                sa.and_(what, Message.agreement_id.in_(_thread_agreements(user))),
            )
        )
    return sides


def _question_condition(user: User) -> sa.ColumnElement[bool]:
    return sa.and_(Question.state == QuestionState.OPEN, in_visible_das(user, Question.das_id))


def _countersign_condition(user: User) -> sa.ColumnElement[bool]:
    return sa.and_(
        FrameworkAgreement.state == AgreementState.AWAITING_SIGNATURE,
        FrameworkAgreement.provider_signed_at.is_not(None),
        FrameworkAgreement.authority_signed_at.is_(None),
        in_visible_das(user, FrameworkAgreement.das_id),
    )


def _lump_sum_condition(user: User) -> sa.ColumnElement[bool]:
    """A result beyond the valve nobody has reviewed yet (services/lump_sums.py)."""
    return sa.and_(
        LumpSumResult.within_valve.is_(False),
        LumpSumResult.reviewed_at.is_(None),
        LumpSumResult.agreement_id.in_(_thread_agreements(user)),
    )


# --- the header's count ------------------------------------------------------------------------


def _count_subqueries(user: User) -> list[sa.ScalarSelect[int]]:
    kinds = kinds_for(user)
    counts: list[sa.ScalarSelect[int]] = []
    applications = _application_conditions(user)
    for kind, condition in applications.items():
        if kind in kinds:
            counts.append(
                db.select(sa.func.count(Application.id)).where(condition).scalar_subquery()
            )
    for kind in (TaskKind.COMPLAINTS, TaskKind.MESSAGES):
        if kind not in kinds:
            continue
        for thread, condition in _message_conditions(user, kind):
            # Complaints one by one; unread messages once per thread, however many.
            counted = sa.func.count(
                Message.id if kind is TaskKind.COMPLAINTS else sa.distinct(thread)
            )
            counts.append(db.select(counted).where(condition).scalar_subquery())
    if TaskKind.QUESTIONS in kinds:
        counts.append(
            db.select(sa.func.count(Question.id)).where(_question_condition(user)).scalar_subquery()
        )
    if TaskKind.COUNTERSIGN in kinds:
        counts.append(
            db.select(sa.func.count(FrameworkAgreement.id))
            .where(_countersign_condition(user))
            .scalar_subquery()
        )
    if TaskKind.LUMP_SUM_REVIEW in kinds:
        counts.append(
            db.select(sa.func.count(LumpSumResult.id))
            .where(_lump_sum_condition(user))
            .scalar_subquery()
        )
    return counts


def count_for(user: User) -> int:
    """The number in the header's "Mijn taken (N)": one statement of count subqueries. Late
    reports are left out (computed per DAS, see the module's docstring), and deadlines are
    warnings on tasks already counted."""
    if not user.is_staff:
        return 0
    counts = _count_subqueries(user)
    if not counts:
        return 0
    return sum(db.session.execute(db.select(*counts)).one())


# --- the task page -----------------------------------------------------------------------------


def soon_until(today: date, holidays: set[date]) -> date:
    """The last day still "within two working days" of today: any deadline before the third
    working day after today (a deadline on a weekend day counts with the working day before)."""
    return working_days.add_working_days(today, SOON_WORKING_DAYS + 1, holidays) - timedelta(days=1)


def _holidays_around(today: date) -> set[date]:
    # Three working days never span more than three weeks, even over Christmas and Easter.
    return calendar.holidays_between(today, today + timedelta(days=21))


def tasks_for(user: User, today: date, due_days: int) -> TaskList:
    """Everything waiting for this member of staff, per category (see the module's docstring).
    `due_days`: the days after a period's end that its KPI figures are due (KPI_DUE_DAYS)."""
    kinds = kinds_for(user)
    found = TaskList({kind: [] for kind in kinds})
    if not kinds:
        return found
    if TaskKind.UNASSIGNED in kinds:
        _add_applications(found, user, today)
    for kind in (TaskKind.COMPLAINTS, TaskKind.MESSAGES):
        if kind in kinds:
            _add_threads(found, user, kind)
    if TaskKind.QUESTIONS in kinds:
        found.tasks[TaskKind.QUESTIONS] = [
            Task(TaskKind.QUESTIONS, question=question, das=das)
            for question, das in db.session.execute(
                db.select(Question, Das)
                .join(Das, Das.id == Question.das_id)
                .where(_question_condition(user))
                .order_by(Question.asked_at, Question.id)
            ).tuples()
        ]
    if TaskKind.COUNTERSIGN in kinds:
        found.tasks[TaskKind.COUNTERSIGN] = [
            Task(TaskKind.COUNTERSIGN, agreement=agreement)
            for agreement in db.session.scalars(
                db.select(FrameworkAgreement)
                .where(_countersign_condition(user))
                .options(
                    joinedload(FrameworkAgreement.organisation), joinedload(FrameworkAgreement.das)
                )
                .order_by(FrameworkAgreement.provider_signed_at, FrameworkAgreement.id)
            )
        ]
    if TaskKind.LATE_REPORTS in kinds:
        found.tasks[TaskKind.LATE_REPORTS] = _late_reports(user, today, due_days)
    if TaskKind.LUMP_SUM_REVIEW in kinds:
        found.tasks[TaskKind.LUMP_SUM_REVIEW] = [
            Task(TaskKind.LUMP_SUM_REVIEW, agreement=result.agreement, lump_sum_result=result)
            for result in db.session.scalars(
                db.select(LumpSumResult)
                .where(_lump_sum_condition(user))
                .options(
                    joinedload(LumpSumResult.agreement).joinedload(FrameworkAgreement.organisation),
                    joinedload(LumpSumResult.agreement).joinedload(FrameworkAgreement.das),
                )
                .order_by(LumpSumResult.reported_at, LumpSumResult.id)
            )
        ]
    return found


def _add_applications(found: TaskList, user: User, today: date) -> None:
    """The review categories and the deadline warnings, from one query."""
    conditions = _application_conditions(user)
    kinds = list(conditions)
    rows = db.session.execute(
        db.select(Application, *(conditions[kind].label(kind.value) for kind in kinds))
        .where(sa.or_(*conditions.values()))
        .options(joinedload(Application.organisation), joinedload(Application.das))
        .order_by(Application.review_deadline.asc().nulls_last(), Application.id)
    ).all()
    holidays = _holidays_around(today) if rows else set()
    last_soon = soon_until(today, holidays)
    for row in rows:
        application: Application = row[0]
        for kind, flag in zip(kinds, row[1:], strict=True):
            if flag:
                found.tasks[kind].append(Task(kind, application=application))
        deadline = application.review_deadline
        if deadline is None:
            continue
        if deadline < today:
            found.tasks[TaskKind.OVERDUE].append(
                Task(TaskKind.OVERDUE, application=application, due_on=deadline)
            )
        elif deadline <= last_soon:
            found.tasks[TaskKind.DEADLINE_SOON].append(
                Task(TaskKind.DEADLINE_SOON, application=application, due_on=deadline)
            )


def _add_threads(found: TaskList, user: User, kind: TaskKind) -> None:
    """Complaints one by one; unread messages one task per thread, with how many."""
    per_application: dict[int, int] = defaultdict(int)
    per_agreement: dict[int, int] = defaultdict(int)
    complaints: list[Message] = []
    for _thread, condition in _message_conditions(user, kind):
        for message in db.session.scalars(
            db.select(Message).where(condition).order_by(Message.created_at, Message.id)
        ):
            if kind is TaskKind.COMPLAINTS:
                complaints.append(message)
            elif message.application_id is not None:
                per_application[message.application_id] += 1
            elif message.agreement_id is not None:
                per_agreement[message.agreement_id] += 1
    wanted_applications = set(per_application) | {
        m.application_id for m in complaints if m.application_id is not None
    }
    wanted_agreements = set(per_agreement) | {
        m.agreement_id for m in complaints if m.agreement_id is not None
    }
    applications = _by_id(Application, wanted_applications, Application.organisation)
    agreements = _by_id(FrameworkAgreement, wanted_agreements, FrameworkAgreement.organisation)
    tasks: list[Task] = []
    if kind is TaskKind.COMPLAINTS:
        for message in complaints:
            tasks.append(
                Task(
                    kind,
                    application=applications.get(message.application_id or 0),
                    agreement=agreements.get(message.agreement_id or 0),
                    due_on=message.complaint_due_on,
                )
            )
    else:
        tasks += [
            Task(kind, application=applications[i], count=n) for i, n in per_application.items()
        ]
        tasks += [Task(kind, agreement=agreements[i], count=n) for i, n in per_agreement.items()]
    found.tasks[kind] = tasks


def _by_id(model: Any, ids: set[int], organisation: Any) -> dict[int, Any]:
    if not ids:
        return {}
    return {
        row.id: row
        for row in db.session.scalars(
            db.select(model)
            .where(model.id.in_(sorted(ids)))
            .options(joinedload(organisation), joinedload(model.das))
        )
    }


def _late_reports(user: User, today: date, due_days: int) -> list[Task]:
    """One task per DAS the user is assigned to with late reports, and how many."""
    tasks = []
    for das in db.session.scalars(
        db.select(Das).where(Das.id.in_(_assigned_das_ids(user))).order_by(Das.name, Das.id)
    ):
        late = late_reports(das, today, due_days)
        if late:
            tasks.append(Task(TaskKind.LATE_REPORTS, das=das, count=len(late)))
    return tasks


def where(task: Task) -> tuple[str, dict[str, Any]]:
    """The page where a task is done: an endpoint and its values (for url_for and mail.link)."""
    if task.kind is TaskKind.LATE_REPORTS and task.das is not None:
        return "contracts.late_reports", {"slug": task.das.slug}
    if task.kind is TaskKind.QUESTIONS and task.question is not None and task.das is not None:
        return "review.das_question", {"slug": task.das.slug, "question_id": task.question.id}
    if task.kind is TaskKind.COUNTERSIGN and task.agreement is not None:
        return "contracts.agreement", {"agreement_id": task.agreement.id}
    if task.kind is TaskKind.LUMP_SUM_REVIEW and task.agreement is not None:
        return "contracts.lump_sum", {"agreement_id": task.agreement.id}
    if task.kind in (TaskKind.COMPLAINTS, TaskKind.MESSAGES):
        if task.agreement is not None:
            return "contracts.agreement_messages", {"agreement_id": task.agreement.id}
        assert task.application is not None
        return "review.application_messages", {"application_id": task.application.id}
    assert task.application is not None
    return "review.application", {"application_id": task.application.id}


# --- mails -------------------------------------------------------------------------------------


def _recipients() -> Sequence[User]:
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.is_active_account.is_(True),
                User.role.in_(list(REVIEWER_ROLES | CONTRACT_ROLES)),
            )
            .order_by(User.id)
        )
    )


def _not_yet_told(user: User, kind: TaskMailKind, subject_ids: list[int], today: date) -> list[int]:
    """Of these items, those `user` was not mailed about today (with this kind of mail)."""
    told = set(
        db.session.scalars(
            db.select(TaskMail.subject_id).where(
                TaskMail.user_id == user.id, TaskMail.kind == kind, TaskMail.sent_on == today
            )
        )
    )
    return [i for i in subject_ids if i not in told]


def _record(user: User, items: list[tuple[TaskMailKind, int]], today: date, now: datetime) -> bool:
    """Record what the mail names; False when another run recorded it first (the unique key
    decides when two runs meet): this run's transaction is rolled back, the other one mails."""
    for kind, subject_id in items:
        db.session.add(
            TaskMail(user_id=user.id, kind=kind, subject_id=subject_id, sent_on=today, sent_at=now)
        )
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return False
    return True


@transaction
def _send_urgent_to(user: User, today: date, now: datetime) -> int:
    urgent = tasks_for_urgent(user, today)
    new: list[Task] = []
    items: list[tuple[TaskMailKind, int]] = []
    for kind, mail_kind in (
        (TaskKind.OVERDUE, TaskMailKind.OVERDUE),
        (TaskKind.DEADLINE_SOON, TaskMailKind.DEADLINE_SOON),
    ):
        tasks = {t.application.id: t for t in urgent if t.kind is kind and t.application}
        for application_id in _not_yet_told(user, mail_kind, list(tasks), today):
            new.append(tasks[application_id])
            items.append((mail_kind, application_id))
    if not new or not _record(user, items, today, now):
        return 0
    mail.queue(
        user.email,
        _l("Beoordelingstermijnen die aflopen"),
        "tasks_urgent",
        user=user,
        overdue=[_line(t) for t in new if t.kind is TaskKind.OVERDUE],
        soon=[_line(t) for t in new if t.kind is TaskKind.DEADLINE_SOON],
        link=mail.link("review.my_tasks"),
    )
    db.session.commit()
    return 1


def tasks_for_urgent(user: User, today: date) -> list[Task]:
    """The user's applications due within two working days or overdue (a reviewer's or an
    administrator's; no one else has review deadlines)."""
    if user.role not in REVIEWER_ROLES:
        return []
    found = TaskList({kind: [] for kind in TaskKind})
    _add_applications(found, user, today)
    return found.of(TaskKind.OVERDUE) + found.of(TaskKind.DEADLINE_SOON)


def send_urgent_mails(now: datetime) -> int:
    """Mail each reviewer (and administrator) whose applications are due within two working days
    or overdue, one mail listing them, on working days; an application is named to a person at
    most once a day, so the schedule may run this as often as it likes. Returns the number of
    mails queued.

    A new complaint is not mailed here: services/messages.py mails the DAS's staff on every
    message the provider sends, complaints included."""
    today = local_date(now)
    if not _is_working_day(today):
        return 0
    sent = 0
    for user in _recipients():
        sent += _send_urgent_to(user, today, now)
    return sent


def _is_working_day(day: date) -> bool:
    """Task mails go out on working days: what is urgent on a Saturday is mailed on Monday."""
    return working_days.is_working_day(day, calendar.holidays_between(day, day))


def _line(task: Task) -> dict[str, object]:
    """One task as a mail names it: what, about whom, until when, and the link."""
    endpoint, values = where(task)
    application, agreement = task.application, task.agreement
    subject = ""
    if application is not None:
        subject = f"{application.reference or application.id} {application.organisation.legal_name}"
    elif agreement is not None:
        subject = f"{agreement.reference} {agreement.organisation.legal_name}"
    elif task.question is not None:
        subject = task.question.text[:80]
    elif task.das is not None:
        subject = task.das.name
    return {
        "subject": subject,
        "count": task.count,
        "due_on": task.due_on,
        "link": mail.link(endpoint, **values),
    }


@transaction
def _send_digest_to(user: User, today: date, now: datetime, due_days: int) -> int:
    if not _not_yet_told(user, TaskMailKind.DIGEST, [0], today):
        return 0
    tasks = tasks_for(user, today, due_days)
    if tasks.total == 0 or not _record(user, [(TaskMailKind.DIGEST, 0)], today, now):
        return 0
    mail.queue(
        user.email,
        _l("Uw taken in het DAS-portaal"),
        "tasks_digest",
        user=user,
        total=tasks.total,
        sections=[
            {"kind": kind, "count": tasks.count(kind), "lines": [_line(t) for t in tasks.of(kind)]}
            for kind in tasks.kinds
            if tasks.of(kind)
        ],
        link=mail.link("review.my_tasks" if user.role in REVIEWER_ROLES else "contracts.my_tasks"),
        account_link=mail.link("auth.account"),
    )
    db.session.commit()
    return 1


def send_daily_digests(now: datetime) -> int:
    """Mail each member of staff who has not turned it off the list of their tasks, on working
    days when there is something on it; at most once a day each. Returns the number of mails
    queued."""
    today = local_date(now)
    if not _is_working_day(today):
        return 0
    due_days = int(current_app.config["KPI_DUE_DAYS"])
    sent = 0
    for user in _recipients():
        if user.wants_daily_digest:
            sent += _send_digest_to(user, today, now, due_days)
    return sent


# --- the digest setting ------------------------------------------------------------------------


@transaction
def choose_daily_digest(user: User, wanted: bool) -> None:
    """A member of staff turns the daily digest on or off (their account page)."""
    if not user.is_staff:
        raise ServiceError("not_found")
    user.wants_daily_digest = wanted
    db.session.commit()
