"""Indexation (seed 000 "Correctie indexering"; seed 003 §4.6; DOMAIN.md worked figures)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.domain.indexation import (
    MissingFigure,
    Weights,
    YearFigures,
    apply_factors,
    apply_index,
    index_for_year,
    is_plausible,
    lump_sum_series,
)

W = Weights()
VNG = {
    2024: YearFigures(2024, D("4.94"), D("2.51"), D("6.00"), D("3.10")),
    2025: YearFigures(2025, D("4.18"), D("1.82")),
}


def test_the_public_2025_figure() -> None:
    index = index_for_year(2025, VNG, W, first_contract_year=2024)
    assert index.prognosis_part == D("3.944")
    assert index.correction_part == D("1.013")
    assert index.total == D("4.957")
    assert index.correction_year == 2024
    assert apply_index(10_000, index.total) == 10_496  # EUR 100.00 -> EUR 104.96


def test_no_after_calculation_in_the_first_contract_year() -> None:
    index = index_for_year(2025, VNG, W, first_contract_year=2025)
    assert index.total == D("3.944") and index.correction_part == 0


@pytest.mark.parametrize(
    ("year", "figures", "missing"),
    [
        (2025, {2024: VNG[2024]}, ("OVA prognose", 2025)),
        (2025, {2024: VNG[2024], 2025: YearFigures(2025, D("4.18"))}, ("PPC prognose", 2025)),
        # A correction needs the prognosis it corrects.
        (
            2025,
            {2024: YearFigures(2024, None, D("2.51"), D("6.00"), D("3.10")), 2025: VNG[2025]},
            ("OVA prognose", 2024),
        ),
    ],
)
def test_a_missing_figure_names_year_and_figure(year: int, figures: dict, missing: tuple) -> None:
    with pytest.raises(MissingFigure) as error:
        index_for_year(year, figures, W, first_contract_year=2024)
    assert (error.value.figure, error.value.year) == missing


# Seed 000 / DOMAIN.md figures, plus an assumed definitive 2025 (4.50 / 2.00) and prognosis 2026
# (3.10 / 2.40): correction 2025 = 0.9*(4.50-4.18) + 0.1*(2.00-1.82) = 0.306.
KNOWN_2024 = VNG[2024]
UNKNOWN_2024 = YearFigures(2024, D("4.94"), D("2.51"))  # November 2024: no definitive yet
HALF_KNOWN_2024 = YearFigures(2024, D("4.94"), D("2.51"), D("6.00"))  # OVA only
KNOWN_2025 = YearFigures(2025, D("4.18"), D("1.82"), D("4.50"), D("2.00"))
UNKNOWN_2025 = VNG[2025]
PROGNOSIS_2026 = YearFigures(2026, D("3.10"), D("2.40"))


@pytest.mark.parametrize(
    ("year", "figures", "carried", "prognosis", "correction", "corrected", "outstanding"),
    [
        # The definitive 2024 figures are known: corrected in 2025 as the seed says.
        (2025, [KNOWN_2024, UNKNOWN_2025], (), "3.944", "1.013", (2024,), ()),
        # A November decision: 2024's definitive figures are not known; publish with the
        # prognosis alone and carry the correction of 2024.
        (2025, [UNKNOWN_2024, UNKNOWN_2025], (), "3.944", "0", (), (2024,)),
        # Half a definitive is not a definitive: carried as well.
        (2025, [HALF_KNOWN_2024, UNKNOWN_2025], (), "3.944", "0", (), (2024,)),
        # 2026 settles the carried 2024 and its own 2025, each once: 1.013 + 0.306.
        (2026, [KNOWN_2024, KNOWN_2025, PROGNOSIS_2026], (2024,), "3.03", "1.319", (2024, 2025), ()),
        # Carried 2024 now known, 2025 not yet: 2024 is settled, 2025 carried on.
        (2026, [KNOWN_2024, UNKNOWN_2025, PROGNOSIS_2026], (2024,), "3.03", "1.013", (2024,), (2025,)),
        # Still nothing definitive: both carried into 2027.
        (2026, [UNKNOWN_2024, UNKNOWN_2025, PROGNOSIS_2026], (2024,), "3.03", "0", (), (2024, 2025)),
        # Nothing carried: 2024 was settled in 2025 and is not added again in 2026.
        (2026, [KNOWN_2024, KNOWN_2025, PROGNOSIS_2026], (), "3.03", "0.306", (2025,), ()),
        # A year before the contract is never corrected, even if named as carried.
        (2026, [KNOWN_2024, KNOWN_2025, PROGNOSIS_2026], (2023, 2024, 2024), "3.03", "1.319",
         (2024, 2025), ()),
    ],
)  # fmt: skip
def test_a_correction_not_yet_known_is_carried_to_the_next_year(
    year: int,
    figures: list[YearFigures],
    carried: tuple[int, ...],
    prognosis: str,
    correction: str,
    corrected: tuple[int, ...],
    outstanding: tuple[int, ...],
) -> None:
    index = index_for_year(
        year, {f.year: f for f in figures}, W, first_contract_year=2024, carried=carried
    )
    assert index.prognosis_part == D(prognosis)
    assert index.correction_part == D(correction)
    assert index.total == D(prognosis) + D(correction)
    assert index.corrected_years == corrected
    assert index.outstanding_years == outstanding


def test_over_the_years_every_correction_is_counted_once() -> None:
    """Seed 000: "over het totaal van meerdere jaren bezien, geen verschil"."""
    prognosis_2027 = YearFigures(2027, D("2.0"), D("2.0"))
    figures = {2024: UNKNOWN_2024, 2025: UNKNOWN_2025}
    index_2025 = index_for_year(2025, figures, W, 2024)
    # In 2025's publication nothing definitive is known; in 2026's, 2024 is; in 2027's, all.
    figures_2026 = {2024: KNOWN_2024, 2025: UNKNOWN_2025, 2026: PROGNOSIS_2026}
    index_2026 = index_for_year(2026, figures_2026, W, 2024, index_2025.outstanding_years)
    figures_2027 = {
        2024: KNOWN_2024,
        2025: KNOWN_2025,
        2026: YearFigures(2026, D("3.10"), D("2.40"), D("3.10"), D("2.40")),
        2027: prognosis_2027,
    }
    index_2027 = index_for_year(2027, figures_2027, W, 2024, index_2026.outstanding_years)
    assert [i.corrected_years for i in (index_2025, index_2026, index_2027)] == [
        (),
        (2024,),
        (2025, 2026),
    ]
    assert index_2027.outstanding_years == ()
    total = sum((i.correction_part for i in (index_2025, index_2026, index_2027)), D(0))
    assert total == D("1.013") + D("0.306") + D(0)


@pytest.mark.parametrize(
    ("cents", "percent", "expected"),
    [
        (10_000, D("4.957"), 10_496),
        (10_000, D("0"), 10_000),
        (1, D("49.9"), 1),  # 1.499 cents -> 1
        (1, D("50"), 2),  # 1.5 cents rounds half up -> 2
        (8_513, D("3.944"), 8_849),  # 8848.75... -> 8849
        (10_000, D("-1.5"), 9_850),
    ],
)
def test_apply_index_rounds_half_up(cents: int, percent: D, expected: int) -> None:
    assert apply_index(cents, percent) == expected


@pytest.mark.parametrize(
    ("percent", "plausible"),
    [
        (D("4.957"), True),
        (D("-10"), True),
        (D("25"), True),
        (D("-10.01"), False),
        (D("25.5"), False),
    ],
)
def test_plausible_range(percent: D, plausible: bool) -> None:
    assert is_plausible(percent) is plausible


def test_weights_must_add_up() -> None:
    with pytest.raises(ValueError):
        Weights(D("0.8"), D("0.1"))


def test_lump_sum_as_in_seed_000() -> None:
    """2023 = 2021 base x definitive 2022 x provisional 2023; 2024 = 2023 x provisional 2024
    corrected for 2023's difference."""
    figures = {
        2022: YearFigures(2022, D("2.0"), D("2.0"), D("3.0"), D("10.0")),
        2023: YearFigures(2023, D("5.0"), D("5.0"), D("6.0"), D("4.0")),
        2024: YearFigures(2024, D("4.0"), D("3.0")),
    }
    series = lump_sum_series(1_000_000_00, 2021, 2024, figures, W, first_contract_year=2023)
    assert [b.year for b in series] == [2022, 2023, 2024]
    assert series[0].index.definitive and series[0].index.total == D("3.70")
    assert series[1].index.total == D("5.0") and series[1].index.correction_part == 0
    # 2024: 0.9*4 + 0.1*3 = 3.9, plus 0.9*(6-5) + 0.1*(4-5) = 0.8.
    assert series[2].index.total == D("4.7")
    assert series[0].amount_cents == 1_037_000_00
    assert series[1].amount_cents == 1_088_850_00
    assert series[2].amount_cents == 1_140_025_95


def test_a_lump_sum_carries_an_unknown_correction() -> None:
    figures = {
        2023: YearFigures(2023, D("5.0"), D("5.0")),  # no definitive 2023 yet
        2024: YearFigures(2024, D("4.0"), D("3.0")),
    }
    series = lump_sum_series(1_000_000_00, 2022, 2024, figures, W, first_contract_year=2023)
    assert series[1].index.total == D("3.9")  # prognosis alone
    assert series[1].index.outstanding_years == (2023,)


percents = st.decimals(min_value=D("-10"), max_value=D("25"), places=3)
amounts = st.integers(min_value=0, max_value=10_000_000)


@given(amounts)
def test_zero_index_keeps_every_tariff(cents: int) -> None:
    assert apply_index(cents, D(0)) == cents


@given(amounts, percents, percents)
def test_higher_index_never_gives_lower_tariff(cents: int, a: D, b: D) -> None:
    low, high = sorted((a, b))
    assert apply_index(cents, low) <= apply_index(cents, high)


@given(amounts, percents, percents)
def test_two_steps_equal_the_product_before_rounding(cents: int, a: D, b: D) -> None:
    factor_a, factor_b = 1 + a / 100, 1 + b / 100
    assert apply_factors(cents, [factor_a, factor_b]) == apply_factors(cents, [factor_a * factor_b])


@given(amounts, percents)
def test_results_are_whole_cents(cents: int, percent: D) -> None:
    assert isinstance(apply_index(cents, percent), int)
