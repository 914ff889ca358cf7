"""Framework agreements (raamovereenkomsten)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import Model
from portal.models._base import Timestamp, str_enum, utcnow
from portal.models.catalogue import Das, Lot

if TYPE_CHECKING:
    from portal.models.organisations import Organisation


class AgreementState(enum.StrEnum):
    AWAITING_SIGNATURE = "awaiting_signature"
    LIVE = "live"
    SUSPENDED = "suspended"
    ENDED = "ended"


class FrameworkAgreement(Model):
    """One agreement per provider per DAS; more lots later become variations of it."""

    __tablename__ = "framework_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(30), unique=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    state: Mapped[AgreementState] = mapped_column(str_enum(AgreementState), index=True)
    start_date: Mapped[date] = mapped_column(index=True)  # the register's order
    end_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # Signing: the provider's authorised signatory first, then an administrator countersigns.
    provider_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    provider_signed_name: Mapped[str] = mapped_column(sa.String(200), default="")
    provider_signed_role: Mapped[str] = mapped_column(sa.String(200), default="")
    provider_signed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    provider_signed_ip: Mapped[str] = mapped_column(sa.String(45), default="")
    authority_signed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    authority_signed_name: Mapped[str] = mapped_column(sa.String(200), default="")
    authority_signed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    authority_signed_ip: Mapped[str] = mapped_column(sa.String(45), default="")
    # The agreement as drawn up, and as signed; the hashes are checked on every download.
    document_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    signed_document_sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    # A job is rendering the PDF as drawn up or as signed (services/agreements.py); the hash
    # above is filled when it is done.
    document_pending: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(Timestamp)
    state_reason: Mapped[str] = mapped_column(sa.Text, default="")
    state_changed_on: Mapped[date | None]
    version_id: Mapped[int] = mapped_column(default=1)

    das: Mapped[Das] = relationship()
    organisation: Mapped[Organisation] = relationship()
    lots: Mapped[list[AgreementLot]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (sa.UniqueConstraint("das_id", "organisation_id"),)


class VariationKind(enum.StrEnum):
    LOTS_ADDED = "lots_added"  # an admission for more lots
    TARIFFS = "tariffs"  # a published tariff sheet
    END_DATE = "end_date"  # an extension option exercised
    TERMS = "terms"  # the DAS's terms revised: SROI rule, client allocation, privacy text
    LUMP_SUM = "lump_sum"  # a lump-sum ceiling agreed, indexed or revised


class AgreementVariation(Model):
    """A change to a running agreement that the provider sees and accepts."""

    __tablename__ = "agreement_variation"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"), index=True)
    kind: Mapped[VariationKind] = mapped_column(str_enum(VariationKind))
    description: Mapped[str] = mapped_column(sa.Text)
    effective_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    agreement: Mapped[FrameworkAgreement] = relationship()


class EndDateChange(Model):
    """A move of an end date: of the DAS (an option exercised) and of each agreement with it."""

    __tablename__ = "end_date_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("framework_agreement.id"), index=True
    )
    old_end: Mapped[date]
    new_end: Mapped[date]
    decided_on: Mapped[date]
    option_number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))


class AgreementLot(Model):
    __tablename__ = "agreement_lot"

    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("framework_agreement.id"), primary_key=True
    )
    # Indexed on its own too: the register filters by lot (the key leads with the agreement).
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lot.id"), primary_key=True, index=True)
    admitted_on: Mapped[date]
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("application.id"))
    # The admission for this lot ended (e.g. an updated declaration was rejected).
    ended_on: Mapped[date | None]
    end_reason: Mapped[str] = mapped_column(sa.Text, default="")

    @property
    def is_current(self) -> bool:
        return self.ended_on is None

    agreement: Mapped[FrameworkAgreement] = relationship(back_populates="lots")
    lot: Mapped[Lot] = relationship()
