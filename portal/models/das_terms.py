"""A DAS's terms over time: an SROI rule the region revised after publication (issue 19)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.models._base import Cents, Timestamp, utcnow


class SroiRuleChange(Model):
    """The SROI rule of a published DAS from `from_year` on (seed 003 §4.4: the region may revise
    it). The DAS's own columns hold the rule as published; a revision applies from the next
    calendar year, so the obligation of a year already under way never changes under a provider.
    The rule for a year is the revision with the latest `from_year` up to it, else the DAS's."""

    __tablename__ = "sroi_rule_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    from_year: Mapped[int]
    threshold_cents: Mapped[int] = mapped_column(Cents)
    percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2))
    reference_year: Mapped[int | None]
    decided_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (sa.UniqueConstraint("das_id", "from_year"),)
