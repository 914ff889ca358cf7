"""The waiting-time and capacity register (issue 23): what each admitted provider reports, per lot
(or one product of it) and per municipality or subregion it serves, about how long a young person
waits until intake and until treatment, and whether it takes new clients."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Timestamp, one_current, utcnow

if TYPE_CHECKING:
    from portal.models.api import ApiToken
    from portal.models.catalogue import ContractingAuthority, Lot, Product
    from portal.models.contracts import FrameworkAgreement
    from portal.models.users import User


# At most one current entry per agreement and lot, for each breakdown (one_current).
_ENTRY_KEY = ("agreement_id", "lot_id")


class WaitingTime(Model):
    """One report of a waiting time. An update, or a confirmation that nothing changed, adds a
    row, so the history shows how waiting times moved; the latest row per key is `is_current`
    (the only change ever made to a row)."""

    __tablename__ = "waiting_time"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lot.id"))
    # One product of the lot, or None for the whole lot.
    product_id: Mapped[int | None] = mapped_column(sa.ForeignKey("product.id"))
    # A municipality or subregion the provider serves, or None for every municipality of the DAS.
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contracting_authority.id"))
    weeks_to_intake: Mapped[int]
    weeks_to_treatment: Mapped[int]
    accepts_new_clients: Mapped[bool]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # True when the provider confirmed the previous entry unchanged (the monthly reminder).
    confirmed_unchanged: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    reported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    # Reported by the provider's software with an API token (None: through the pages).
    api_token_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_token.id"))
    is_current: Mapped[bool] = mapped_column(default=True, server_default=sa.false())

    agreement: Mapped[FrameworkAgreement] = relationship()
    lot: Mapped[Lot] = relationship()
    product: Mapped[Product | None] = relationship()
    authority: Mapped[ContractingAuthority | None] = relationship()
    reported_by: Mapped[User] = relationship()
    api_token: Mapped[ApiToken | None] = relationship()

    __table_args__ = (
        sa.Index("ix_waiting_time_key", "agreement_id", "lot_id", "reported_at"),
        # The public search reads only current entries, by lot.
        sa.Index(
            "ix_waiting_time_current_lot",
            "lot_id",
            "weeks_to_intake",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        ),
        one_current(
            "uq_waiting_time_current_lot",
            *_ENTRY_KEY,
            condition="product_id IS NULL AND authority_id IS NULL",
        ),
        one_current(
            "uq_waiting_time_current_product",
            *_ENTRY_KEY,
            "product_id",
            condition="product_id IS NOT NULL AND authority_id IS NULL",
        ),
        one_current(
            "uq_waiting_time_current_authority",
            *_ENTRY_KEY,
            "authority_id",
            condition="product_id IS NULL AND authority_id IS NOT NULL",
        ),
        one_current(
            "uq_waiting_time_current_both",
            *_ENTRY_KEY,
            "product_id",
            "authority_id",
            condition="product_id IS NOT NULL AND authority_id IS NOT NULL",
        ),
        sa.CheckConstraint(
            "weeks_to_intake >= 0 AND weeks_to_treatment >= weeks_to_intake",
            name="weeks_in_order",
        ),
    )


class WaitingTimeReminder(Model):
    """The monthly reminder to confirm or update the register, one per agreement per month (so a
    job run twice in a month mails once)."""

    __tablename__ = "waiting_time_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"))
    month: Mapped[str] = mapped_column(sa.String(7))  # "2026-11"
    sent_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("agreement_id", "month"),)
