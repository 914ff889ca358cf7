"""Social return: the reference turnover the contract managers enter per provider and year
(issue 21)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.models._base import Cents, Timestamp, str_enum, utcnow


class TurnoverSource(enum.StrEnum):
    FORM = "form"  # typed by a contract manager
    IMPORT = "import"  # a line of an imported file


class SroiTurnover(Model):
    """A provider's realised turnover with the municipalities of the DAS in a calendar year, as
    the municipalities know it from their own invoices and iJw declarations (seed 003 §4.4,
    DOMAIN.md "SROI reference turnover"). Also for a year before the agreement: the obligation
    of its first year is measured on it. Where it exists it counts for the obligation instead of
    the turnover the provider reported as a KPI. One row per agreement and year; entering it
    again replaces the amount (the audit trail keeps each entry)."""

    __tablename__ = "sroi_turnover"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"))
    year: Mapped[int]
    amount_cents: Mapped[int] = mapped_column(Cents)
    source: Mapped[TurnoverSource] = mapped_column(str_enum(TurnoverSource, length=10))
    entered_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (sa.UniqueConstraint("agreement_id", "year"),)
