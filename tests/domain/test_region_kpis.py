"""Region-specific KPIs (seed 002, Zuid-Limburg): the region's figure per year and its flag."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.domain.contract_management import KpiFlag
from portal.domain.region_kpis import RegionYear, region_years, year_end_figures


def test_each_provider_counts_with_its_last_figure_of_the_year() -> None:
    rows = [
        (1, date(2024, 1, 1), Decimal(5)),
        (1, date(2024, 10, 1), Decimal(7)),  # the year's last quarter counts
        (1, date(2024, 4, 1), Decimal(6)),
        (2, date(2024, 7, 1), Decimal(11)),  # reported up to Q3 only: Q3 counts
        (2, date(2025, 1, 1), Decimal(12)),
    ]
    assert year_end_figures(rows) == {
        2024: {1: Decimal(7), 2: Decimal(11)},
        2025: {2: Decimal(12)},
    }


@pytest.mark.parametrize(
    ("year", "total", "flag"),
    [
        # Seed 002: "Ontwikkeling aantal gezinshuizen, Streefcijfer 2022 = 20": 16, 18, 24.
        (2018, Decimal(16), KpiFlag.ALERT),  # at the alert threshold of 16
        (2019, Decimal(18), KpiFlag.BELOW_TARGET),
        (2020, Decimal(24), KpiFlag.OK),
        (2021, Decimal(20), KpiFlag.OK),  # the target itself is met
    ],
)
def test_the_gezinshuizen_of_seed_002_against_the_region_target(
    year: int, total: Decimal, flag: KpiFlag
) -> None:
    # Two providers split the year's count; the region's sum is compared with the target.
    rows = [(1, date(year, 1, 1), total - 5), (2, date(year, 1, 1), Decimal(5))]
    result = region_years(rows, [year], Decimal(20), Decimal(16), True, target_for_region=True)
    assert result == [RegionYear(year, total, 2, flag)]


def test_a_target_per_provider_counts_the_providers_per_flag() -> None:
    rows = [
        (1, date(2024, 1, 1), Decimal(3)),
        (2, date(2024, 1, 1), Decimal(9)),
        (3, date(2024, 1, 1), Decimal(12)),
    ]
    [year] = region_years(rows, [2024], Decimal(10), Decimal(4), True, target_for_region=False)
    assert year.total == Decimal(24) and year.flag is None
    assert year.provider_flags == {KpiFlag.ALERT: 1, KpiFlag.BELOW_TARGET: 1, KpiFlag.OK: 1}


def test_a_year_nobody_reported_has_no_figure_and_no_flag() -> None:
    result = region_years([], [2023, 2024], Decimal(20), Decimal(16), True, True)
    assert result == [RegionYear(2023, None, 0, None), RegionYear(2024, None, 0, None)]
