"""Queries over reported KPI figures shared by the reports, dashboards and SROI: totals (not
breakdowns), the agreements that report, and sums per agreement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    AgreementState,
    FrameworkAgreement,
    KpiDefinition,
    KpiValue,
)

TOTALS = (KpiValue.lot_id.is_(None), KpiValue.authority_id.is_(None))


# The agreements the overview counts: running, or about to (signature) or paused (suspension).
LIVE_STATES = (AgreementState.LIVE, AgreementState.AWAITING_SIGNATURE, AgreementState.SUSPENDED)


def live_agreements(das_id: int) -> list[FrameworkAgreement]:
    # The overview names each provider: load the organisations with the agreements, in the same
    # query (one organisation per agreement: a join multiplies no rows).
    return list(
        db.session.scalars(
            db.select(FrameworkAgreement)
            .options(joinedload(FrameworkAgreement.organisation))
            .where(
                FrameworkAgreement.das_id == das_id,
                FrameworkAgreement.state.in_(LIVE_STATES),
            )
        )
    )


def sums_query(das_id: int, code: str, first: date, last: date) -> sa.Select[tuple[int, Decimal]]:
    """The current value per agreement and period, summed over [first, last), in SQL: rows of
    (agreement_id, total)."""
    return (
        db.select(KpiValue.agreement_id, db.func.sum(KpiValue.value).label("total"))
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(
            KpiDefinition.das_id == das_id,
            KpiDefinition.code == code,
            KpiValue.period_start >= first,
            KpiValue.period_start < last,
            KpiValue.is_current.is_(True),
            *TOTALS,
        )
        .group_by(KpiValue.agreement_id)
    )


def sum_per_agreement(das_id: int, code: str, first: date, last: date) -> dict[int, Decimal]:
    rows = db.session.execute(sums_query(das_id, code, first, last)).tuples().all()
    return {agreement_id: Decimal(total) for agreement_id, total in rows}


def latest_per_agreement(das_id: int, code: str) -> dict[int, Decimal]:
    """Per agreement the current value of its latest period."""
    latest = (
        db.select(KpiValue.agreement_id, db.func.max(KpiValue.period_start).label("start"))
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(
            KpiDefinition.das_id == das_id,
            KpiDefinition.code == code,
            KpiValue.is_current.is_(True),
            *TOTALS,
        )
        .group_by(KpiValue.agreement_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(KpiValue.agreement_id, KpiValue.value)
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .join(
            latest,
            (latest.c.agreement_id == KpiValue.agreement_id)
            & (latest.c.start == KpiValue.period_start),
        )
        .where(
            KpiDefinition.code == code,
            KpiDefinition.das_id == das_id,
            KpiValue.is_current.is_(True),
            *TOTALS,
        )
    ).tuples()
    return {agreement_id: Decimal(value) for agreement_id, value in rows}
