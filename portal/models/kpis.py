"""Contract management: KPI definitions and reported values, contract talks, SROI reports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.contract_management import ReportKind, TalkStatus
from portal.extensions import Model
from portal.models._base import Cents, Timestamp, one_current, str_enum, utcnow

if TYPE_CHECKING:
    from portal.models.contracts import FrameworkAgreement
    from portal.models.users import User

FIGURE = sa.Numeric(14, 2)


class ReportingPeriod(enum.StrEnum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class KpiDefinition(Model):
    __tablename__ = "kpi_definition"

    id: Mapped[int] = mapped_column(primary_key=True)
    das_id: Mapped[int] = mapped_column(sa.ForeignKey("das.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(200))
    unit: Mapped[str] = mapped_column(sa.String(40))
    higher_is_better: Mapped[bool]
    target: Mapped[Decimal] = mapped_column(FIGURE)
    threshold: Mapped[Decimal] = mapped_column(FIGURE)
    period: Mapped[ReportingPeriod] = mapped_column(str_enum(ReportingPeriod))
    min_value: Mapped[Decimal | None] = mapped_column(FIGURE)
    max_value: Mapped[Decimal | None] = mapped_column(FIGURE)
    position: Mapped[int] = mapped_column(default=0)
    # Beside the national outcome set, a region asks figures of its own (seed 002: the number of
    # gezinshuizen, target 20; foster care).
    region_specific: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The target of a count such as the gezinshuizen is the region's (seed 002 "Streefcijfer 2022
    # = 20"): compared with the sum over the providers, not with each provider's figure.
    target_for_region: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __table_args__ = (sa.UniqueConstraint("das_id", "code"),)


# At most one current figure per agreement, KPI and period, for each breakdown (one_current).
_FIGURE_KEY = ("agreement_id", "definition_id", "period_start")


class KpiValue(Model):
    """A reported figure. A correction adds a row, so the history keeps the earlier value; the
    latest row per agreement, KPI, period and breakdown counts and is marked `is_current` (the
    only change ever made to a row), so the dashboards read the figures that count without
    searching each key's latest row."""

    __tablename__ = "kpi_value"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"))
    definition_id: Mapped[int] = mapped_column(sa.ForeignKey("kpi_definition.id"))
    period_start: Mapped[date]
    # Optional breakdown of a figure (turnover, clients) per lot and per municipality; rows
    # without them are the provider's totals.
    lot_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lot.id"))
    authority_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contracting_authority.id"))
    value: Mapped[Decimal] = mapped_column(FIGURE)
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why a figure was corrected
    reported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    is_current: Mapped[bool] = mapped_column(default=True, server_default=sa.false())

    definition: Mapped[KpiDefinition] = relationship()
    reported_by: Mapped[User] = relationship()

    __table_args__ = (
        sa.Index("ix_kpi_value_key", "agreement_id", "definition_id", "period_start"),
        # The DAS overview sums one KPI over every agreement: without this index, a scan of every value.
        sa.Index("ix_kpi_value_definition", "definition_id", "period_start"),
        # ... and reads only the figures that count.
        sa.Index(
            "ix_kpi_value_current",
            "definition_id",
            "period_start",
            sqlite_where=sa.text("is_current"),
            postgresql_where=sa.text("is_current"),
        ),
        one_current(
            "uq_kpi_value_current_total",
            *_FIGURE_KEY,
            condition="lot_id IS NULL AND authority_id IS NULL",
        ),
        one_current(
            "uq_kpi_value_current_lot",
            *_FIGURE_KEY,
            "lot_id",
            condition="lot_id IS NOT NULL AND authority_id IS NULL",
        ),
        one_current(
            "uq_kpi_value_current_authority",
            *_FIGURE_KEY,
            "authority_id",
            condition="lot_id IS NULL AND authority_id IS NOT NULL",
        ),
        one_current(
            "uq_kpi_value_current_both",
            *_FIGURE_KEY,
            "lot_id",
            "authority_id",
            condition="lot_id IS NOT NULL AND authority_id IS NOT NULL",
        ),
    )


class TalkKind(enum.StrEnum):
    ACCOUNT = "account"  # account/contract talk with one provider (seed 003 §2.4)
    DEVELOPMENT = "development"  # development talk, possibly with several providers


class ContractTalk(Model):
    __tablename__ = "contract_talk"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"), index=True)
    kind: Mapped[TalkKind] = mapped_column(str_enum(TalkKind))
    # Planned talks have a date in the future; a talk is held once its report is entered. Its
    # date is the planned date until then, the date it was held after.
    status: Mapped[TalkStatus] = mapped_column(
        str_enum(TalkStatus), default=TalkStatus.HELD, server_default=TalkStatus.HELD.value
    )
    held_on: Mapped[date]
    participants: Mapped[str] = mapped_column(sa.Text)
    agreements_made: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    # What the talk is about: for a planned talk the proposal (seed 003 §2.4: contract managers
    # propose the contract talks, policy staff the development talks).
    topic: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    # The agreement the talk was logged on (a group talk: its first provider's); the providers
    # invited are `providers`, one row each, with the outcome for that provider.
    agreement: Mapped[FrameworkAgreement] = relationship()
    actions: Mapped[list[TalkAction]] = relationship(
        back_populates="talk", order_by="TalkAction.due_on", cascade="all, delete-orphan"
    )
    providers: Mapped[list[TalkParticipant]] = relationship(
        back_populates="talk", order_by="TalkParticipant.id", cascade="all, delete-orphan"
    )


class TalkParticipant(Model):
    """A provider invited to a talk (seed 003 §2.4: development talks may be held with several
    providers at once), with what the talk concluded for that provider once it was held."""

    __tablename__ = "talk_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(sa.ForeignKey("contract_talk.id"))
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"), index=True)
    outcome: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    talk: Mapped[ContractTalk] = relationship(back_populates="providers")
    agreement: Mapped[FrameworkAgreement] = relationship()

    __table_args__ = (sa.UniqueConstraint("talk_id", "agreement_id"),)


class TalkAction(Model):
    __tablename__ = "talk_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    talk_id: Mapped[int] = mapped_column(sa.ForeignKey("contract_talk.id"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str] = mapped_column(sa.String(200))
    due_on: Mapped[date]
    done_on: Mapped[date | None]

    talk: Mapped[ContractTalk] = relationship(back_populates="actions")


class TalkSelection(Model):
    """A provider the contract managers selected for contract talks in a year (seed 003 §2.4:
    the providers that matter most, by clients and/or turnover), with the reason. Per agreement,
    so per DAS; unselecting deletes the row (the audit trail keeps both acts)."""

    __tablename__ = "talk_selection"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"))
    year: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text)
    selected_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    selected_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)

    agreement: Mapped[FrameworkAgreement] = relationship()

    __table_args__ = (sa.UniqueConstraint("agreement_id", "year"),)


class ReminderReason(enum.StrEnum):
    DUE_SOON = "due_soon"  # the daily job, a week before the due date
    LATE = "late"  # the daily job, the day after the due date
    MANUAL = "manual"  # a contract manager from the late-reports list


class ReportReminder(Model):
    """One reminder to a provider about one report: a KPI's figure for a period, or a year's
    social return (then no KPI, and the period is 1 January of the year). One row per reminder,
    however many of the provider's people were mailed. At most one per report, reason and day:
    a double click or a job run twice mails once."""

    __tablename__ = "report_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"), index=True)
    report: Mapped[ReportKind] = mapped_column(str_enum(ReportKind))
    definition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kpi_definition.id"))
    period_start: Mapped[date]
    reason: Mapped[ReminderReason] = mapped_column(str_enum(ReminderReason))
    sent_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    __table_args__ = (
        # Partial indexes, since a KPI's NULL would make two SROI rows distinct.
        sa.Index(
            "uq_report_reminder_kpi",
            "agreement_id",
            "definition_id",
            "period_start",
            "reason",
            "sent_on",
            unique=True,
            sqlite_where=sa.text("definition_id IS NOT NULL"),
            postgresql_where=sa.text("definition_id IS NOT NULL"),
        ),
        sa.Index(
            "uq_report_reminder_sroi",
            "agreement_id",
            "period_start",
            "reason",
            "sent_on",
            unique=True,
            sqlite_where=sa.text("definition_id IS NULL"),
            postgresql_where=sa.text("definition_id IS NULL"),
        ),
    )


class SroiReport(Model):
    """What a provider did for social return in a year (seed 003 §4.4)."""

    __tablename__ = "sroi_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_agreement.id"), index=True)
    year: Mapped[int]
    activity: Mapped[str] = mapped_column(sa.Text)
    amount_cents: Mapped[int] = mapped_column(Cents)
    pso_level: Mapped[str] = mapped_column(sa.String(40), default="")
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("evidence_document.id"))
    reported_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
