"""Reporting KPI figures: a provider's report (typed or from a spreadsheet), checked against
its definition, and the rows a contract manager exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from portal.domain import contract_management as rules
from portal.domain import money
from portal.extensions import db
from portal.models import (
    FrameworkAgreement,
    KpiDefinition,
    KpiValue,
    Role,
    User,
)
from portal.services import Problem, RowError, ServiceError, rows_changed, transaction
from portal.services.audit import record
from portal.services.kpis.definitions import definitions_of
from portal.services.ownership import (
    require_contract_manager,
    require_provider_of,
)


@dataclass(frozen=True)
class Figure:
    definition: KpiDefinition
    period_start: date
    value: Decimal
    lot_id: int | None = None  # a breakdown row; None for the provider's total
    authority_id: int | None = None


def check_figure(
    agreement: FrameworkAgreement,
    definition: KpiDefinition,
    period_start: date,
    value: Decimal,
    today: date,
) -> Problem | None:
    """What is wrong with one figure, or None."""
    kpi = definition.name
    if not Decimal(value).is_finite() or abs(value) >= money.MAX_FIGURE:
        return Problem("figure_not_storable", kpi=kpi)
    if definition.min_value is not None and value < definition.min_value:
        return Problem("figure_below_minimum", kpi=kpi, minimum=Decimal(definition.min_value))
    if definition.max_value is not None and value > definition.max_value:
        return Problem("figure_above_maximum", kpi=kpi, maximum=Decimal(definition.max_value))
    if rules.next_period(period_start, definition.period.value) > today:
        return Problem(
            "period_not_over",
            kpi=kpi,
            period=rules.period_label(period_start, definition.period.value),
        )
    if rules.next_period(period_start, definition.period.value) <= agreement.start_date:
        return Problem("agreement_not_yet_running", kpi=kpi)
    return None


def _same_breakdown(
    lot_id: int | None, authority_id: int | None
) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    return (
        KpiValue.lot_id.is_(None) if lot_id is None else KpiValue.lot_id == lot_id,
        KpiValue.authority_id.is_(None)
        if authority_id is None
        else KpiValue.authority_id == authority_id,
    )


def current_value(
    agreement_id: int,
    definition_id: int,
    period_start: date,
    lot_id: int | None = None,
    authority_id: int | None = None,
) -> KpiValue | None:
    return db.session.scalar(
        db.select(KpiValue).where(
            KpiValue.agreement_id == agreement_id,
            KpiValue.definition_id == definition_id,
            KpiValue.period_start == period_start,
            *_same_breakdown(lot_id, authority_id),
            KpiValue.is_current.is_(True),
        )
    )


@transaction
def report(
    user: User,
    agreement: FrameworkAgreement,
    figures: list[Figure],
    reason: str,
    today: date,
    now: datetime,
) -> None:
    """Store figures; all or nothing. A figure for a period already reported is a correction
    and needs a reason (the earlier value stays in the history). Staff may only correct, with a
    reason."""
    if user.role is Role.PROVIDER:
        require_provider_of(user, agreement.organisation_id)
    else:
        require_contract_manager(user, agreement.das_id)
    problems = [
        p
        for f in figures
        if (p := check_figure(agreement, f.definition, f.period_start, f.value, today))
    ]
    if problems:
        raise ServiceError("figures_refused", problems=problems)
    keys = [(f.definition.id, f.period_start, f.lot_id, f.authority_id) for f in figures]
    if len(keys) != len(set(keys)):
        raise ServiceError("duplicate_figure")
    # Two reports for one agreement take turns: the second waits for the first to commit and
    # then finds its figures current (a row lock on PostgreSQL; SQLite has one writer at a time,
    # taken by the first UPDATE below). Without it both could leave a current row, which the
    # unique indexes on current figures would refuse.
    db.session.execute(
        db.select(FrameworkAgreement.id)
        .where(FrameworkAgreement.id == agreement.id)
        .with_for_update()
    )
    # A figure whose key already had a current one is a correction: the earlier row stops
    # counting. The UPDATE's row count says so, read under the lock, so no race hides one.
    corrections = [
        f
        for f in figures
        if rows_changed(
            db.update(KpiValue)
            .where(
                KpiValue.agreement_id == agreement.id,
                KpiValue.definition_id == f.definition.id,
                KpiValue.period_start == f.period_start,
                *_same_breakdown(f.lot_id, f.authority_id),
                KpiValue.is_current.is_(True),
            )
            .values(is_current=False)
            .execution_options(synchronize_session=False)
        )
    ]
    if (corrections or user.role is not Role.PROVIDER) and not reason.strip():
        raise ServiceError("correction_reason_required")
    for figure in figures:
        db.session.add(
            KpiValue(
                agreement_id=agreement.id,
                definition_id=figure.definition.id,
                period_start=figure.period_start,
                lot_id=figure.lot_id,
                authority_id=figure.authority_id,
                value=figure.value,
                reason=reason.strip(),
                reported_at=now,
                reported_by_id=user.id,
                is_current=True,
            )
        )
    record(
        "kpi.reported",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        figures=len(figures),
        corrections=len(corrections),
        reason=reason.strip(),
    )
    db.session.commit()


def parse_rows(
    agreement: FrameworkAgreement, rows: list[list[str]], today: date
) -> tuple[list[Figure], list[RowError]]:
    """Rows of (kpi, periode, waarde) after a header; every wrong row is reported."""
    if not rows:
        return [], [RowError(1, Problem("file_empty"))]
    header = [c.strip().lower() for c in rows[0]]
    try:
        code_col, period_col, value_col = (header.index(n) for n in ("kpi", "periode", "waarde"))
    except ValueError:
        return [], [RowError(1, Problem("kpi_file_columns"))]
    definitions = {d.code: d for d in definitions_of(agreement.das_id)}
    lot_col = header.index("perceel") if "perceel" in header else None
    authority_col = header.index("gemeente") if "gemeente" in header else None
    lots = {al.lot.code.upper(): al.lot_id for al in agreement.lots if al.is_current}
    authorities: dict[str, int] = {}
    for authority in agreement.das.authorities:
        authorities[authority.name.upper()] = authority.id
        if authority.cbs_code:
            authorities[authority.cbs_code.upper()] = authority.id
    figures: list[Figure] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, date, int | None, int | None], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [str(c).strip() for c in row] + [""] * 5
        if not any(cells):
            continue
        definition = definitions.get(cells[code_col].upper())
        if definition is None:
            errors.append(RowError(number, Problem("unknown_kpi", kpi_code=cells[code_col])))
            continue
        try:
            start = rules.parse_period(cells[period_col], definition.period.value)
        except ValueError:
            errors.append(
                RowError(
                    number,
                    Problem("period_does_not_fit", period=cells[period_col], kpi=definition.name),
                )
            )
            continue
        try:
            value = money.parse_figure(cells[value_col])
        except money.AmountTooLarge:
            errors.append(RowError(number, Problem("figure_not_storable", kpi=definition.name)))
            continue
        except money.NotAnAmount:
            errors.append(RowError(number, Problem("not_a_number", text=cells[value_col])))
            continue
        lot_id = authority_id = None
        if lot_col is not None and cells[lot_col]:
            lot_id = lots.get(cells[lot_col].upper())
            if lot_id is None:
                errors.append(RowError(number, Problem("lot_not_in_agreement", lot=cells[lot_col])))
                continue
        if authority_col is not None and cells[authority_col]:
            authority_id = authorities.get(cells[authority_col].upper())
            if authority_id is None:
                errors.append(
                    RowError(
                        number, Problem("authority_not_in_das", authority=cells[authority_col])
                    )
                )
                continue
        key = (definition.id, start, lot_id, authority_id)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    Problem(
                        "figure_repeated",
                        kpi=definition.name,
                        period=cells[period_col],
                        row=seen[key],
                    ),
                )
            )
            continue
        seen[key] = number
        if problem := check_figure(agreement, definition, start, value, today):
            errors.append(RowError(number, problem))
            continue
        figures.append(Figure(definition, start, value, lot_id, authority_id))
    return figures, errors


@dataclass(frozen=True)
class YearCell:
    """One period of one KPI in a provider's form for a year."""

    period_start: date
    quarters: int  # how many quarter columns the period covers: 1, 2 (half year) or 4 (year)
    open: bool  # reportable now: the period has ended and the agreement ran in it
    current: Decimal | None  # the figure that counts, if any
    ended: bool  # not open though ended: the agreement did not run yet


@dataclass(frozen=True)
class YearRow:
    definition: KpiDefinition
    cells: list[YearCell]


def _reportable(agreement: FrameworkAgreement, start: date, period: str, today: date) -> bool:
    """The timing rules of `check_figure`: the period has ended, and the agreement ran in it."""
    end = rules.next_period(start, period)
    return end <= today and end > agreement.start_date


def report_years(agreement: FrameworkAgreement, today: date) -> list[int]:
    """The years a provider can report figures for, the latest first: from the agreement's
    start to the year of the last quarter that has ended."""
    ended = rules.completed_periods(agreement.start_date, today, "quarter")
    if not ended:
        return []
    return list(range(ended[-1].year, agreement.start_date.year - 1, -1))


def year_sheet(agreement: FrameworkAgreement, year: int, today: date) -> list[YearRow]:
    """Every KPI's periods in a year with the figures that count: the provider's form for a
    year (quarters, half years and the year side by side). Two queries."""
    current = {
        (v.definition_id, v.period_start): Decimal(v.value)
        for v in db.session.scalars(
            db.select(KpiValue).where(
                KpiValue.agreement_id == agreement.id,
                KpiValue.period_start >= date(year, 1, 1),
                KpiValue.period_start < date(year + 1, 1, 1),
                KpiValue.is_current.is_(True),
                KpiValue.lot_id.is_(None),
                KpiValue.authority_id.is_(None),
            )
        )
    }
    rows = []
    for definition in definitions_of(agreement.das_id):
        period = definition.period.value
        months = rules.PERIOD_MONTHS[period]
        cells = [
            YearCell(
                start,
                months // 3,
                _reportable(agreement, start, period, today),
                current.get((definition.id, start)),
                rules.next_period(start, period) <= today,
            )
            for start in (date(year, month, 1) for month in range(1, 13, months))
        ]
        rows.append(YearRow(definition, cells))
    return rows


def values_of(agreement: FrameworkAgreement) -> list[KpiValue]:
    """Every reported row, corrections and breakdowns included, for the export."""
    return list(
        db.session.scalars(
            db.select(KpiValue)
            .where(KpiValue.agreement_id == agreement.id)
            .order_by(KpiValue.period_start, KpiValue.definition_id, KpiValue.id)
        )
    )
