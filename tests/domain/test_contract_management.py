"""Contract-management rules (seed 003 §2.4, §3.3, §4.4) as tables of cases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from portal.domain.contract_management import (
    KpiFlag,
    ProviderFigures,
    SroiStatus,
    kpi_flag,
    market_concentration,
    rank_providers,
    sroi_obligation,
    sroi_status,
)


@pytest.mark.parametrize(
    ("turnover", "obligation"),
    [
        (250_000_00, None),  # exactly EUR 250,000.00 is not above the threshold
        (250_000_01, 12_500_00),  # EUR 250,000.01 is; 5% = 12,500.0005 -> 12,500.00
        (100_000_00, None),
        (1_000_000_00, 50_000_00),
        (0, None),
    ],
)
def test_sroi_obligation(turnover: int, obligation: int | None) -> None:
    assert sroi_obligation(turnover) == obligation


def test_sroi_threshold_and_percentage_are_settings() -> None:
    assert sroi_obligation(200_000_00, threshold_cents=150_000_00, percent=D(2)) == 4_000_00


@pytest.mark.parametrize(
    ("obligation", "realised", "today", "status"),
    [
        (None, 0, date(2027, 6, 30), SroiStatus.NOT_APPLICABLE),
        (10_000_00, 0, date(2027, 6, 30), SroiStatus.OBLIGED),
        (10_000_00, 10_000_00, date(2027, 3, 1), SroiStatus.FULFILLED),
        (10_000_00, 6_000_00, date(2027, 6, 30), SroiStatus.ON_TRACK),  # 60% after ~50% of the year
        (10_000_00, 3_000_00, date(2027, 6, 30), SroiStatus.BEHIND),
        (10_000_00, 9_999_99, date(2027, 12, 31), SroiStatus.BEHIND),
    ],
)
def test_sroi_status(
    obligation: int | None, realised: int, today: date, status: SroiStatus
) -> None:
    assert sroi_status(obligation, realised, today, 2027) is status


def test_rank_by_clients_turnover_or_both() -> None:
    figures = [
        ProviderFigures(1, 100, 1_000),
        ProviderFigures(2, 10, 5_000),
        ProviderFigures(3, 50, 2_500),
        ProviderFigures(4, 0, 0),
    ]
    by_clients = rank_providers(figures, D(1), D(0), 2)
    assert [r.provider_id for r in by_clients] == [1, 3]
    by_turnover = rank_providers(figures, D(0), D(1), 2)
    assert [r.provider_id for r in by_turnover] == [2, 3]
    both = rank_providers(figures, D(1), D(1), 4)
    assert [r.provider_id for r in both] == [1, 2, 3, 4]  # 0.6, 0.55, 0.5, 0
    with pytest.raises(ValueError):
        rank_providers(figures, D(0), D(0), 2)


def test_market_concentration_like_seed_003() -> None:
    # 5 providers with 10.8% each (54%), 8 with 2.5% (20%), 104 sharing the last 26%.
    turnovers = [10_800] * 5 + [2_500] * 8 + [250] * 104
    concentration = market_concentration(turnovers)
    assert (
        concentration.top5_percent,
        concentration.next8_percent,
        concentration.rest_percent,
    ) == (D("54.0"), D("20.0"), D("26.0"))
    assert concentration.providers == 117
    assert market_concentration([]).top5_percent == 0


@pytest.mark.parametrize(
    ("value", "target", "threshold", "higher", "flag"),
    [
        (D("8.0"), D("7.5"), D("6.0"), True, KpiFlag.OK),  # satisfaction 1-10
        (D("7.0"), D("7.5"), D("6.0"), True, KpiFlag.BELOW_TARGET),
        (D("6.0"), D("7.5"), D("6.0"), True, KpiFlag.ALERT),
        (D("20"), D("28"), D("42"), False, KpiFlag.OK),  # waiting time in days
        (D("30"), D("28"), D("42"), False, KpiFlag.BELOW_TARGET),
        (D("42"), D("28"), D("42"), False, KpiFlag.ALERT),
    ],
)
def test_kpi_flag(value: D, target: D, threshold: D, higher: bool, flag: KpiFlag) -> None:
    assert kpi_flag(value, target, threshold, higher) is flag
