"""Late reports: the KPI figures and social-return reports of a DAS's providers that are past
their due date, with the reminders sent about each, and a reminder sent by hand. Rules (due
dates, lateness): portal.domain.contract_management.

The list is computed, not stored: which periods are due follows from each agreement's start, the
KPIs and today. A fixed number of queries however many agreements and periods (the page's budget
is 15): the agreements, the KPIs, the reported periods, the reported SROI years, the turnover per
year, the DAS's SROI rule with its revisions, the reminders and the holidays, each one query;
sorted and paged in Python. A year's social return is owed under the rule of that year, measured
on the turnover of the year before or of the rule's fixed reference year (portal.domain.das_terms).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from portal.domain import contract_management as rules
from portal.domain import money, working_days
from portal.extensions import db
from portal.models import (
    AgreementState,
    Das,
    FrameworkAgreement,
    KpiDefinition,
    KpiValue,
    ReminderReason,
    ReportReminder,
    SroiReport,
    User,
)
from portal.services import ServiceError, transaction
from portal.services.audit import record
from portal.services.calendar import holidays_between
from portal.services.kpis.definitions import TURNOVER, definitions_of
from portal.services.kpis.figures import TOTALS
from portal.services.kpis.sroi import SroiRules, sroi_rules_of
from portal.services.kpis.sroi_turnover import entered_per_year
from portal.services.ownership import require_contract_manager
from portal.services.paging import Page, page_of
from portal.services.recipients import provider_recipients

# Reports are owed while an agreement runs or is paused; one awaiting signature has not started,
# an ended one is settled by the contract manager outside this list.
OWING_STATES = (AgreementState.LIVE, AgreementState.SUSPENDED)


@dataclass
class LateReport:
    agreement: FrameworkAgreement
    report: rules.ReportKind
    definition: KpiDefinition | None  # None for social return
    period_start: date  # for social return: 1 January of the year
    due_on: date
    working_days_late: int
    reminders: list[tuple[date, ReminderReason]] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        if self.definition is None:
            return str(self.period_start.year)
        return rules.period_label(self.period_start, self.definition.period.value)


def _reported_periods(das_id: int) -> dict[tuple[int, int], set[date]]:
    """Per agreement and KPI the periods with a figure."""
    found: dict[tuple[int, int], set[date]] = defaultdict(set)
    for agreement_id, definition_id, start in db.session.execute(
        db.select(KpiValue.agreement_id, KpiValue.definition_id, KpiValue.period_start)
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(KpiDefinition.das_id == das_id, *TOTALS)
        .distinct()
    ).tuples():
        found[(agreement_id, definition_id)].add(start)
    return found


def _turnover_per_year(das_id: int) -> dict[tuple[int, int], Decimal]:
    """Per agreement and year the reported turnover (the current figure per period, summed)."""
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for agreement_id, start, value in db.session.execute(
        db.select(KpiValue.agreement_id, KpiValue.period_start, KpiValue.value)
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(
            KpiDefinition.das_id == das_id,
            KpiDefinition.code == TURNOVER,
            KpiValue.is_current.is_(True),
            *TOTALS,
        )
    ).tuples():
        totals[(agreement_id, start.year)] += Decimal(value)
    return totals


def _obligation(
    agreement_id: int, year: int, sroi_rules: SroiRules, turnover: dict[tuple[int, int], Decimal]
) -> int | None:
    """The social return owed for `year` under that year's rule, in cents (None: not owed)."""
    rule = sroi_rules.for_year(year)
    measured = turnover.get((agreement_id, rule.measured_year(year)), Decimal(0))
    return rules.sroi_obligation(money.cents_of(measured), rule.threshold_cents, rule.percent)


def late_reports(
    das: Das,
    today: date,
    due_days: int,
    report: rules.ReportKind | None = None,
    agreement_id: int | None = None,
) -> list[LateReport]:
    """Every report of the DAS's running agreements that is late today, the latest first (most
    working days late), then by provider. `report` keeps one kind only, `agreement_id` one
    agreement."""
    query = (
        db.select(FrameworkAgreement)
        .options(joinedload(FrameworkAgreement.organisation))
        .where(FrameworkAgreement.das_id == das.id, FrameworkAgreement.state.in_(OWING_STATES))
    )
    if agreement_id is not None:
        query = query.where(FrameworkAgreement.id == agreement_id)
    agreements = list(db.session.scalars(query))
    if not agreements:
        return []
    found: list[LateReport] = []
    if report in (None, rules.ReportKind.KPI):
        reported = _reported_periods(das.id)
        definitions = definitions_of(das.id)
        for agreement in agreements:
            for definition in definitions:
                for start, due in rules.late_kpi_periods(
                    agreement.start_date,
                    today,
                    definition.period.value,
                    due_days,
                    reported.get((agreement.id, definition.id), set()),
                ):
                    found.append(
                        LateReport(agreement, rules.ReportKind.KPI, definition, start, due, 0)
                    )
    if report in (None, rules.ReportKind.SROI):
        ids = [a.id for a in agreements]
        sroi_years: dict[int, set[int]] = defaultdict(set)
        for agreement_id, year in db.session.execute(
            db.select(SroiReport.agreement_id, SroiReport.year)
            .where(SroiReport.agreement_id.in_(ids))
            .distinct()
        ).tuples():
            sroi_years[agreement_id].add(year)
        # The municipalities' reference turnover where entered, else the provider's (issue 21).
        turnover = {**_turnover_per_year(das.id), **entered_per_year(das.id)}
        sroi_rules = sroi_rules_of(das)
        for agreement in agreements:
            obliged = {
                year
                for year in range(agreement.start_date.year, today.year)
                if _obligation(agreement.id, year, sroi_rules, turnover) is not None
            }
            for year, due in rules.late_sroi_years(
                agreement.start_date, today, due_days, obliged, sroi_years[agreement.id]
            ):
                found.append(
                    LateReport(agreement, rules.ReportKind.SROI, None, date(year, 1, 1), due, 0)
                )
    if not found:
        return []
    holidays = holidays_between(min(r.due_on for r in found), today)
    reminders: dict[tuple[int, int | None, date], list[tuple[date, ReminderReason]]] = defaultdict(
        list
    )
    for row in db.session.scalars(
        db.select(ReportReminder)
        .where(ReportReminder.agreement_id.in_([a.id for a in agreements]))
        .order_by(ReportReminder.sent_on, ReportReminder.id)
    ):
        reminders[(row.agreement_id, row.definition_id, row.period_start)].append(
            (row.sent_on, row.reason)
        )
    for late in found:
        late.working_days_late = working_days.working_days_between(late.due_on, today, holidays)
        late.reminders = reminders.get(
            (
                late.agreement.id,
                late.definition.id if late.definition else None,
                late.period_start,
            ),
            [],
        )
    found.sort(
        key=lambda r: (
            -r.working_days_late,
            r.agreement.organisation.legal_name,
            r.agreement.id,
            r.report.value,
            r.definition.position if r.definition else 0,
            r.definition.id if r.definition else 0,
        )
    )
    return found


def late_reports_page(
    das: Das,
    today: date,
    due_days: int,
    report: rules.ReportKind | None,
    number: int,
    per_page: int,
) -> Page[LateReport]:
    rows = late_reports(das, today, due_days, report)
    first = (number - 1) * per_page
    return page_of(rows[first : first + per_page], len(rows), number, per_page)


def late_counts(das_id: int, today: date, due_days: int) -> dict[int, int]:
    """Per agreement of the DAS the number of late reports (KPI periods and SROI years)."""
    das = db.session.get(Das, das_id)
    counts: dict[int, int] = defaultdict(int)
    if das is not None:
        for late in late_reports(das, today, due_days):
            counts[late.agreement.id] += 1
    return dict(counts)


@transaction
def remind_now(
    user: User,
    agreement: FrameworkAgreement,
    report: rules.ReportKind,
    definition: KpiDefinition | None,
    period_start: date,
    today: date,
    now: datetime,
    due_days: int,
) -> int:
    """Mail the provider's reporters about one late report now, and record it. Refused when the
    report is not (or no longer) late, or a reminder about it went out by hand today already: the
    second request of a double click finds the first one's row (the unique index decides, also
    when both arrive at once) and mails nobody. Returns the number of mails sent."""
    from portal.infra import mail

    require_contract_manager(user, agreement.das_id)
    if (report is rules.ReportKind.KPI) != (definition is not None):
        raise ServiceError("not_found")
    if definition is not None and definition.das_id != agreement.das_id:
        raise ServiceError("not_found")
    still_late = any(
        r.period_start == period_start
        and (r.definition.id if r.definition else None) == (definition.id if definition else None)
        for r in late_reports(agreement.das, today, due_days, report, agreement.id)
    )
    if not still_late:
        raise ServiceError("report_not_late")
    db.session.add(
        ReportReminder(
            agreement_id=agreement.id,
            report=report,
            definition_id=definition.id if definition else None,
            period_start=period_start,
            reason=ReminderReason.MANUAL,
            sent_on=today,
            sent_at=now,
            sent_by_id=user.id,
        )
    )
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        raise ServiceError("reminder_already_sent") from error
    if definition is not None:
        label = f"{definition.name} {rules.period_label(period_start, definition.period.value)}"
        due = rules.kpi_due_date(period_start, definition.period.value, due_days)
    else:
        label = str(_l("Social return %(year)s", year=period_start.year))
        due = rules.sroi_due_date(period_start.year, due_days)
    record(
        "report.reminded",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        report=report.value,
        period=period_start.isoformat(),
    )
    sent = 0
    for recipient in provider_recipients(agreement.organisation_id, reporters=True):
        mail.queue(
            recipient.email,
            _l("Cijfers melden: %(das)s", das=agreement.das.name),
            "kpi_reminder",
            user=recipient,
            agreement=agreement,
            soon=[],
            late=[(label, due)],
            link=mail.link(
                "supplier.kpi_report" if report is rules.ReportKind.KPI else "supplier.sroi",
                agreement_id=agreement.id,
            ),
        )
        sent += 1
    db.session.commit()
    return sent
