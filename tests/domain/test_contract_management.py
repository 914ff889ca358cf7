"""Contract-management rules (seed 003 §2.4, §3.3, §4.4) as tables of cases."""

from __future__ import annotations

from datetime import date
from datetime import date as _date
from decimal import Decimal as D

import pytest

from portal.domain import contract_management as cm
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


# --- due dates and lateness (issue 18: the late-reports list) ------------------------------


def test_a_quarter_is_due_thirty_days_after_it_ended_and_late_the_day_after() -> None:
    due = cm.kpi_due_date(_date(2024, 1, 1), "quarter", 30)
    assert due == _date(2024, 5, 1)  # the mail says "uiterlijk 01-05-2024"
    assert not cm.is_late(due, _date(2024, 5, 1))
    assert cm.is_late(due, _date(2024, 5, 2))


def test_late_kpi_periods_skip_reported_and_not_yet_due_periods() -> None:
    late = cm.late_kpi_periods(
        _date(2024, 1, 8), _date(2024, 11, 1), "quarter", 30, {_date(2024, 4, 1)}
    )
    # Q1 late, Q2 reported, Q3 ended 1 October but is due only on 31 October: late on 1 November.
    assert late == [
        (_date(2024, 1, 1), _date(2024, 5, 1)),
        (_date(2024, 7, 1), _date(2024, 10, 31)),
    ]
    assert cm.late_kpi_periods(_date(2024, 1, 8), _date(2024, 10, 31), "quarter", 30, set()) == [
        (_date(2024, 1, 1), _date(2024, 5, 1)),
        (_date(2024, 4, 1), _date(2024, 7, 31)),
    ]


def test_an_sroi_year_is_late_only_when_obliged_and_nothing_was_reported() -> None:
    assert cm.sroi_due_date(2024, 30) == _date(2025, 1, 31)
    today = _date(2026, 3, 1)
    assert cm.late_sroi_years(_date(2024, 1, 8), today, 30, {2024, 2025}, {2025}) == [
        (2024, _date(2025, 1, 31))
    ]
    assert cm.late_sroi_years(_date(2024, 1, 8), today, 30, set(), set()) == []
    # 2025 is due on 31 January 2026: on that day it is not late yet.
    assert cm.late_sroi_years(_date(2025, 1, 1), _date(2026, 1, 31), 30, {2025}, set()) == []


def test_a_talk_in_the_future_is_planned_and_an_open_action_past_its_date_overdue() -> None:
    today = _date(2026, 6, 1)
    assert cm.talk_status_after_logging(_date(2026, 6, 2), today) is cm.TalkStatus.PLANNED
    assert cm.talk_status_after_logging(today, today) is cm.TalkStatus.HELD
    assert cm.action_overdue(_date(2026, 5, 31), None, today)
    assert not cm.action_overdue(today, None, today)
    assert not cm.action_overdue(_date(2026, 5, 1), _date(2026, 5, 20), today)
