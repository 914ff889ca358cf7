"""Yearly indexation of tariffs and lump sums.

Sources: seed 000 ("Correctie indexering naar contractjaar 2023") and seed 003 §4.6.
- The index for year T is 90% OVA + 10% PPC (weights are settings), both prognoses made in T-1.
- When the definitive figures for a year are known, the difference (definitive - prognosis) is not
  applied to that year retroactively but added to the index of the following year.
- Seed 000 says why: "zodat er over het totaal van meerdere jaren bezien, geen verschil bestaat
  tussen de definitieve en de geraamde OVA en PPC". It assumes the definitive figures of T-1 are
  known when T is set; a November decision for the next year often comes before they are. Our
  choice (issue 18), keeping the seed's "over several years no difference": such a tariff sheet is
  published with the prognosis alone and the correction of T-1 is *carried*: it is added to the
  index of the first later year whose publication knows the definitive figures, each correction
  exactly once. So index(Y) = weighted prognosis(Y) + the sum of correction(c) for c = Y-1 and for
  every year carried out of Y-1's index, where correction(c) = weighted (definitive(c) -
  prognosis(c)); a correction whose definitive figures are still unknown is carried again.
- In a contract's first year there is no after-calculation (the year before was not indexed under
  the contract); years before the contract use their definitive figures (seed 000: the 2023
  budget is the 2021 base indexed with the definitive 2022 and the provisional 2023 index).
- Amounts are integer cents; a tariff rounds half-up to the cent (DOMAIN.md).
Worked figures (VNG, DOMAIN.md): 2025 = 0.9*4.18 + 0.1*1.82 + 0.9*(6.00-4.94) + 0.1*(3.10-2.51)
= 3.944 + 1.013 = 4.957%.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
# Figures outside this range need an explicit confirmation: a typo guard, not a law.
PLAUSIBLE_MIN = Decimal(-10)
PLAUSIBLE_MAX = Decimal(25)


@dataclass(frozen=True)
class Weights:
    ova: Decimal = Decimal("0.9")
    ppc: Decimal = Decimal("0.1")

    def __post_init__(self) -> None:
        if self.ova < 0 or self.ppc < 0 or self.ova + self.ppc != 1:
            raise ValueError("the weights must be non-negative and add up to 1")


@dataclass(frozen=True)
class YearFigures:
    """Percentages for one year, e.g. Decimal('4.94') for 4.94%."""

    year: int
    ova_prognosis: Decimal | None = None
    ppc_prognosis: Decimal | None = None
    ova_definitive: Decimal | None = None
    ppc_definitive: Decimal | None = None


class MissingFigure(ValueError):
    """A figure the computation needs is not there; names the year and the figure."""

    def __init__(self, year: int, figure: str) -> None:
        super().__init__(f"{figure} {year}")
        self.year = year
        self.figure = figure


@dataclass(frozen=True)
class IndexBreakdown:
    year: int
    prognosis_part: Decimal  # weighted prognoses for the year
    correction_part: Decimal  # the weighted (definitive - prognosis) of `corrected_years`
    corrected_years: tuple[int, ...] = ()  # corrections included in this index
    outstanding_years: tuple[int, ...] = ()  # corrections not yet known: carried to year+1
    definitive: bool = False  # a pre-contract year indexed with its definitive figures

    @property
    def total(self) -> Decimal:
        return self.prognosis_part + self.correction_part

    @property
    def correction_year(self) -> int | None:
        """The latest year whose correction is included, if any."""
        return self.corrected_years[-1] if self.corrected_years else None

    @property
    def factor(self) -> Decimal:
        return 1 + self.total / HUNDRED


def _need(value: Decimal | None, year: int, figure: str) -> Decimal:
    if value is None:
        raise MissingFigure(year, figure)
    return value


def index_for_year(
    year: int,
    figures: Mapping[int, YearFigures],
    weights: Weights,
    first_contract_year: int,
    carried: Collection[int] = (),
) -> IndexBreakdown:
    """The index (in percent) applied to go from year-1 to `year` (seed 000, "Correctie
    indexering"). `carried` are the corrections left outstanding by year-1's index (its
    `outstanding_years`); they are due now together with year-1's own, and any of them whose
    definitive figures are still unknown is carried again (see the module docstring)."""
    if year < first_contract_year:
        current = figures.get(year) or YearFigures(year)
        definitive = weights.ova * _need(
            current.ova_definitive, year, "OVA definitief"
        ) + weights.ppc * _need(current.ppc_definitive, year, "PPC definitief")
        return IndexBreakdown(year, definitive, Decimal(0), definitive=True)
    current = figures.get(year) or YearFigures(year)
    prognosis = weights.ova * _need(
        current.ova_prognosis, year, "OVA prognose"
    ) + weights.ppc * _need(current.ppc_prognosis, year, "PPC prognose")
    # In the contract's first year there is no after-calculation: the years before were not
    # indexed with a prognosis under the contract.
    due = sorted({c for c in (*carried, year - 1) if first_contract_year <= c < year})
    correction = Decimal(0)
    corrected: list[int] = []
    outstanding: list[int] = []
    for c in due:
        past = figures.get(c) or YearFigures(c)
        if past.ova_definitive is None or past.ppc_definitive is None:
            outstanding.append(c)
            continue
        correction += weights.ova * (
            past.ova_definitive - _need(past.ova_prognosis, c, "OVA prognose")
        ) + weights.ppc * (past.ppc_definitive - _need(past.ppc_prognosis, c, "PPC prognose"))
        corrected.append(c)
    return IndexBreakdown(year, prognosis, correction, tuple(corrected), tuple(outstanding))


def round_cents(amount: Decimal) -> int:
    """Half-up to the cent (DOMAIN.md)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_factors(cents: int, factors: Iterable[Decimal]) -> int:
    """Index an amount by several yearly factors, rounding once at the end."""
    amount = Decimal(cents)
    for factor in factors:
        amount *= factor
    return round_cents(amount)


def apply_index(cents: int, percent: Decimal) -> int:
    """Index an amount in cents by `percent` and round half-up to the cent."""
    return apply_factors(cents, [1 + percent / HUNDRED])


def is_plausible(percent: Decimal) -> bool:
    return PLAUSIBLE_MIN <= percent <= PLAUSIBLE_MAX


@dataclass(frozen=True)
class BudgetYear:
    year: int
    index: IndexBreakdown
    amount_cents: int


def lump_sum_series(
    base_cents: int,
    base_year: int,
    until_year: int,
    figures: Mapping[int, YearFigures],
    weights: Weights,
    first_contract_year: int,
) -> list[BudgetYear]:
    """A lump sum indexed year by year from its base year (seed 000): each year's budget is the
    previous year's budget times that year's index, rounded to the cent. A correction not yet
    known in one year is carried into the next, as for tariff sheets."""
    series = []
    amount = base_cents
    carried: tuple[int, ...] = ()
    for year in range(base_year + 1, until_year + 1):
        index = index_for_year(year, figures, weights, first_contract_year, carried)
        carried = index.outstanding_years
        amount = apply_index(amount, index.total)
        series.append(BudgetYear(year, index, amount))
    return series
