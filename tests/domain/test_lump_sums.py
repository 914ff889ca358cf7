"""The mutual 3% valve and the indexed ceiling (seed 000)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from portal.domain.indexation import MissingFigure, Weights, YearFigures
from portal.domain.lump_sums import indexed_ceiling, valve

# Seed 000: "Het plafondbedrag ... voor het jaar 2023 is € 1.674.811."; 3% of it is exactly
# EUR 50,244.33.
CEILING_2023 = 1_674_811_00
THREE_PERCENT = 50_244_33


@pytest.mark.parametrize(
    ("result", "within", "percent"),
    [
        (0, True, D("0.00")),
        (25_000_00, True, D("1.49")),  # a surplus well within
        (-25_000_00, True, D("-1.49")),  # a deficit well within
        # Seed 000: "kleiner of gelijk is aan 3%": exactly 3% either way is within.
        (THREE_PERCENT, True, D("3.00")),
        (-THREE_PERCENT, True, D("-3.00")),
        # A cent beyond is beyond, although the rounded percentage still reads 3.00.
        (THREE_PERCENT + 1, False, D("3.00")),
        (-THREE_PERCENT - 1, False, D("-3.00")),
        (100_000_00, False, D("5.97")),
        (-100_000_00, False, D("-5.97")),
    ],
)
def test_the_valve_both_ways(result: int, within: bool, percent: D) -> None:
    outcome = valve(result, CEILING_2023)
    assert outcome.within is within
    assert outcome.percent == percent
    assert (outcome.result_cents, outcome.ceiling_cents) == (result, CEILING_2023)


def test_a_ceiling_is_positive() -> None:
    with pytest.raises(ValueError):
        valve(1, 0)


FIGURES = {
    2023: YearFigures(2023, D("5.0"), D("5.0"), D("6.0"), D("4.0")),
    # VNG's public figures (DOMAIN.md): 2024 prognosis and definitive, 2025 prognosis.
    2024: YearFigures(2024, D("4.94"), D("2.51"), D("6.00"), D("3.10")),
    2025: YearFigures(2025, D("4.18"), D("1.82")),
}


def test_the_2024_ceiling_is_2023_indexed_with_the_2024_prognosis_corrected_for_2023() -> None:
    """Seed 000: "de lumpsum van 2024 [wordt] bepaald door het tarief van 2023 als uitgangspunt
    te nemen en te indexeren met de voorlopige index 2024, gecorrigeerd voor het verschil tussen
    de voorlopige en de definitieve index van 2023"."""
    ceiling = indexed_ceiling(CEILING_2023, 2024, FIGURES, Weights(), first_year=2023)
    # 0.9*4.94 + 0.1*2.51 = 4.697; correction 2023: 0.9*(6-5) + 0.1*(4-5) = 0.8.
    assert ceiling.index.prognosis_part == D("4.697")
    assert ceiling.index.correction_part == D("0.8")
    assert ceiling.index.corrected_years == (2023,)
    # 1,674,811.00 x 1.05497 = 1,766,875.36067
    assert ceiling.amount_cents == 1_766_875_36


def test_the_2025_ceiling_uses_the_worked_vng_figures() -> None:
    ceiling = indexed_ceiling(1_766_875_36, 2025, FIGURES, Weights(), first_year=2023)
    assert ceiling.index.total == D("4.957")  # DOMAIN.md's worked example
    # 1,766,875.36 x 1.04957 = 1,854,459.37...
    assert ceiling.amount_cents == 1_854_459_37


def test_no_correction_reaches_before_the_first_agreed_year() -> None:
    ceiling = indexed_ceiling(CEILING_2023, 2024, FIGURES, Weights(), first_year=2024)
    assert ceiling.index.correction_part == 0 and ceiling.index.corrected_years == ()


def test_a_missing_prognosis_is_named() -> None:
    with pytest.raises(MissingFigure) as error:
        indexed_ceiling(CEILING_2023, 2026, FIGURES, Weights(), first_year=2023)
    assert (error.value.year, error.value.figure) == (2026, "OVA prognose")
