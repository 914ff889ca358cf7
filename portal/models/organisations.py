"""Provider organisations."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Timestamp, str_enum, utcnow

if TYPE_CHECKING:
    from portal.models.users import User


class SizeClass(enum.StrEnum):
    """Company size by number of employees (CBS classes, seed 003 §3.3 footnote 2)."""

    MICRO = "micro"  # 1-9
    SMALL = "small"  # 10-49
    MEDIUM = "medium"  # 50-249
    LARGE = "large"  # 250 or more


class Organisation(Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    legal_name: Mapped[str] = mapped_column(sa.String(200))
    trade_name: Mapped[str | None] = mapped_column(sa.String(200))
    kvk_number: Mapped[str] = mapped_column(sa.String(8), unique=True)
    branch_number: Mapped[str | None] = mapped_column(sa.String(12))
    agb_code: Mapped[str | None] = mapped_column(sa.String(8))
    vat_number: Mapped[str | None] = mapped_column(sa.String(14))
    iban: Mapped[str | None] = mapped_column(sa.String(34))
    street_address: Mapped[str | None] = mapped_column(sa.String(200))
    postcode: Mapped[str | None] = mapped_column(sa.String(7))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    size_class: Mapped[SizeClass] = mapped_column(str_enum(SizeClass))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    signatory_name: Mapped[str | None] = mapped_column(sa.String(200))
    signatory_role: Mapped[str | None] = mapped_column(sa.String(200))
    # Set by the organisation's administrator: every colleague logs in with a second step.
    requires_two_factor: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow, onupdate=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def display_name(self) -> str:
        return self.trade_name or self.legal_name
