"""Re-verification of admitted providers: whose evidence has expired or soon will, and what
happens when a requested update does not come in time (issue 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from portal import mail
from portal.domain import evidence as rules
from portal.extensions import db
from portal.models import (
    AgreementState,
    Answer,
    Application,
    ApplicationState,
    DeclarationRequest,
    EvidenceDocument,
    FrameworkAgreement,
    User,
)
from portal.services import ServiceError
from portal.services.applications import latest_decided, open_declaration_requests
from portal.services.audit import record
from portal.services.review import visible_das_ids

# An admitted provider's agreement is live, or drawn up and waiting for signatures.
ADMITTED_STATES = (AgreementState.LIVE, AgreementState.AWAITING_SIGNATURE)


@dataclass(frozen=True)
class ExpiringEvidence:
    document: EvidenceDocument
    valid_until: date
    expired: bool


@dataclass(frozen=True)
class ReverificationRow:
    agreement: FrameworkAgreement
    application: Application
    documents: list[ExpiringEvidence]
    open_request: DeclarationRequest | None
    request_overdue: bool


def _evidence_of(application: Application, today: date, within_days: int) -> list[ExpiringEvidence]:
    found: dict[int, ExpiringEvidence] = {}
    for answer in application.answers:
        for document in answer.documents:
            last_day = rules.valid_until(
                document.issued_on,
                document.expires_on,
                answer.criterion.max_evidence_age_months
                or rules.DEFAULT_MAX_AGE_MONTHS.get(document.evidence_type.value),
            )
            if last_day is None:
                continue
            if last_day < today or rules.expires_soon(last_day, today, within_days):
                found[document.id] = ExpiringEvidence(document, last_day, last_day < today)
    return sorted(found.values(), key=lambda e: e.valid_until)


def due_for_reverification(
    user: User, today: date, within_days: int = 30
) -> list[ReverificationRow]:
    """Live agreements whose evidence (in the provider's latest decided application) has
    expired or expires within `within_days`, soonest first."""
    query = (
        db.select(FrameworkAgreement)
        .where(FrameworkAgreement.state.in_(ADMITTED_STATES))
        .options(joinedload(FrameworkAgreement.organisation), joinedload(FrameworkAgreement.das))
    )
    das_ids = visible_das_ids(user)
    if das_ids is not None:
        query = query.where(FrameworkAgreement.das_id.in_(das_ids))
    rows = []
    for agreement in db.session.scalars(query):
        application = latest_decided(agreement.das, agreement.organisation_id)
        if application is None:
            continue
        db.session.scalars(
            db.select(Answer)
            .where(Answer.application_id == application.id)
            .options(selectinload(Answer.documents), joinedload(Answer.criterion))
        ).all()
        documents = _evidence_of(application, today, within_days)
        if not documents:
            continue
        requests = open_declaration_requests(agreement.das_id, agreement.organisation_id)
        request = requests[0] if requests else None
        rows.append(
            ReverificationRow(
                agreement,
                application,
                documents,
                request,
                request is not None and request.due_on < today,
            )
        )
    return sorted(rows, key=lambda r: r.documents[0].valid_until)


def suspend_admission(
    reviewer: User, agreement: FrameworkAgreement, reason: str, now: datetime, today: date
) -> None:
    """Suspend an admission whose requested update did not come in time, with notice."""
    if not reason.strip():
        raise ServiceError("suspension_reason_required")
    if agreement.state not in ADMITTED_STATES:
        raise ServiceError("agreement_not_live")
    overdue = [
        r
        for r in open_declaration_requests(agreement.das_id, agreement.organisation_id)
        if r.due_on < today
    ]
    if not overdue:
        raise ServiceError("no_overdue_request")
    in_review = db.session.scalar(
        db.select(Application.id).where(
            Application.das_id == agreement.das_id,
            Application.organisation_id == agreement.organisation_id,
            Application.state.in_((ApplicationState.SUBMITTED, ApplicationState.CLARIFICATION)),
        )
    )
    if in_review is not None:
        raise ServiceError("update_in_review")
    agreement.state = AgreementState.SUSPENDED
    record(
        "agreement.suspended",
        agreement,
        reviewer,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        reason=reason.strip(),
        request_due_on=overdue[0].due_on.isoformat(),
    )
    db.session.commit()
    for user in db.session.scalars(
        db.select(User).where(
            User.organisation_id == agreement.organisation_id, User.is_active_account.is_(True)
        )
    ):
        if user.may_submit:
            mail.send(
                user.email,
                _l("Uw toelating tot %(das)s is opgeschort", das=agreement.das.name),
                "suspension",
                user=user,
                agreement=agreement,
                reason=reason.strip(),
                link=mail.link("supplier.dashboard"),
            )
