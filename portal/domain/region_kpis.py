"""Region-specific KPIs beside the national outcome set (seed 002, Zuid-Limburg: "Ontwikkeling
aantal gezinshuizen, Streefcijfer 2022 = 20" and the number of foster children in foster
families, 2018-2020). Such a figure is a count at a moment, reported by each provider: the
region's figure for a year is the sum over the providers of each one's last figure in that year.
A target "for the region" is compared with that sum; otherwise, as for the national set, with
each provider's figure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from portal.domain.contract_management import KpiFlag, kpi_flag


@dataclass(frozen=True)
class RegionYear:
    year: int
    total: Decimal | None  # None: no provider reported in the year
    providers: int  # how many providers the total adds up
    flag: KpiFlag | None  # the total against a target for the region; None otherwise
    # A target per provider: how many providers' figures raise each flag.
    provider_flags: dict[KpiFlag, int] = field(default_factory=dict)


def year_end_figures(rows: Iterable[tuple[int, date, Decimal]]) -> dict[int, dict[int, Decimal]]:
    """Per year, per provider, the figure of the last period it reported in that year; rows are
    (provider, period start, figure that counts)."""
    last: dict[tuple[int, int], tuple[date, Decimal]] = {}
    for provider, start, value in rows:
        key = (start.year, provider)
        if key not in last or last[key][0] < start:
            last[key] = (start, Decimal(value))
    result: dict[int, dict[int, Decimal]] = {}
    for (year, provider), (_start, value) in last.items():
        result.setdefault(year, {})[provider] = value
    return result


def region_years(
    rows: Iterable[tuple[int, date, Decimal]],
    years: Sequence[int],
    target: Decimal,
    threshold: Decimal,
    higher_is_better: bool,
    target_for_region: bool,
) -> list[RegionYear]:
    """The region's figure per year, with the flag it raises (seed 002: 16, 18 and 24
    gezinshuizen against the target of 20)."""
    per_year = year_end_figures(rows)
    result = []
    for year in years:
        figures = per_year.get(year, {})
        if not figures:
            result.append(RegionYear(year, None, 0, None))
            continue
        total = sum(figures.values(), Decimal(0))
        if target_for_region:
            flag = kpi_flag(total, target, threshold, higher_is_better)
            result.append(RegionYear(year, total, len(figures), flag))
        else:
            counted = Counter(
                kpi_flag(v, target, threshold, higher_is_better) for v in figures.values()
            )
            result.append(RegionYear(year, total, len(figures), None, dict(counted)))
    return result
