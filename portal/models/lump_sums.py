"""A lump-sum agreement's yearly ceiling (plafondbedrag) and the audited results held against it
(the mutual 3% valve, seed 000). Rules: portal.domain.lump_sums."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Cents, Timestamp, str_enum, utcnow
from portal.models.tariffs import PERCENT

if TYPE_CHECKING:
    from portal.models.contracts import AgreementVariation, FrameworkAgreement
    from portal.models.users import User


class CeilingBasis(enum.StrEnum):
    AGREED = "agreed"  # set by the parties: the first year, or a revision (herijking)
    INDEXED = "indexed"  # the year before's ceiling indexed as tariffs are


class LumpSumCeiling(Model):
    """The ceiling of one year of a lump-sum agreement. Never changed: a revision is a new row
    for the same year, so the rows are the ceiling's history; the latest row of a year is in
    force. Each row comes with the agreement variation that told the provider."""

    __tablename__ = "lump_sum_ceiling"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"), index=True)
    year: Mapped[int]
    amount_cents: Mapped[int] = mapped_column(Cents)
    basis: Mapped[CeilingBasis] = mapped_column(str_enum(CeilingBasis, length=20))
    # An indexed ceiling's index (domain.indexation.IndexBreakdown); empty for an agreed one.
    index_total: Mapped[Decimal | None] = mapped_column(PERCENT)
    prognosis_part: Mapped[Decimal | None] = mapped_column(PERCENT)
    correction_part: Mapped[Decimal | None] = mapped_column(PERCENT)
    # Space-separated years, as on a tariff sheet: corrections included, and corrections not yet
    # known that the next year's index carries.
    corrected_years: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    outstanding_years: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    variation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreement_variation.id"))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    agreement: Mapped[FrameworkAgreement] = relationship()
    variation: Mapped[AgreementVariation | None] = relationship()
    actor: Mapped[User] = relationship()

    @property
    def outstanding(self) -> tuple[int, ...]:
        return tuple(int(y) for y in self.outstanding_years.split())

    @property
    def corrected(self) -> tuple[int, ...]:
        return tuple(int(y) for y in self.corrected_years.split())


class LumpSumResult(Model):
    """The provider's audited operating result for one year (on the strength of its accountant's
    statement), held against that year's ceiling. Beyond the valve it is a review task for the
    contract managers until one of them records the outcome."""

    __tablename__ = "lump_sum_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"), index=True)
    year: Mapped[int]
    result_cents: Mapped[int] = mapped_column(Cents)  # negative: a deficit
    # The ceiling in force when the result was reported, and what the valve said of it.
    ceiling_cents: Mapped[int] = mapped_column(Cents)
    within_valve: Mapped[bool]
    auditor: Mapped[str] = mapped_column(sa.String(200))  # who signed the statement
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    reported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    reviewed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    review_note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    agreement: Mapped[FrameworkAgreement] = relationship()
    reported_by: Mapped[User] = relationship(foreign_keys=[reported_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __table_args__ = (sa.UniqueConstraint("agreement_id", "year"),)

    @property
    def needs_review(self) -> bool:
        return not self.within_valve and self.reviewed_at is None

    @property
    def percent(self) -> Decimal:
        """The result as a percentage of the ceiling, for reading (the valve compares exactly)."""
        return (Decimal(self.result_cents) * 100 / Decimal(self.ceiling_cents)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
