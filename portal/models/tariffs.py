"""Fixed tariffs, index figures, published tariff sheets, and indexed lump sums."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Cents, Timestamp, utcnow

if TYPE_CHECKING:
    from portal.models.catalogue import ContractingAuthority, Product
    from portal.models.users import User

PERCENT = sa.Numeric(7, 3)


class IndexFigure(Model):
    """OVA and PPC figures of one year for one DAS, in percent (prognosis, and definitive once
    known)."""

    __tablename__ = "index_figure"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    year: Mapped[int]
    ova_prognosis: Mapped[Decimal | None] = mapped_column(PERCENT)
    ppc_prognosis: Mapped[Decimal | None] = mapped_column(PERCENT)
    ova_definitive: Mapped[Decimal | None] = mapped_column(PERCENT)
    ppc_definitive: Mapped[Decimal | None] = mapped_column(PERCENT)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.UniqueConstraint("das_id", "year"),)


class TariffSheet(Model):
    """The published tariffs of one year. Immutable once published; a mistake is followed by a
    new sheet that says which one it corrects and why."""

    __tablename__ = "tariff_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    year: Mapped[int]
    is_base: Mapped[bool] = mapped_column(default=False)  # the base year's tariffs, not indexed
    prognosis_part: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    correction_part: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    index_total: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    ova_weight: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))
    ppc_weight: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4))
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tariff_sheet.id"))
    # 1 for the first sheet of a year, one more for each correction: (DAS, year, version) is
    # unique, so a double click or a second tab cannot publish the same sheet twice.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Years whose correction (definitive - prognosis) is in `correction_part`, and years whose
    # correction was not yet known and is carried into the next year's index (domain.indexation),
    # space-separated ("2024 2025"). Sheets from before issue 18 leave both empty.
    corrected_years: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    outstanding_years: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    correction_note: Mapped[str] = mapped_column(sa.Text, default="")
    published_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    published_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    csv_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    xlsx_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    pdf_sha256: Mapped[str] = mapped_column(sa.String(64), default="")

    published_by: Mapped[User] = relationship()
    corrects: Mapped[TariffSheet | None] = relationship(remote_side=[id])
    tariffs: Mapped[list[Tariff]] = relationship(back_populates="sheet", order_by="Tariff.id")

    __table_args__ = (
        sa.Index("uq_tariff_sheet_das_id_year_version", "das_id", "year", "version", unique=True),
    )

    @property
    def corrected(self) -> tuple[int, ...]:
        return tuple(int(y) for y in self.corrected_years.split())

    @property
    def outstanding(self) -> tuple[int, ...]:
        return tuple(int(y) for y in self.outstanding_years.split())


class Tariff(Model):
    """One product's tariff in one sheet, in cents, per the product's unit."""

    __tablename__ = "tariff"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("tariff_sheet.id"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("product.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Cents)
    previous_cents: Mapped[int | None] = mapped_column(Cents)

    sheet: Mapped[TariffSheet] = relationship(back_populates="tariffs")
    product: Mapped[Product] = relationship()

    __table_args__ = (sa.UniqueConstraint("sheet_id", "product_id"),)


class LumpSum(Model):
    """A municipality's lump-sum budget in its base year, indexed like the tariffs (seed 000)."""

    __tablename__ = "lump_sum"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("contracting_authority.id"))
    base_year: Mapped[int]
    base_cents: Mapped[int] = mapped_column(Cents)

    authority: Mapped[ContractingAuthority] = relationship()

    __table_args__ = (sa.UniqueConstraint("das_id", "authority_id"),)
