"""Framework agreements (raamovereenkomsten)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models._base import Timestamp, str_enum, utcnow
from portal.models.catalogue import Das, Lot

if TYPE_CHECKING:
    from portal.models.organisations import Organisation


class AgreementState(enum.StrEnum):
    AWAITING_SIGNATURE = "awaiting_signature"
    LIVE = "live"
    SUSPENDED = "suspended"
    ENDED = "ended"


class FrameworkAgreement(db.Model):
    """One agreement per provider per DAS; more lots later become variations of it."""

    __tablename__ = "framework_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(30), unique=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    state: Mapped[AgreementState] = mapped_column(str_enum(AgreementState), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    version_id: Mapped[int] = mapped_column(default=1)

    das: Mapped[Das] = relationship()
    organisation: Mapped[Organisation] = relationship()
    lots: Mapped[list[AgreementLot]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version_id}
    __table_args__ = (sa.UniqueConstraint("das_id", "organisation_id"),)


class AgreementLot(db.Model):
    __tablename__ = "agreement_lot"

    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("framework_agreement.id"), primary_key=True
    )
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lot.id"), primary_key=True)
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
