"""The contract register and the official report (proces-verbaal) of a DAS."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from portal.domain import contract_management, working_days
from portal.extensions import db
from portal.infra import spreadsheets
from portal.infra.timeutil import AMSTERDAM, local_date
from portal.models import (
    AgreementLot,
    AgreementState,
    Application,
    ApplicationState,
    AssessmentReport,
    Clarification,
    Das,
    EndDateChange,
    FrameworkAgreement,
    KpiDefinition,
    KpiValue,
)
from portal.models.labels import label
from portal.services import assessment_report, calendar, kpis


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
    # Counted over the query as a subquery: `with_only_columns(count())` drops the FROM when no
    # filter names the agreement table, and counted one row (issue 21).
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
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
    "laatste_kpi_periode",
    "te_late_rapportages",
    "geselecteerd_voor_gesprekken",
    "laatste_gesprek",
    "open_acties",
]
DATE_COLUMNS = (6, 7, 12)  # 1-based, for Excel's date format


def _latest_kpi_periods(agreement_ids: list[int]) -> dict[int, str]:
    """Per agreement the last period it reported a figure for, as 2027-K1 (the period that
    ended last over all its KPIs)."""
    if not agreement_ids:
        return {}
    rows = db.session.execute(
        db.select(KpiValue.agreement_id, KpiDefinition.period, db.func.max(KpiValue.period_start))
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(KpiValue.agreement_id.in_(agreement_ids))
        .group_by(KpiValue.agreement_id, KpiDefinition.period)
    ).tuples()
    latest: dict[int, tuple[date, str]] = {}
    for agreement_id, period, start in rows:
        ends = contract_management.next_period(start, period.value)
        if agreement_id not in latest or ends > latest[agreement_id][0]:
            latest[agreement_id] = (ends, contract_management.period_label(start, period.value))
    return {a: text for a, (_ends, text) in latest.items()}


def _export_rows(filters: RegisterFilters, today: date, due_days: int) -> list[list[object]]:
    """The register with each agreement's state in words (label(), never `live`), and the
    contract manager's columns: the last KPI period reported, how many reports are late, whether
    it is selected for talks this year, the last talk held and the actions still open."""
    agreements = list(
        db.session.scalars(
            register_query(filters)
            .options(
                joinedload(FrameworkAgreement.organisation),
                joinedload(FrameworkAgreement.das),
                selectinload(FrameworkAgreement.lots).joinedload(AgreementLot.lot),
            )
            .order_by(FrameworkAgreement.das_id, FrameworkAgreement.reference)
        )
    )
    ids = [a.id for a in agreements]
    latest = _latest_kpi_periods(ids)
    talks = kpis.talk_summaries(ids, today.year)
    late: dict[int, int] = {}
    for das_id in sorted({a.das_id for a in agreements}):
        late.update(kpis.late_counts(das_id, today, due_days))
    yes, no = _("ja"), _("nee")
    return [
        [
            a.reference,
            a.organisation.legal_name,
            a.organisation.kvk_number,
            a.das.name,
            " ".join(al.lot.code for al in a.lots if al.is_current),
            a.start_date,
            a.end_date,
            label(a.state),
            latest.get(a.id, ""),
            late.get(a.id, 0),
            yes if talks[a.id].selected else no,
            talks[a.id].last_held,
            talks[a.id].open_actions,
        ]
        for a in agreements
    ]


def register_csv(filters: RegisterFilters, today: date, due_days: int) -> bytes:
    return spreadsheets.csv_bytes([EXPORT_HEADER, *_export_rows(filters, today, due_days)])


def register_xlsx(filters: RegisterFilters, today: date, due_days: int) -> bytes:
    builder = spreadsheets.XlsxBuilder()
    builder.sheet("Contractregister")
    builder.row(EXPORT_HEADER, bold=True)
    for row in _export_rows(filters, today, due_days):
        builder.row(row, number_formats={c: "dd-mm-yyyy" for c in DATE_COLUMNS})
    return builder.getvalue()


@dataclass
class ReportLine:
    application: Application
    received_on: date
    decided_on: date | None
    working_days_used: int | None
    on_time: bool | None
    clarifications: int
    # The decided application's assessment report (services/assessment_report.py): its hash is
    # part of the official record.
    assessment_report: AssessmentReport | None = None


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
    assessment_reports = assessment_report.reports_of([a.id for a in applications])
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
                assessment_reports.get(application.id),
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
