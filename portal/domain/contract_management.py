"""Contract-management rules: social return (SROI), which providers to talk to, market
concentration, and KPI flags. Pure functions over plain numbers (amounts in cents).

Sources: seed 003 §4.4 (social conditions above a realised previous-year turnover of EUR 250,000
excl. VAT; the region may revise the rule, so threshold and percentage are settings; 5% of the
contract value is common practice elsewhere, DOMAIN.md), §2.4 (select the providers that matter
most by number of clients and/or turnover), §3.3 (market shape: top 5, next 8, the rest).
When a report is due and how late it is, and the life of a contract talk (planned, held, its
actions done) are written below with their sources.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

SROI_THRESHOLD_CENTS = 250_000_00
SROI_PERCENT = Decimal(5)


def sroi_obligation(
    previous_year_turnover_cents: int,
    threshold_cents: int = SROI_THRESHOLD_CENTS,
    percent: Decimal = SROI_PERCENT,
) -> int | None:
    """The SROI obligation in cents, or None when the turnover is not strictly above the
    threshold (EUR 250,000.00 exactly is not above it)."""
    if previous_year_turnover_cents <= threshold_cents:
        return None
    amount = Decimal(previous_year_turnover_cents) * percent / 100
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class SroiStatus(enum.StrEnum):
    NOT_APPLICABLE = "not_applicable"
    OBLIGED = "obliged"  # obliged, nothing reported yet
    ON_TRACK = "on_track"
    BEHIND = "behind"
    FULFILLED = "fulfilled"


def sroi_status(
    obligation_cents: int | None, realised_cents: int, today: date, year: int
) -> SroiStatus:
    """On track when the share realised is at least the share of the year that has passed."""
    if obligation_cents is None:
        return SroiStatus.NOT_APPLICABLE
    if realised_cents >= obligation_cents:
        return SroiStatus.FULFILLED
    if realised_cents <= 0:
        return SroiStatus.OBLIGED
    start, end = date(year, 1, 1), date(year, 12, 31)
    if today < start:
        return SroiStatus.ON_TRACK
    elapsed = Decimal(min((today - start).days + 1, (end - start).days + 1)) / (
        (end - start).days + 1
    )
    return (
        SroiStatus.ON_TRACK
        if Decimal(realised_cents) / obligation_cents >= elapsed
        else SroiStatus.BEHIND
    )


@dataclass(frozen=True)
class ProviderFigures:
    provider_id: int
    clients: int
    turnover_cents: int


@dataclass(frozen=True)
class Ranked:
    provider_id: int
    score: Decimal
    clients: int
    turnover_cents: int


def rank_providers(
    figures: Sequence[ProviderFigures],
    clients_weight: Decimal,
    turnover_weight: Decimal,
    top_n: int,
) -> list[Ranked]:
    """The top N providers by a weighted score of their share of the largest clients count and
    turnover (0..1 each); ties go to the larger turnover, then the lower id."""
    if clients_weight < 0 or turnover_weight < 0 or clients_weight + turnover_weight == 0:
        raise ValueError("the weights must be non-negative and not both zero")
    if top_n < 1:
        raise ValueError("top_n must be at least 1")
    most_clients = max((f.clients for f in figures), default=0) or 1
    most_turnover = max((f.turnover_cents for f in figures), default=0) or 1
    total_weight = clients_weight + turnover_weight
    ranked = [
        Ranked(
            f.provider_id,
            (
                clients_weight * Decimal(f.clients) / most_clients
                + turnover_weight * Decimal(f.turnover_cents) / most_turnover
            )
            / total_weight,
            f.clients,
            f.turnover_cents,
        )
        for f in figures
    ]
    ranked.sort(key=lambda r: (-r.score, -r.turnover_cents, r.provider_id))
    return ranked[:top_n]


@dataclass(frozen=True)
class Concentration:
    top5_percent: Decimal
    next8_percent: Decimal
    rest_percent: Decimal
    providers: int

    @property
    def rest_providers(self) -> int:
        """How many providers the rest group holds: none until there are more than 5 + 8."""
        return max(self.providers - 13, 0)


def market_concentration(turnovers_cents: Iterable[int]) -> Concentration:
    """Shares of the total turnover billed by the top 5, the next 8, and the rest (seed 003
    §3.3: about 54%, 20% and 20% in Midden-Limburg in 2023)."""
    ordered = sorted((t for t in turnovers_cents if t > 0), reverse=True)
    total = sum(ordered)
    if total == 0:
        zero = Decimal(0)
        return Concentration(zero, zero, zero, len(ordered))

    def share(part: Sequence[int]) -> Decimal:
        return (Decimal(sum(part)) * 100 / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    top5, next8 = share(ordered[:5]), share(ordered[5:13])
    return Concentration(top5, next8, Decimal(100) - top5 - next8, len(ordered))


class KpiFlag(enum.StrEnum):
    OK = "ok"
    BELOW_TARGET = "below_target"  # worse than the target, not yet past the alert threshold
    ALERT = "alert"  # at or past the alert threshold


def kpi_flag(
    value: Decimal, target: Decimal, threshold: Decimal, higher_is_better: bool
) -> KpiFlag:
    """Compare a reported figure with its target and alert threshold."""
    if higher_is_better:
        if value <= threshold:
            return KpiFlag.ALERT
        return KpiFlag.OK if value >= target else KpiFlag.BELOW_TARGET
    if value >= threshold:
        return KpiFlag.ALERT
    return KpiFlag.OK if value <= target else KpiFlag.BELOW_TARGET


# --- reporting periods ---------------------------------------------------------------------

PERIOD_MONTHS = {"quarter": 3, "half_year": 6, "year": 12}


def period_start_of(day: date, period: str) -> date:
    months = PERIOD_MONTHS[period]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def next_period(start: date, period: str) -> date:
    month = start.month - 1 + PERIOD_MONTHS[period]
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_label(start: date, period: str) -> str:
    if period == "quarter":
        return f"{start.year}-K{(start.month - 1) // 3 + 1}"
    if period == "half_year":
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    return str(start.year)


def parse_period(text: str, period: str) -> date:
    """'2027-K1' or '2027-Q1', '2027-H2', '2027' -> the period's first day."""
    value = text.strip().upper().replace(" ", "")
    if period == "year" and value.isdigit() and len(value) == 4:
        return date(int(value), 1, 1)
    prefix = {"quarter": ("K", "Q"), "half_year": ("H",)}.get(period, ())
    year, _, rest = value.partition("-")
    if year.isdigit() and len(year) == 4 and rest[:1] in prefix and rest[1:].isdigit():
        number = int(rest[1:])
        months = PERIOD_MONTHS[period]
        if 1 <= number <= 12 // months:
            return date(int(year), (number - 1) * months + 1, 1)
    raise ValueError(text)


def completed_periods(first_day: date, today: date, period: str) -> list[date]:
    """The periods from the one containing `first_day` up to the last one that has ended."""
    starts = []
    start = period_start_of(first_day, period)
    while next_period(start, period) <= today:
        starts.append(start)
        start = next_period(start, period)
    return starts


# --- when a report is due, and how late it is ---------------------------------------------


class ReportKind(enum.StrEnum):
    KPI = "kpi"  # the figures of one KPI for one period
    SROI = "sroi"  # the social-return report of one calendar year (seed 003 §4.4)


def kpi_due_date(start: date, period: str, due_days: int) -> date:
    """The last day on which a period's figure is on time: `due_days` calendar days after the
    period ended (the portal's KPI_DUE_DAYS, 30 by default; contracts commonly ask quarterly or
    half-yearly figures, DOMAIN.md). The reminder mail says "uiterlijk <this date>"."""
    return next_period(start, period) + timedelta(days=due_days)


def sroi_due_date(year: int, due_days: int) -> date:
    """The last day on which a year's social-return report is on time. Seed 003 §4.4 sets the
    obligation, not a date: we chose to treat the report as a yearly KPI, due `due_days` after
    the year ended, so providers have one rhythm to remember."""
    return kpi_due_date(date(year, 1, 1), "year", due_days)


def is_late(due_on: date, today: date) -> bool:
    """Late from the day after the due date: "uiterlijk 1 mei" means 1 May is still on time."""
    return today > due_on


def late_kpi_periods(
    first_day: date, today: date, period: str, due_days: int, reported: Collection[date]
) -> list[tuple[date, date]]:
    """(period start, due date) of every period since `first_day` (an agreement's start) whose
    figure is late: past its due date and not reported."""
    late = []
    for start in completed_periods(first_day, today, period):
        due = kpi_due_date(start, period, due_days)
        if start not in reported and is_late(due, today):
            late.append((start, due))
    return late


def late_sroi_years(
    first_day: date,
    today: date,
    due_days: int,
    obliged_years: Collection[int],
    reported_years: Collection[int],
) -> list[tuple[int, date]]:
    """(year, due date) of every year since `first_day` in which the provider was obliged to
    deliver social return (its previous year's turnover above the threshold, `sroi_obligation`)
    and has reported nothing, past the due date. A report that falls short of the obligation is
    not late: the overview shows it as behind (`sroi_status`)."""
    return [
        (year, sroi_due_date(year, due_days))
        for year in range(first_day.year, today.year)
        if year in obliged_years
        and year not in reported_years
        and is_late(sroi_due_date(year, due_days), today)
    ]


# --- contract talks (seed 003 §2.4) ---------------------------------------------------------


class TalkStatus(enum.StrEnum):
    PLANNED = "planned"  # a date is set; no report yet
    HELD = "held"  # its report (agreements made, actions) is entered


def talk_status_after_logging(talk_date: date, today: date) -> TalkStatus:
    """A talk logged with a date in the future is planned; one on or before today was held
    (its report is being entered). Seed 003 §2.4: talks are planned with the selected providers,
    held, and followed up."""
    return TalkStatus.PLANNED if talk_date > today else TalkStatus.HELD


def action_overdue(due_on: date, done_on: date | None, today: date) -> bool:
    """An agreed action is overdue when it is not done and its due date has passed."""
    return done_on is None and is_late(due_on, today)


def talk_providers_allowed(group_talk: bool, providers: int) -> bool:
    """Seed 003 §2.4: "Ontwikkelgesprekken kunnen, in tegenstelling tot de
    account/contractgesprekken, met meerdere jeugdhulpaanbieders plaatsvinden." An account or
    contract talk is held with one provider; a development talk with one or more."""
    return providers == 1 or (group_talk and providers > 1)
