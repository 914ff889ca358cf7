"""The contract register and the official report (proces-verbaal) of a DAS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from portal.domain import working_days
from portal.extensions import db
from portal.infra import spreadsheets
from portal.infra.timeutil import AMSTERDAM, local_date
from portal.models import (
    AgreementLot,
    AgreementState,
    Application,
    ApplicationState,
    Clarification,
    Das,
    EndDateChange,
    FrameworkAgreement,
)
from portal.services import calendar


@dataclass(frozen=True)
class RegisterFilters:
    das_ids: list[int] | None = None  # None: every DAS
    das_id: int | None = None
    lot_id: int | None = None
    state: AgreementState | None = None
    ends_before: date | None = None


def register_query(filters: RegisterFilters) -> sa.Select[tuple[FrameworkAgreement]]:
    query = db.select(FrameworkAgreement)
    if filters.das_ids is not None:
        query = query.where(FrameworkAgreement.das_id.in_(filters.das_ids))
    if filters.das_id:
        query = query.where(FrameworkAgreement.das_id == filters.das_id)
    if filters.state:
        query = query.where(FrameworkAgreement.state == filters.state)
    if filters.ends_before:
        query = query.where(FrameworkAgreement.end_date <= filters.ends_before)
    if filters.lot_id:
        query = query.where(
            FrameworkAgreement.id.in_(
                db.select(AgreementLot.agreement_id).where(
                    AgreementLot.lot_id == filters.lot_id, AgreementLot.ended_on.is_(None)
                )
            )
        )
    return query


def register_page(
    filters: RegisterFilters, page: int, per_page: int
) -> tuple[list[FrameworkAgreement], int]:
    query = register_query(filters)
    total = db.session.scalar(query.with_only_columns(db.func.count()).order_by(None)) or 0
    rows = db.session.scalars(
        query.options(
            joinedload(FrameworkAgreement.organisation),
            joinedload(FrameworkAgreement.das),
            selectinload(FrameworkAgreement.lots).joinedload(AgreementLot.lot),
        )
        .order_by(FrameworkAgreement.start_date.desc(), FrameworkAgreement.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total


EXPORT_HEADER = [
    "kenmerk",
    "aanbieder",
    "kvk",
    "aankoopsysteem",
    "percelen",
    "ingangsdatum",
    "einddatum",
    "status",
]


def _export_rows(filters: RegisterFilters) -> list[list[object]]:
    agreements = db.session.scalars(
        register_query(filters)
        .options(
            joinedload(FrameworkAgreement.organisation),
            joinedload(FrameworkAgreement.das),
            selectinload(FrameworkAgreement.lots).joinedload(AgreementLot.lot),
        )
        .order_by(FrameworkAgreement.das_id, FrameworkAgreement.reference)
    )
    return [
        [
            a.reference,
            a.organisation.legal_name,
            a.organisation.kvk_number,
            a.das.name,
            " ".join(al.lot.code for al in a.lots if al.is_current),
            a.start_date,
            a.end_date,
            a.state.value,
        ]
        for a in agreements
    ]


def register_csv(filters: RegisterFilters) -> bytes:
    return spreadsheets.csv_bytes([EXPORT_HEADER, *_export_rows(filters)])


def register_xlsx(filters: RegisterFilters) -> bytes:
    builder = spreadsheets.XlsxBuilder()
    builder.sheet("Contractregister")
    builder.row(EXPORT_HEADER, bold=True)
    for row in _export_rows(filters):
        builder.row(row, number_formats={6: "dd-mm-yyyy", 7: "dd-mm-yyyy"})
    return builder.getvalue()


@dataclass
class ReportLine:
    application: Application
    received_on: date
    decided_on: date | None
    working_days_used: int | None
    on_time: bool | None
    clarifications: int


@dataclass
class OfficialReport:
    das: Das
    start: date
    end: date
    lines: list[ReportLine] = field(default_factory=list)
    options: list[EndDateChange] = field(default_factory=list)

    @property
    def decided(self) -> list[ReportLine]:
        return [line for line in self.lines if line.decided_on is not None]


def official_report(das: Das, start: date, end: date) -> OfficialReport:
    """Applications received in [start, end]: decisions per lot with reasons, assessment time
    against the deadline, extensions; and the options exercised in that period."""
    first = datetime.combine(start, time.min, AMSTERDAM)
    last = datetime.combine(end + timedelta(days=1), time.min, AMSTERDAM)
    applications = db.session.scalars(
        db.select(Application)
        .where(
            Application.das_id == das.id,
            Application.received_at >= first,
            Application.received_at < last,
        )
        .options(joinedload(Application.organisation), selectinload(Application.lots))
        .order_by(Application.received_at)
    ).all()
    clarification_counts = dict(
        db.session.execute(
            db.select(Clarification.application_id, db.func.count())
            .where(Clarification.application_id.in_([a.id for a in applications]))
            .group_by(Clarification.application_id)
        )
        .tuples()
        .all()
    )
    holidays = calendar.holidays_between(start, end + timedelta(days=120))
    report = OfficialReport(das, start, end)
    for application in applications:
        assert application.received_at is not None
        received_on = local_date(application.received_at)
        decided_on = (
            local_date(application.decided_at)
            if application.state is ApplicationState.DECIDED and application.decided_at
            else None
        )
        used = (
            working_days.working_days_between(received_on, decided_on, holidays)
            if decided_on
            else None
        )
        on_time = (
            decided_on <= application.review_deadline
            if decided_on and application.review_deadline
            else None
        )
        report.lines.append(
            ReportLine(
                application,
                received_on,
                decided_on,
                used,
                on_time,
                clarification_counts.get(application.id, 0),
            )
        )
    report.options = list(
        db.session.scalars(
            db.select(EndDateChange).where(
                EndDateChange.das_id == das.id,
                EndDateChange.agreement_id.is_(None),
                EndDateChange.decided_on.between(start, end),
            )
        )
    )
    return report
