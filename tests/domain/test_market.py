"""The market figures beside the top 5 / next 8 / rest split (seed 003 §3.3)."""

from __future__ import annotations

import pytest

from portal.domain.market import MarketYear, market_movement, market_year

# Seed 003 §3.3, Midden-Limburg 2023, made exact: the top five bill 54% (10.8% each), the next
# eight 20% (2.5% each) and 104 providers 0.25% each (the seed's "104 at 1% or less").
SEED_003_2023 = [1080] * 5 + [250] * 8 + [25] * 104


@pytest.mark.parametrize(
    ("turnovers", "providers", "small", "hhi"),
    [
        (SEED_003_2023, 117, 104, 640),  # 5·10.8² + 8·2.5² + 104·0.25² = 639.7
        ([5_000_00], 1, 0, 10_000),  # a monopoly
        ([1, 1], 2, 0, 5_000),
        ([7] * 100, 100, 100, 100),  # exactly 1% each: "1% or less"
        ([7] * 101, 101, 101, 99),  # 10,000 / 101 = 99.0
        ([101, 9_899], 2, 0, 9_800),  # 1.01% is more than 1%; 1.01² + 98.99² = 9,800.04
        ([1, 7], 2, 0, 7_813),  # 12.5² + 87.5² = 7,812.5: rounded half up
        ([3, 0, -2, 3], 2, 0, 5_000),  # no turnover or a credit: no share of the market
        ([], 0, 0, None),
        ([0, 0], 0, 0, None),
    ],
    ids=[
        "seed-003-2023",
        "monopoly",
        "two-equal",
        "hundred-at-one-percent",
        "hundred-and-one",
        "just-above-one-percent",
        "half-up",
        "zero-and-negative",
        "empty",
        "only-zero",
    ],
)
def test_market_year(turnovers: list[int], providers: int, small: int, hhi: int | None) -> None:
    assert market_year(2023, turnovers) == MarketYear(2023, providers, small, hhi)


def test_the_index_stays_within_its_bounds_with_many_small_providers() -> None:
    many = market_year(2024, [1] * 20_000)
    assert many.hhi == 1 and many.small_providers == 20_000  # 10,000 / 20,000 = 0.5: half up


def test_movement_from_year_to_year() -> None:
    years = [
        market_year(2024, [1080] * 5 + [250] * 8 + [25] * 100 + [125] * 2),  # two grew
        market_year(2023, SEED_003_2023),
        market_year(2026, [1, 1]),  # 2025 had no figures: nothing to compare with
        market_year(2027, []),
    ]
    moved = market_movement(years)
    assert [m.current.year for m in moved] == [2023, 2024, 2026, 2027]
    first, second, third, fourth = moved
    assert first.previous is None and first.hhi_change is None
    assert second.previous == years[1]
    assert (second.current.providers, second.current.small_providers) == (115, 100)
    assert second.providers_change == -2 and second.small_providers_change == -4
    assert second.hhi_change == second.current.hhi - 640
    assert third.previous is None and third.hhi_change is None
    assert fourth.previous is not None and fourth.hhi_change is None  # no turnover in 2027
