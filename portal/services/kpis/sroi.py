"""Social return (SROI): a provider's realised amounts, and each agreement's obligation and
status for a year. Rules: portal.domain.contract_management."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import contains_eager

from portal.domain import contract_management as rules
from portal.domain import money
from portal.extensions import db
from portal.models import (
    Das,
    EvidenceDocument,
    FrameworkAgreement,
    Organisation,
    SroiReport,
    User,
)
from portal.services import ServiceError
from portal.services.audit import record
from portal.services.kpis.definitions import TURNOVER
from portal.services.kpis.figures import LIVE_STATES, sums_query
from portal.services.ownership import (
    require_provider_of,
)
from portal.services.paging import Page, paginate

SroiRow = tuple[FrameworkAgreement, int | None, int, rules.SroiStatus]


def sroi_row(
    das: Das,
    agreement: FrameworkAgreement,
    previous_turnover: Decimal | None,
    realised_cents: int | None,
    today: date,
    year: int,
) -> SroiRow:
    obligation = rules.sroi_obligation(
        money.cents_of(previous_turnover or Decimal(0)),
        das.sroi_threshold_cents,
        Decimal(das.sroi_percent),
    )
    done = int(realised_cents or 0)
    return agreement, obligation, done, rules.sroi_status(obligation, done, today, year)


def sroi_page(das: Das, year: int, today: date, number: int, per_page: int) -> Page[SroiRow]:
    """One page of the social-return table: the live agreements by last year's turnover, highest
    first (the obligation grows with it; below the threshold there is none), then by name. The
    same order as `das_overview(...).sroi`, sorted and cut in SQL, so a page costs the same
    however many agreements there are."""
    previous = sums_query(das.id, TURNOVER, date(year - 1, 1, 1), date(year, 1, 1)).subquery()
    realised = (
        db.select(SroiReport.agreement_id, db.func.sum(SroiReport.amount_cents).label("total"))
        .where(SroiReport.year == year)
        .group_by(SroiReport.agreement_id)
        .subquery()
    )
    query = (
        db.select(FrameworkAgreement, previous.c.total, realised.c.total)
        .join(Organisation, Organisation.id == FrameworkAgreement.organisation_id)
        .outerjoin(previous, previous.c.agreement_id == FrameworkAgreement.id)
        .outerjoin(realised, realised.c.agreement_id == FrameworkAgreement.id)
        .options(contains_eager(FrameworkAgreement.organisation))
        .where(FrameworkAgreement.das_id == das.id, FrameworkAgreement.state.in_(LIVE_STATES))
        .order_by(
            # Below the threshold there is no obligation: those rows follow, by name.
            db.case(
                (previous.c.total * 100 > das.sroi_threshold_cents, previous.c.total), else_=0
            ).desc(),
            Organisation.legal_name,
            FrameworkAgreement.id,
        )
    )
    found = paginate(query, number, per_page, scalars=False)
    rows = [
        sroi_row(das, agreement, None if prev is None else Decimal(prev), done, today, year)
        for agreement, prev, done in found.items
    ]
    return Page(rows, found.total, found.number, found.per_page)


def report_sroi(
    user: User,
    agreement: FrameworkAgreement,
    year: int,
    activity: str,
    amount_cents: int,
    pso_level: str,
    now: datetime,
    document_id: int | None = None,
) -> SroiReport:
    require_provider_of(user, agreement.organisation_id)
    if not activity.strip():
        raise ServiceError("sroi_activity_required")
    if amount_cents <= 0:
        raise ServiceError("sroi_amount_positive")
    if document_id is not None:
        document = db.session.get(EvidenceDocument, document_id)
        if document is None or document.organisation_id != agreement.organisation_id:
            raise ServiceError("unknown_document")
    row = SroiReport(
        agreement_id=agreement.id,
        year=year,
        activity=activity.strip(),
        amount_cents=amount_cents,
        pso_level=pso_level.strip(),
        document_id=document_id,
        reported_at=now,
        reported_by_id=user.id,
    )
    db.session.add(row)
    record(
        "sroi.reported",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
        amount_cents=amount_cents,
    )
    db.session.commit()
    return row


def sroi_reports_of(agreement: FrameworkAgreement) -> list[SroiReport]:
    return list(
        db.session.scalars(
            db.select(SroiReport)
            .where(SroiReport.agreement_id == agreement.id)
            .order_by(SroiReport.year.desc(), SroiReport.id)
        )
    )
