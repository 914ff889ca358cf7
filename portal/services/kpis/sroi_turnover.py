"""SROI reference turnover (issue 21): the realised turnover of a provider with the municipalities
of the DAS in a calendar year, as the municipalities know it from their own invoices and iJw
declarations, entered or imported by the contract managers, also for years before the agreement
(seed 003 §4.4: the obligation depends on "de gerealiseerde omzet uit het voorafgaande jaar";
DOMAIN.md "SROI reference turnover"). The obligation of each year follows from the DAS's rule of
that year (portal.services.kpis.sroi.SroiRules) and the turnover of the year it is measured on.

Decisions where the issue is silent:
- an entered turnover counts instead of the turnover the provider reported as a KPI for that
  year: the municipalities' own figures are the reference; without one the reported figure
  counts, as before;
- a turnover may be entered from the year before the term (the first year's obligation is
  measured on it; a fixed reference year lies within the term, portal.domain.das_terms) up to
  the last finished year; earlier or later years are refused. A year before a rule's fixed
  reference year is accepted: a revision may measure on it again;
- an import is all or nothing: one wrong line refuses the file, with every wrong line named.

The import's layout (shown on the import page too): a header row naming the columns `agb_code`,
`kvk_nummer`, `jaar` and `omzet` (any order, case and spacing; one of the two codes may be left
out), then one line per provider and year. A line names its provider by AGB code or KvK number
(when it gives both, they must name the same provider); the amount in euros excl. VAT with a
decimal comma or point ("250000", "250.000,00", "250000.50"). CSV (comma, semicolon or tab) or
Excel.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.domain import contract_management as rules
from portal.domain import das_terms as terms_rules
from portal.domain import money
from portal.extensions import db
from portal.models import (
    Das,
    FrameworkAgreement,
    KpiDefinition,
    KpiValue,
    SroiReport,
    SroiTurnover,
    TurnoverSource,
    User,
)
from portal.services import Problem, RowError, ServiceError, transaction
from portal.services.audit import record
from portal.services.kpis.definitions import TURNOVER
from portal.services.kpis.figures import TOTALS, sum_per_agreement
from portal.services.kpis.sroi import sroi_rules_of
from portal.services.ownership import require_contract_manager

# The header names each column may have (compared lower case, letters only).
COLUMNS = {
    "agb": ("agbcode", "agb"),
    "kvk": ("kvknummer", "kvk"),
    "year": ("jaar",),
    "amount": ("omzet", "bedrag"),
}
EXAMPLE_ROWS = (
    ("agb_code", "kvk_nummer", "jaar", "omzet"),
    ("12345678", "", "2025", "312.500,00"),
    ("", "87654321", "2025", "180000.00"),
)


def turnover_years(das: Das, today: date) -> range:
    """The years whose turnover may be entered: from the year before the term to the last
    finished year (see the module's docstring)."""
    return range(das.term_start.year - 1, today.year)


def _check_year(das: Das, year: int, today: date) -> Problem | None:
    years = turnover_years(das, today)
    if year not in years:
        return Problem(
            "turnover_year_outside",
            year=year,
            first=years.start,
            last=years.stop - 1,
        )
    return None


def _stored(
    agreement_ids: Iterable[int], years: Iterable[int]
) -> dict[tuple[int, int], SroiTurnover]:
    ids, wanted = list(set(agreement_ids)), list(set(years))
    if not ids or not wanted:
        return {}
    return {
        (row.agreement_id, row.year): row
        for row in db.session.scalars(
            db.select(SroiTurnover).where(
                SroiTurnover.agreement_id.in_(ids), SroiTurnover.year.in_(wanted)
            )
        )
    }


def _put(
    stored: dict[tuple[int, int], SroiTurnover],
    agreement_id: int,
    year: int,
    amount_cents: int,
    source: TurnoverSource,
    user: User,
    now: datetime,
) -> tuple[SroiTurnover, int | None]:
    """Store the amount; the row and the amount it replaced (None: new)."""
    row = stored.get((agreement_id, year))
    previous = None if row is None else row.amount_cents
    if row is None:
        row = SroiTurnover(agreement_id=agreement_id, year=year)
        db.session.add(row)
        stored[(agreement_id, year)] = row
    row.amount_cents = amount_cents
    row.source = source
    row.entered_at = now
    row.entered_by_id = user.id
    return row, previous


def _flush() -> None:
    """Two contract managers storing the same provider's year at once: the second is refused
    (the unique constraint), not a server error."""
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        raise ServiceError("turnover_stored_meanwhile") from error


@transaction
def save_turnover(
    user: User,
    agreement: FrameworkAgreement,
    year: int,
    amount_cents: int,
    today: date,
    now: datetime,
) -> SroiTurnover:
    """Enter (or correct) one provider's reference turnover for a year."""
    require_contract_manager(user, agreement.das_id)
    if problem := _check_year(agreement.das, year, today):
        raise ServiceError(problem.code, **problem.params)
    if amount_cents < 0:
        raise ServiceError("amount_negative")
    row, previous = _put(
        _stored([agreement.id], [year]),
        agreement.id,
        year,
        amount_cents,
        TurnoverSource.FORM,
        user,
        now,
    )
    _flush()
    record(
        "sroi.turnover_entered",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
        amount_cents=amount_cents,
        previous_cents=previous,
    )
    db.session.commit()
    return row


@dataclass(frozen=True)
class TurnoverLine:
    """A good line of an imported file."""

    row: int
    agreement: FrameworkAgreement
    year: int
    amount_cents: int


def _header(cells: list[str]) -> dict[str, int] | None:
    names = [re.sub(r"[^a-z]", "", cell.lower()) for cell in cells]
    found = {
        key: next(i for i, name in enumerate(names) if name in options)
        for key, options in COLUMNS.items()
        if any(name in options for name in names)
    }
    if "year" not in found or "amount" not in found or not {"agb", "kvk"} & set(found):
        return None
    return found


def parse_turnover_rows(
    das: Das, rows: list[list[str]], today: date
) -> tuple[list[TurnoverLine], list[RowError]]:
    """The lines of an imported file (see the module's docstring), and every wrong line with
    its number (the header is line 1)."""
    if not rows or not any(cell.strip() for cell in rows[0]):
        return [], [RowError(1, Problem("file_empty"))]
    columns = _header(rows[0])
    if columns is None:
        return [], [RowError(1, Problem("turnover_file_columns"))]
    agreements = list(
        db.session.scalars(
            db.select(FrameworkAgreement)
            .options(joinedload(FrameworkAgreement.organisation))
            .where(FrameworkAgreement.das_id == das.id)
        )
    )
    by_agb = {a.organisation.agb_code: a for a in agreements if a.organisation.agb_code}
    by_kvk = {a.organisation.kvk_number: a for a in agreements}
    lines: list[TurnoverLine] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, int], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [str(cell).strip() for cell in row] + [""] * 4
        if not any(cells):
            continue
        cell = dict.fromkeys(COLUMNS, "") | {key: cells[i] for key, i in columns.items()}
        agb, kvk = cell["agb"], cell["kvk"]
        if not agb and not kvk:
            errors.append(RowError(number, Problem("turnover_provider_missing")))
            continue
        found = [by_agb.get(agb) if agb else None, by_kvk.get(kvk) if kvk else None]
        if agb and found[0] is None or kvk and found[1] is None:
            code = agb if agb and found[0] is None else kvk
            errors.append(
                RowError(number, Problem("turnover_unknown_provider", provider_code=code))
            )
            continue
        if agb and kvk and found[0] is not found[1]:
            errors.append(RowError(number, Problem("turnover_codes_disagree", agb=agb, kvk=kvk)))
            continue
        agreement = found[0] or found[1]
        assert agreement is not None
        text = cell["year"]
        if not re.fullmatch(r"[0-9]{4}", text):
            errors.append(RowError(number, Problem("turnover_not_a_year", text=text)))
            continue
        year = int(text)
        if problem := _check_year(das, year, today):
            errors.append(RowError(number, problem))
            continue
        try:
            amount = money.parse_amount(cell["amount"])
        except money.AmountTooLarge:
            errors.append(RowError(number, Problem("turnover_amount_too_large")))
            continue
        except money.NotAnAmount:
            errors.append(RowError(number, Problem("turnover_not_an_amount", text=cell["amount"])))
            continue
        key = (agreement.id, year)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    Problem(
                        "turnover_repeated",
                        provider=agreement.organisation.legal_name,
                        year=year,
                        row=seen[key],
                    ),
                )
            )
            continue
        seen[key] = number
        lines.append(TurnoverLine(number, agreement, year, amount))
    if not lines and not errors:
        errors.append(RowError(1, Problem("file_empty")))
    return lines, errors


@dataclass(frozen=True)
class TurnoverImport:
    """What an import did: the lines stored, or (when any line was wrong) the wrong lines and
    nothing stored."""

    stored: int
    errors: list[RowError]


@transaction
def import_turnover(
    user: User, das: Das, rows: list[list[str]], today: date, now: datetime
) -> TurnoverImport:
    require_contract_manager(user, das.id)
    lines, errors = parse_turnover_rows(das, rows, today)
    if errors:
        return TurnoverImport(0, errors)
    stored = _stored([line.agreement.id for line in lines], [line.year for line in lines])
    for line in lines:
        _put(
            stored,
            line.agreement.id,
            line.year,
            line.amount_cents,
            TurnoverSource.IMPORT,
            user,
            now,
        )
    _flush()
    record(
        "sroi.turnover_imported",
        das,
        user,
        das_id=das.id,
        lines=len(lines),
        years=sorted({line.year for line in lines}),
    )
    db.session.commit()
    return TurnoverImport(len(lines), [])


# --- reading ---------------------------------------------------------------------------------


def entered_for_year(das_id: int, year: int) -> dict[int, int]:
    """Per agreement of the DAS the entered turnover of `year`, in cents."""
    return dict(
        db.session.execute(
            db.select(SroiTurnover.agreement_id, SroiTurnover.amount_cents)
            .join(FrameworkAgreement, FrameworkAgreement.id == SroiTurnover.agreement_id)
            .where(FrameworkAgreement.das_id == das_id, SroiTurnover.year == year)
        )
        .tuples()
        .all()
    )


def measured_turnover(das_id: int, year: int) -> dict[int, Decimal]:
    """Per agreement the turnover of `year` an obligation is measured on, in euros: the entered
    reference turnover, else the turnover the provider reported."""
    found = sum_per_agreement(das_id, TURNOVER, date(year, 1, 1), date(year + 1, 1, 1))
    found.update(
        (agreement_id, money.euros_of(cents))
        for agreement_id, cents in entered_for_year(das_id, year).items()
    )
    return found


def entered_per_year(das_id: int) -> dict[tuple[int, int], Decimal]:
    """Per agreement and year of the DAS the entered turnover, in euros (to lay over the
    reported turnover per year)."""
    return {
        (agreement_id, year): money.euros_of(cents)
        for agreement_id, year, cents in db.session.execute(
            db.select(SroiTurnover.agreement_id, SroiTurnover.year, SroiTurnover.amount_cents)
            .join(FrameworkAgreement, FrameworkAgreement.id == SroiTurnover.agreement_id)
            .where(FrameworkAgreement.das_id == das_id)
        ).tuples()
    }


def _reported_per_year(agreement: FrameworkAgreement) -> dict[int, Decimal]:
    """The agreement's reported turnover per year (the latest figure per period, summed)."""
    latest = (
        db.select(db.func.max(KpiValue.id))
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(
            KpiValue.agreement_id == agreement.id,
            KpiDefinition.das_id == agreement.das_id,
            KpiDefinition.code == TURNOVER,
            *TOTALS,
        )
        .group_by(KpiValue.period_start)
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for start, value in db.session.execute(
        db.select(KpiValue.period_start, KpiValue.value).where(KpiValue.id.in_(latest))
    ).tuples():
        totals[start.year] += Decimal(value)
    return totals


@dataclass(frozen=True)
class YearObligation:
    """One year of an agreement's social return: the rule of the year, the turnover it is
    measured on and where that figure comes from, the obligation (None: none), what was
    realised and the status."""

    year: int
    rule: terms_rules.SroiRule
    measured_year: int
    turnover_cents: int | None
    entered: bool  # the municipalities' figure (else the provider's report, or nothing)
    obligation_cents: int | None
    realised_cents: int
    status: rules.SroiStatus


def yearly_obligations(agreement: FrameworkAgreement, today: date) -> list[YearObligation]:
    """The agreement's social return per year, from its first year to this one, the latest
    first. A fixed number of queries however many years."""
    sroi_rules = sroi_rules_of(agreement.das)
    entered = {
        row.year: row.amount_cents
        for row in db.session.scalars(
            db.select(SroiTurnover).where(SroiTurnover.agreement_id == agreement.id)
        )
    }
    reported = _reported_per_year(agreement)
    realised = dict(
        db.session.execute(
            db.select(SroiReport.year, db.func.sum(SroiReport.amount_cents))
            .where(SroiReport.agreement_id == agreement.id)
            .group_by(SroiReport.year)
        )
        .tuples()
        .all()
    )
    found = []
    for year in range(today.year, agreement.start_date.year - 1, -1):
        rule = sroi_rules.for_year(year)
        measured = rule.measured_year(year)
        turnover: int | None
        if measured in entered:
            turnover = entered[measured]
        elif measured in reported:
            turnover = money.cents_of(reported[measured])
        else:
            turnover = None
        obligation = rules.sroi_obligation(turnover or 0, rule.threshold_cents, rule.percent)
        done = int(realised.get(year) or 0)
        found.append(
            YearObligation(
                year,
                rule,
                measured,
                turnover,
                measured in entered,
                obligation,
                done,
                rules.sroi_status(obligation, done, today, year),
            )
        )
    return found
