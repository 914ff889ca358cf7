"""The reviewers' queue: applications waiting for a decision, their deadlines, search, sorting,
filters, and assigning several applications at once."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.domain import working_days
from portal.extensions import db
from portal.models import (
    Application,
    ApplicationLot,
    ApplicationState,
    Assessment,
    Clarification,
    ConflictDeclaration,
    Das,
    Organisation,
    Role,
    StaffAssignment,
    User,
)
from portal.services import ServiceError, calendar, review
from portal.services.ownership import REVIEWER_ROLES, visible_das_ids
from portal.services.review import IN_REVIEW, conflicted_application_ids

# --- the queue ----------------------------------------------------------------------------


class QueueSort(enum.StrEnum):
    """The columns the queue sorts on; the deadline is the default (soonest first)."""

    DEADLINE = "deadline"
    RECEIVED = "received"
    PROVIDER = "provider"


@dataclass(frozen=True)
class QueueFilters:
    das_id: int | None = None
    lot_id: int | None = None
    state: ApplicationState | None = None
    reviewer_id: int | None = None  # 0 = nobody assigned
    # Organisation name (legal or trade), application reference or KvK number; a part will do.
    search: str = ""
    mine: bool = False  # assigned to the user
    to_confirm: bool = False  # a colleague's proposal this user may confirm (four eyes)
    answered: bool = False  # a clarification was answered since the last assessment or proposal
    sort: QueueSort = QueueSort.DEADLINE
    descending: bool = False

    @property
    def narrows(self) -> bool:
        """Whether anything leaves applications out (the page then says "x of y")."""
        return bool(
            self.das_id
            or self.lot_id
            or self.state
            or self.reviewer_id is not None
            or self.search.strip()
            or self.mine
            or self.to_confirm
            or self.answered
        )


@dataclass(frozen=True)
class QueueRow:
    application: Application
    working_days_left: int | None  # None while paused for a clarification
    status: working_days.DeadlineStatus | None
    conflict: bool = False  # the user declared a conflict of interest: the row says so, no more
    answered: bool = False  # a clarification answered since the last assessment or proposal
    to_confirm: bool = False  # a colleague's proposal waits for this user's confirmation


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int  # matching the filters
    in_queue: int  # every application in the queue the user may see


def _like_pattern(text: str) -> str:
    """`text` as a LIKE pattern that matches it anywhere, its own % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def answered_since_last_look() -> sa.ColumnElement[bool]:
    """A clarification answered after the last assessment and after the proposal (if any): the
    application waits for a reviewer again. Correlated with Application in the outer query."""
    last_assessed = (
        db.select(sa.func.max(Assessment.assessed_at))
        .where(Assessment.application_id == Application.id)
        .correlate(Application)
        .scalar_subquery()
    )
    return sa.exists(
        db.select(Clarification.id)
        .where(
            Clarification.application_id == Application.id,
            Clarification.answered_at.is_not(None),
            sa.or_(last_assessed.is_(None), Clarification.answered_at > last_assessed),
            sa.or_(
                Application.decision_proposed_at.is_(None),
                Clarification.answered_at > Application.decision_proposed_at,
            ),
        )
        .correlate(Application)
    )


def waiting_for_confirmation_by(user: User) -> sa.ColumnElement[bool]:
    """A proposal in a four-eyes DAS by someone else, on an application the user declared no
    conflict of interest on (or nothing yet: they declare before confirming)."""
    return sa.and_(
        Application.state == ApplicationState.SUBMITTED,
        Application.decision_proposed_at.is_not(None),
        Application.decision_proposed_by_id != user.id,
        Application.das_id.in_(db.select(Das.id).where(Das.four_eyes.is_(True))),
        not_conflicted(user),
    )


def not_conflicted(user: User) -> sa.ColumnElement[bool]:
    """The application (in the enclosing query) is not one the user declared a conflict of
    interest on."""
    return ~sa.exists(
        db.select(ConflictDeclaration.id)
        .where(
            ConflictDeclaration.application_id == Application.id,
            ConflictDeclaration.user_id == user.id,
            ConflictDeclaration.has_conflict.is_(True),
        )
        .correlate(Application)
    )


def _visible(user: User) -> sa.Select[tuple[Application]]:
    query = db.select(Application).where(Application.state.in_(IN_REVIEW))
    das_ids = visible_das_ids(user)
    if das_ids is not None:
        query = query.where(Application.das_id.in_(das_ids))
    return query


def _filtered(
    query: sa.Select[tuple[Application]], user: User, filters: QueueFilters
) -> sa.Select[tuple[Application]]:
    if filters.das_id:
        query = query.where(Application.das_id == filters.das_id)
    if filters.state:
        query = query.where(Application.state == filters.state)
    if filters.reviewer_id == 0:
        query = query.where(Application.assigned_reviewer_id.is_(None))
    elif filters.reviewer_id:
        query = query.where(Application.assigned_reviewer_id == filters.reviewer_id)
    if filters.lot_id:
        query = query.where(
            Application.id.in_(
                db.select(ApplicationLot.application_id).where(
                    ApplicationLot.lot_id == filters.lot_id
                )
            )
        )
    search = filters.search.strip()
    if search:
        pattern = _like_pattern(search)
        query = query.where(
            sa.or_(
                Application.reference.ilike(pattern, escape="\\"),
                Application.organisation_id.in_(
                    db.select(Organisation.id).where(
                        sa.or_(
                            Organisation.legal_name.ilike(pattern, escape="\\"),
                            Organisation.trade_name.ilike(pattern, escape="\\"),
                            Organisation.kvk_number.ilike(pattern, escape="\\"),
                        )
                    )
                ),
            )
        )
    if filters.mine:
        query = query.where(Application.assigned_reviewer_id == user.id)
    if filters.to_confirm:
        query = query.where(waiting_for_confirmation_by(user))
    if filters.answered:
        query = query.where(
            Application.state == ApplicationState.SUBMITTED, answered_since_last_look()
        )
    return query


def _ordered(
    query: sa.Select[tuple[Application]], filters: QueueFilters
) -> sa.Select[tuple[Application]]:
    column: sa.ColumnElement[Any]
    if filters.sort is QueueSort.PROVIDER:
        query = query.join(Organisation, Organisation.id == Application.organisation_id)
        column = sa.func.lower(Organisation.legal_name)
    elif filters.sort is QueueSort.RECEIVED:
        column = Application.received_at.expression
    else:
        column = Application.review_deadline.expression
    direction = column.desc() if filters.descending else column.asc()
    tie = Application.id.desc() if filters.descending else Application.id.asc()
    return query.order_by(direction.nulls_last(), tie)


def queue(
    user: User,
    today: date,
    at_risk_within: int,
    page: int,
    per_page: int,
    filters: QueueFilters | None = None,
) -> QueuePage:
    """Applications waiting for a decision that match the filters, one page of them, sorted as
    asked (the soonest deadline first by default), with how many the queue holds in all."""
    filters = filters or QueueFilters()
    visible = _visible(user)
    in_queue = (
        db.session.scalar(
            visible.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
        )
        or 0
    )
    query = _filtered(visible, user, filters)
    total = (
        db.session.scalar(
            query.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
        )
        or 0
        if filters.narrows
        else in_queue
    )
    # The flags each row shows, computed in the same statement: no query per row.
    answered = sa.and_(
        Application.state == ApplicationState.SUBMITTED, answered_since_last_look()
    ).label("answered")
    to_confirm = waiting_for_confirmation_by(user).label("to_confirm")
    found = db.session.execute(
        _ordered(query, filters)
        .add_columns(answered, to_confirm)
        .options(
            joinedload(Application.organisation),
            joinedload(Application.das),
            joinedload(Application.assigned_reviewer),
            selectinload(Application.lots).joinedload(ApplicationLot.lot),
        )
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not found:
        return QueuePage([], total, in_queue)
    applications = [row[0] for row in found]
    conflicted = conflicted_application_ids(user, [a.id for a in applications])
    deadlines = [a.review_deadline for a in applications if a.review_deadline]
    first, last = min([today, *deadlines]), max([today, *deadlines])
    holidays = calendar.holidays_between(first - timedelta(days=1), last + timedelta(days=1))
    rows = []
    for application, is_answered, is_to_confirm in found:
        deadline = application.review_deadline
        flags = {
            "conflict": application.id in conflicted,
            "answered": bool(is_answered),
            "to_confirm": bool(is_to_confirm),
        }
        if application.state is ApplicationState.CLARIFICATION or deadline is None:
            rows.append(QueueRow(application, None, None, **flags))
            continue
        rows.append(
            QueueRow(
                application,
                working_days.working_days_between(today, deadline, holidays),
                working_days.deadline_status(today, deadline, holidays, at_risk_within),
                **flags,
            )
        )
    return QueuePage(rows, total, in_queue)


# --- assigning several at once ---------------------------------------------------------------


def assignable_reviewers(das_ids: Sequence[int]) -> list[User]:
    """Who may be assigned applications of any of these DAS instances, in one query: the
    administrators and the reviewers assigned to one of them (review.reviewers_for per DAS). A
    choice that does not review some chosen application's DAS is refused for that one."""
    if not das_ids:
        return []
    return list(
        db.session.scalars(
            db.select(User)
            .where(
                User.is_active_account.is_(True),
                User.role.in_(REVIEWER_ROLES),
                sa.or_(
                    User.role == Role.ADMINISTRATOR,
                    User.id.in_(
                        db.select(StaffAssignment.user_id).where(
                            StaffAssignment.das_id.in_(list(das_ids))
                        )
                    ),
                ),
            )
            .order_by(User.name, User.id)
        )
    )


@dataclass(frozen=True)
class Refusal:
    application: Application
    error: ServiceError  # why (portal.pages.messages says it)


@dataclass
class BulkAssignment:
    """What assigning several applications at once did, per application."""

    assignee: User
    assigned: list[Application] = field(default_factory=list)
    already: list[Application] = field(default_factory=list)  # assigned to them before
    refused: list[Refusal] = field(default_factory=list)
    not_found: int = 0  # ids the actor may not see (or that do not exist)


def assign_many(application_ids: Sequence[int], assignee: User, actor: User) -> BulkAssignment:
    """Assign each chosen application to `assignee` through review.assign (the same rules, one
    audit event each), in one transaction per application: a refusal on one (decided meanwhile,
    a conflict of interest, not a reviewer of its DAS, changed by someone else) leaves the
    others assigned, and the page says which went through and which not and why. An application
    already assigned to `assignee` is left alone, so a second post (a double click) changes and
    records nothing."""
    result = BulkAssignment(assignee)
    wanted = list(dict.fromkeys(application_ids))
    if not wanted:
        return result
    query = db.select(Application).where(
        Application.id.in_(wanted), Application.state != ApplicationState.DRAFT
    )
    das_ids = visible_das_ids(actor)
    if das_ids is not None:
        query = query.where(Application.das_id.in_(das_ids))
    found = {
        a.id: a for a in db.session.scalars(query.options(joinedload(Application.organisation)))
    }
    result.not_found = len([i for i in wanted if i not in found])
    for application_id in wanted:
        application = found.get(application_id)
        if application is None:
            continue
        if application.assigned_reviewer_id == assignee.id:
            result.already.append(application)
            continue
        try:
            review.assign(application, assignee, actor)
        except ServiceError as error:
            # review.assign rolled its own transaction back; the others stand.
            db.session.refresh(application)
            result.refused.append(Refusal(application, error))
        else:
            result.assigned.append(application)
    return result
