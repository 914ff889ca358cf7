"""Re-verification of admitted providers: whose evidence has expired or soon will, and what
happens when a requested update does not come in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement
from sqlalchemy.orm import joinedload

from portal.domain import evidence as rules
from portal.extensions import db
from portal.infra import mail
from portal.models import (
    AgreementState,
    Answer,
    Application,
    ApplicationState,
    Criterion,
    DeclarationRequest,
    EvidenceDocument,
    EvidenceType,
    FrameworkAgreement,
    User,
    answer_evidence,
)
from portal.services import ServiceError, transaction
from portal.services.applications import open_declaration_requests
from portal.services.audit import record
from portal.services.ownership import require_reviewer, visible_das_ids
from portal.services.paging import Page, page_of
from portal.services.recipients import provider_recipients
from portal.services.review import conflicted_with_provider

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


def _latest_issue_date(max_age_months: int, cutoff: date) -> date:
    """The last issue date at which a document of this age limit is no longer valid after
    `cutoff`: valid_until(issued, None, months) <= cutoff exactly when issued <= this date.
    valid_until grows with the issue date, so one step back by the months and a few days forward
    (month ends clamp, 31 Jan + 1 month = 28/29 Feb) find it with the domain rule itself."""
    day = cutoff - relativedelta(months=max_age_months)
    for _ in range(31):
        last = rules.valid_until(day + timedelta(days=1), None, max_age_months)
        if last is None or last > cutoff:
            break
        day += timedelta(days=1)
    return day


def _lapse_filter(cutoff: date) -> ColumnElement[bool]:
    """SQL that keeps the documents whose last valid day (rules.valid_until, with the criterion's
    age limit or else the kind's) is on or before `cutoff`. Month arithmetic differs between
    SQLite and PostgreSQL (and from dateutil at month ends), so the database never adds months:
    for each age limit in use the latest issue date that lapses by `cutoff` is worked out in
    Python and compared as a plain date. The rows are checked again with the domain rule."""
    criterion_months = sorted(
        m
        for m in db.session.scalars(
            db.select(Criterion.max_evidence_age_months)
            .where(Criterion.max_evidence_age_months.is_not(None))
            .distinct()
        )
        if m
    )
    by_kind = sa.case(
        *(
            (
                EvidenceDocument.evidence_type == EvidenceType(kind),
                _latest_issue_date(months, cutoff),
            )
            for kind, months in rules.DEFAULT_MAX_AGE_MONTHS.items()
        ),
        else_=sa.null(),
    )
    own_limit = Criterion.max_evidence_age_months
    latest_issue = (
        sa.case(
            *(
                (own_limit == months, _latest_issue_date(months, cutoff))
                for months in criterion_months
            ),
            else_=by_kind,
        )
        if criterion_months
        else by_kind
    )
    return sa.or_(EvidenceDocument.expires_on <= cutoff, EvidenceDocument.issued_on <= latest_issue)


@dataclass(frozen=True)
class _Due:
    """One due agreement as plain values: enough to order and page before loading objects."""

    agreement_id: int
    application_id: int
    documents: list[tuple[int, date]]  # (document id, last valid day), soonest first

    @property
    def soonest(self) -> date:
        return self.documents[0][1]


def _due(user: User, today: date, within_days: int) -> list[_Due]:
    """Every due agreement the user may see, soonest lapse first, in a constant number of
    queries: one for the age limits in use and one for the lapsing documents of each admitted
    agreement's latest decided application."""
    cutoff = today + timedelta(days=within_days)
    das_ids = visible_das_ids(user)
    latest = (
        db.select(
            Application.id,
            Application.das_id,
            Application.organisation_id,
            sa.func.row_number()
            .over(
                partition_by=(Application.das_id, Application.organisation_id),
                order_by=(Application.decided_at.desc(), Application.id.desc()),
            )
            .label("rank"),
        )
        .where(Application.state == ApplicationState.DECIDED)
        .where(sa.true() if das_ids is None else Application.das_id.in_(das_ids))
        .subquery()
    )
    query = (
        db.select(
            FrameworkAgreement.id,
            latest.c.id,
            EvidenceDocument.id,
            EvidenceDocument.issued_on,
            EvidenceDocument.expires_on,
            EvidenceDocument.evidence_type,
            Criterion.max_evidence_age_months,
        )
        .join(
            latest,
            sa.and_(
                latest.c.das_id == FrameworkAgreement.das_id,
                latest.c.organisation_id == FrameworkAgreement.organisation_id,
                latest.c.rank == 1,
            ),
        )
        .join(Answer, Answer.application_id == latest.c.id)
        .join(Criterion, Criterion.id == Answer.criterion_id)
        .join(answer_evidence, answer_evidence.c.answer_id == Answer.id)
        .join(EvidenceDocument, EvidenceDocument.id == answer_evidence.c.document_id)
        .where(FrameworkAgreement.state.in_(ADMITTED_STATES), _lapse_filter(cutoff))
        .order_by(FrameworkAgreement.id, Answer.id)
    )
    if das_ids is not None:
        query = query.where(FrameworkAgreement.das_id.in_(das_ids))
    applications: dict[int, int] = {}
    lapsing: dict[int, dict[int, date]] = {}
    for (
        agreement_id,
        application_id,
        document_id,
        issued,
        expires,
        kind,
        own_limit,
    ) in db.session.execute(query):
        # The domain rule decides; the SQL above only keeps the database from sending the rest.
        last_day = rules.valid_until(
            issued,
            expires,
            own_limit or rules.DEFAULT_MAX_AGE_MONTHS.get(EvidenceType(kind).value),
        )
        if last_day is None or not (
            last_day < today or rules.expires_soon(last_day, today, within_days)
        ):
            continue
        applications[agreement_id] = application_id
        lapsing.setdefault(agreement_id, {})[document_id] = last_day
    due = [
        _Due(
            agreement_id,
            applications[agreement_id],
            sorted(documents.items(), key=lambda d: (d[1], d[0])),
        )
        for agreement_id, documents in lapsing.items()
    ]
    return sorted(due, key=lambda d: (d.soonest, d.agreement_id))


def _rows(due: list[_Due], today: date) -> list[ReverificationRow]:
    """The objects for a bounded list of due agreements (one page): a query per kind of object,
    never one per row."""
    if not due:
        return []
    agreements = {
        a.id: a
        for a in db.session.scalars(
            db.select(FrameworkAgreement)
            .where(FrameworkAgreement.id.in_([d.agreement_id for d in due]))
            .options(
                joinedload(FrameworkAgreement.organisation), joinedload(FrameworkAgreement.das)
            )
        )
    }
    applications = {
        a.id: a
        for a in db.session.scalars(
            db.select(Application).where(Application.id.in_([d.application_id for d in due]))
        )
    }
    documents = {
        d.id: d
        for d in db.session.scalars(
            db.select(EvidenceDocument).where(
                EvidenceDocument.id.in_([i for d in due for i, _ in d.documents])
            )
        )
    }
    open_requests: dict[tuple[int, int], DeclarationRequest] = {}
    for request in db.session.scalars(
        db.select(DeclarationRequest)
        .where(
            DeclarationRequest.answered_at.is_(None),
            DeclarationRequest.das_id.in_({a.das_id for a in agreements.values()}),
            DeclarationRequest.organisation_id.in_(
                {a.organisation_id for a in agreements.values()}
            ),
        )
        .order_by(DeclarationRequest.id)
    ):
        open_requests.setdefault((request.das_id, request.organisation_id), request)
    rows = []
    for d in due:
        agreement = agreements[d.agreement_id]
        open_request = open_requests.get((agreement.das_id, agreement.organisation_id))
        rows.append(
            ReverificationRow(
                agreement,
                applications[d.application_id],
                [ExpiringEvidence(documents[i], day, day < today) for i, day in d.documents],
                open_request,
                open_request is not None and open_request.due_on < today,
            )
        )
    return rows


def due_for_reverification(
    user: User, today: date, within_days: int = 30
) -> list[ReverificationRow]:
    """Live agreements whose evidence (in the provider's latest decided application) has
    expired or expires within `within_days`, soonest first. The whole list; the page shows
    `due_page`."""
    return _rows(_due(user, today, within_days), today)


def due_page(
    user: User, today: date, number: int, per_page: int, within_days: int = 30
) -> Page[ReverificationRow]:
    """Page `number` of `due_for_reverification`, in the same order.

    The order is the soonest last valid day, which needs the domain's month arithmetic
    (rules.valid_until), so SQL cannot sort or LIMIT by it exactly: one query narrows the
    documents to the lapsing ones as plain values, Python applies the rule and orders them, and
    only the page's agreements are loaded as objects (a constant number of queries, however many are due)."""
    due = _due(user, today, within_days)
    start = (number - 1) * per_page
    return page_of(_rows(due[start : start + per_page], today), len(due), number, per_page)


@transaction
def suspend_admission(
    reviewer: User, agreement: FrameworkAgreement, reason: str, now: datetime, today: date
) -> None:
    """Suspend an admission whose requested update did not come in time, with notice."""
    require_reviewer(reviewer, agreement.das_id)
    if conflicted_with_provider(reviewer, agreement.das_id, agreement.organisation_id):
        raise ServiceError("own_conflict")
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
    for user in provider_recipients(agreement.organisation_id):
        mail.queue(
            user.email,
            _l("Uw toelating tot %(das)s is opgeschort", das=agreement.das.name),
            "suspension",
            user=user,
            agreement=agreement,
            reason=reason.strip(),
            link=mail.link("supplier.dashboard"),
        )
    db.session.commit()
