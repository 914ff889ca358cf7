"""The reviewers' queue: applications waiting for a decision, their deadlines, and filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import joinedload

from portal.domain import working_days
from portal.extensions import db
from portal.models import Application, ApplicationLot, ApplicationState, User
from portal.services import calendar
from portal.services.ownership import visible_das_ids
from portal.services.review import IN_REVIEW, conflicted_application_ids

# --- the queue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    das_id: int | None = None
    lot_id: int | None = None
    state: ApplicationState | None = None
    reviewer_id: int | None = None  # 0 = nobody assigned


@dataclass(frozen=True)
class QueueRow:
    application: Application
    working_days_left: int | None  # None while paused for a clarification
    status: working_days.DeadlineStatus | None
    conflict: bool = False  # the user declared a conflict of interest: the row says so, no more


def queue(
    user: User,
    today: date,
    at_risk_within: int,
    page: int,
    per_page: int,
    filters: QueueFilters | None = None,
) -> tuple[list[QueueRow], int]:
    """Applications waiting for a decision, soonest deadline first, one page of them."""
    filters = filters or QueueFilters()
    query = db.select(Application).where(Application.state.in_(IN_REVIEW))
    das_ids = visible_das_ids(user)
    if das_ids is not None:
        query = query.where(Application.das_id.in_(das_ids))
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
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None)) or 0
    applications = db.session.scalars(
        query.options(
            joinedload(Application.organisation),
            joinedload(Application.das),
            joinedload(Application.assigned_reviewer),
        )
        .order_by(Application.review_deadline, Application.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not applications:
        return [], total
    conflicted = conflicted_application_ids(user, [a.id for a in applications])
    deadlines = [a.review_deadline for a in applications if a.review_deadline]
    first, last = min([today, *deadlines]), max([today, *deadlines])
    holidays = calendar.holidays_between(first - timedelta(days=1), last + timedelta(days=1))
    rows = []
    for application in applications:
        deadline = application.review_deadline
        conflict = application.id in conflicted
        if application.state is ApplicationState.CLARIFICATION or deadline is None:
            rows.append(QueueRow(application, None, None, conflict))
            continue
        rows.append(
            QueueRow(
                application,
                working_days.working_days_between(today, deadline, holidays),
                working_days.deadline_status(today, deadline, holidays, at_risk_within),
                conflict,
            )
        )
    return rows, total
