"""A lump-sum agreement's yearly ceiling and the mutual 3% valve.

Source: seed 000 (Voerendaal, Basishulp Jeugd 2023-2027).
- "Het plafondbedrag van de opdracht ... voor het jaar 2023 is € 1.674.811." The ceiling of a
  year is agreed once, then indexed every year as tariffs are ("jaarlijks wordt wel
  geïndexeerd"; "de lumpsum van 2024 [wordt] bepaald door het tarief van 2023 als uitgangspunt te
  nemen en te indexeren met de voorlopige index 2024, gecorrigeerd voor het verschil tussen de
  voorlopige en de definitieve index van 2023"). An agreed ceiling is at that year's prices with
  that year's prognosis, so the next year's index corrects it (portal.domain.indexation).
- The mutual valve: "Wanneer het exploitatieresultaat - op basis van de controleverklaring van de
  accountant ... - kleiner of gelijk is aan 3% (negatief of positief jaarresultaat), is dat in
  beginsel geen reden voor een wijziging van de overeenkomst." So a result of exactly 3% of the
  ceiling is within the valve; only beyond 3% either way do the parties discuss a change.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from portal.domain import indexation

#: The valve's margin in percent of the year's ceiling, either way (seed 000).
VALVE_PERCENT = Decimal(3)


@dataclass(frozen=True)
class ValveOutcome:
    """An audited result held against the year's ceiling."""

    result_cents: int  # positive: a surplus; negative: a deficit
    ceiling_cents: int
    percent: Decimal  # the result as a percentage of the ceiling, two decimals (for reading)
    within: bool  # within the valve: no reason to change the agreement


def valve(
    result_cents: int, ceiling_cents: int, margin_percent: Decimal = VALVE_PERCENT
) -> ValveOutcome:
    """Is the audited operating result within `margin_percent` of the ceiling, either way?
    Compared exactly (|result| x 100 <= margin x ceiling), not on the rounded percentage, so a
    result a cent beyond 3% is beyond it (seed 000: "kleiner of gelijk is aan 3%")."""
    if ceiling_cents <= 0:
        raise ValueError("a ceiling is a positive amount")
    within = abs(result_cents) * 100 <= margin_percent * ceiling_cents
    percent = (Decimal(result_cents) * 100 / Decimal(ceiling_cents)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return ValveOutcome(result_cents, ceiling_cents, percent, bool(within))


@dataclass(frozen=True)
class IndexedCeiling:
    year: int
    amount_cents: int
    index: indexation.IndexBreakdown


def indexed_ceiling(
    previous_cents: int,
    year: int,
    figures: Mapping[int, indexation.YearFigures],
    weights: indexation.Weights,
    first_year: int,
    carried: Collection[int] = (),
) -> IndexedCeiling:
    """The ceiling of `year` from the ceiling of the year before, indexed as the tariffs are
    (seed 000): the prognosis of `year` plus the correction of the year before (and of any year
    carried because its definitive figures were not known yet). `first_year` is the year of the
    first agreed ceiling: no correction reaches back before it. MissingFigure when a figure the
    index needs is not there."""
    index = indexation.index_for_year(year, figures, weights, first_year, carried)
    return IndexedCeiling(year, indexation.apply_index(previous_cents, index.total), index)
