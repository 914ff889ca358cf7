"""The public register of admitted providers per DAS, a page at a time: it grows with every admission.

A provider is admitted to a lot while its agreement is live or awaiting signature and its
admission to that lot has not ended. At national scale a DAS admits hundreds of providers per
lot, so the lists are paged in SQL and the DAS page shows counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.models import AgreementLot, AgreementState, FrameworkAgreement, Lot, Organisation
from portal.services.paging import Page, paginate

# Agreements that make a provider "admitted" in the public register.
REGISTER_STATES = (AgreementState.LIVE, AgreementState.AWAITING_SIGNATURE)

BY_NAME, BY_DATE = "naam", "datum"


@dataclass(frozen=True)
class Admission:
    provider: str
    lot: Lot
    admitted_on: date

    @property
    def quarter(self) -> str:
        """The award notice's quarter, as a DAS may publish them (DOMAIN.md)."""
        return f"{self.admitted_on.year} K{(self.admitted_on.month - 1) // 3 + 1}"


def _display_name() -> sa.ColumnElement[str]:
    """Organisation.display_name in SQL: the trade name, else the legal name."""
    return sa.func.coalesce(sa.func.nullif(Organisation.trade_name, ""), Organisation.legal_name)


def _current_admissions(das_id: int) -> sa.Select[tuple[AgreementLot]]:
    return (
        sa.select(AgreementLot)
        .join(FrameworkAgreement, FrameworkAgreement.id == AgreementLot.agreement_id)
        .where(
            FrameworkAgreement.das_id == das_id,
            FrameworkAgreement.state.in_(REGISTER_STATES),
            AgreementLot.ended_on.is_(None),
        )
    )


def admissions_page(
    das_id: int, lot_id: int | None, order: str, number: int, per_page: int
) -> Page[Admission]:
    """One page of current admissions (a row per provider and lot): alphabetical by provider,
    or newest admission first (`BY_DATE`, the award notices)."""
    name = _display_name()
    query = (
        _current_admissions(das_id)
        .join(Organisation, Organisation.id == FrameworkAgreement.organisation_id)
        .join(Lot, Lot.id == AgreementLot.lot_id)
        .with_only_columns(name, Lot, AgreementLot.admitted_on)
    )
    if lot_id is not None:
        query = query.where(AgreementLot.lot_id == lot_id)
    if order == BY_DATE:
        query = query.order_by(
            AgreementLot.admitted_on.desc(), sa.func.lower(name), Lot.position, Lot.id
        )
    else:
        query = query.order_by(sa.func.lower(name), Organisation.id, Lot.position, Lot.id)
    found = paginate(query, number, per_page, scalars=False)
    return Page([Admission(*row) for row in found.items], found.total, found.number, found.per_page)


def admitted_per_lot(das_id: int) -> dict[int, int]:
    """How many providers each lot of the DAS has admitted now."""
    rows = db.session.execute(
        _current_admissions(das_id)
        .with_only_columns(AgreementLot.lot_id, sa.func.count())
        .group_by(AgreementLot.lot_id)
    ).tuples()
    return dict(rows.all())


def admitted_providers(das_id: int) -> int:
    """How many providers the DAS has admitted (live or awaiting signature)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(FrameworkAgreement)
            .where(
                FrameworkAgreement.das_id == das_id,
                FrameworkAgreement.state.in_(REGISTER_STATES),
            )
        )
        or 0
    )
