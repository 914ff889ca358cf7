"""The reviewer's work: the queue with its deadlines, and the decision per lot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.domain import working_days
from portal.domain.eligibility import Mark, pre_mark
from portal.extensions import db
from portal.models import (
    Answer,
    Application,
    ApplicationKind,
    ApplicationState,
    Criterion,
    EvidenceDocument,
    LotOutcome,
    Role,
    StaffAssignment,
    User,
    answer_evidence,
)
from portal.services import ServiceError, agreements, calendar
from portal.services.applications import answer_facts
from portal.services.audit import record
from portal.timeutil import local_date

IN_REVIEW = (ApplicationState.SUBMITTED, ApplicationState.CLARIFICATION)


@dataclass(frozen=True)
class QueueRow:
    application: Application
    working_days_left: int
    status: working_days.DeadlineStatus


def visible_das_ids(user: User) -> list[int] | None:
    """Administrators see every DAS; other staff only the DAS instances they are assigned to."""
    if user.role is Role.ADMINISTRATOR:
        return None
    return list(
        db.session.scalars(
            db.select(StaffAssignment.das_id).where(StaffAssignment.user_id == user.id)
        )
    )


def queue(
    user: User, today: date, at_risk_within: int, page: int, per_page: int
) -> tuple[list[QueueRow], int]:
    """Applications waiting for a decision, soonest deadline first, one page of them."""
    query = db.select(Application).where(Application.state.in_(IN_REVIEW))
    das_ids = visible_das_ids(user)
    if das_ids is not None:
        query = query.where(Application.das_id.in_(das_ids))
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None)) or 0
    applications = db.session.scalars(
        query.options(joinedload(Application.organisation), joinedload(Application.das))
        .order_by(Application.review_deadline, Application.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if not applications:
        return [], total
    deadlines = [a.review_deadline for a in applications if a.review_deadline]
    first, last = min([today, *deadlines]), max([today, *deadlines])
    holidays = calendar.holidays_between(first - timedelta(days=1), last + timedelta(days=1))
    rows = []
    for application in applications:
        deadline = application.review_deadline
        assert deadline is not None
        rows.append(
            QueueRow(
                application,
                working_days.working_days_between(today, deadline, holidays),
                working_days.deadline_status(today, deadline, holidays, at_risk_within),
            )
        )
    return rows, total


def get_for_review(application_id: int, user: User) -> Application | None:
    query = (
        db.select(Application)
        .where(Application.id == application_id, Application.state != ApplicationState.DRAFT)
        .options(selectinload(Application.lots), selectinload(Application.answers))
    )
    das_ids = visible_das_ids(user)
    if das_ids is not None:
        query = query.where(Application.das_id.in_(das_ids))
    return db.session.scalar(query)


def get_document_for_staff(document_id: int, user: User) -> EvidenceDocument | None:
    """Staff see a document only when it is evidence in a submitted application they may review."""
    query = (
        db.select(EvidenceDocument)
        .join(answer_evidence, answer_evidence.c.document_id == EvidenceDocument.id)
        .join(Answer, Answer.id == answer_evidence.c.answer_id)
        .join(Application, Application.id == Answer.application_id)
        .where(EvidenceDocument.id == document_id, Application.state != ApplicationState.DRAFT)
        .limit(1)
    )
    das_ids = visible_das_ids(user)
    if das_ids is not None:
        query = query.where(Application.das_id.in_(das_ids))
    return db.session.scalar(query)


def pre_marks(application: Application) -> dict[str, Mark]:
    """The rules' verdict per criterion code, judged on the day the application was received."""
    assert application.received_at is not None
    on = local_date(application.received_at)
    return {facts.code: pre_mark(facts, on) for facts in answer_facts(application)}


@dataclass(frozen=True)
class LotDecision:
    outcome: LotOutcome
    reason: str


def decide(
    application: Application,
    decisions: Mapping[int, LotDecision],
    reviewer: User,
    now: datetime,
    seen_version: int,
) -> Application:
    """Admit or reject every lot applied for. Admitted lots go into the framework agreement.

    `seen_version` is the version the reviewer looked at: if someone else changed the application
    since, the decision is refused rather than laid over theirs."""
    if application.version_id != seen_version:
        raise ServiceError("application_changed")
    if application.state not in IN_REVIEW:
        raise ServiceError("application_not_in_review")
    applied = {al.lot_id: al for al in application.lots}
    if set(decisions) != set(applied):
        raise ServiceError("decide_every_lot")
    for decision in decisions.values():
        if decision.outcome is LotOutcome.PENDING:
            raise ServiceError("decide_every_lot")
        if decision.outcome is LotOutcome.REJECTED and not decision.reason.strip():
            raise ServiceError("reason_required")
    admission_date = local_date(now)
    for lot_id, decision in decisions.items():
        application_lot = applied[lot_id]
        application_lot.outcome = decision.outcome
        application_lot.reason = decision.reason.strip()
        application_lot.decided_by_id = reviewer.id
        application_lot.decided_at = now
        record(
            f"lot.{decision.outcome.value}",
            application,
            reviewer,
            organisation_id=application.organisation_id,
            das_id=application.das_id,
            lot_id=lot_id,
            reason=decision.reason.strip(),
        )
    application.state = ApplicationState.DECIDED
    application.decided_at = now
    admitted = [lot_id for lot_id, d in decisions.items() if d.outcome is LotOutcome.ADMITTED]
    if admitted:
        agreements.admit_lots(application, admitted, admission_date, reviewer)
    if application.kind is ApplicationKind.UPDATE:
        # A rejected update of the declaration ends the admission for that lot.
        for lot_id, decision in decisions.items():
            if decision.outcome is LotOutcome.REJECTED:
                agreements.end_lots(
                    application, [lot_id], admission_date, decision.reason.strip(), reviewer
                )
    record(
        "application.decided",
        application,
        reviewer,
        organisation_id=application.organisation_id,
        das_id=application.das_id,
    )
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise ServiceError("application_changed") from error
    return application


def criteria_by_code(application: Application) -> dict[str, Criterion]:
    return {c.code: c for c in application.das.criteria}
