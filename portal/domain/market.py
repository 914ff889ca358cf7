"""The market of a DAS in a year, beside the top 5 / next 8 / rest split
(contract_management.market_concentration): how many providers bill 1% or less of the total, the
Herfindahl-Hirschman index, and how both move from year to year. Source: seed 003 §3.3 (in
Midden-Limburg in 2023, 104 providers billed 1% or less of the total each)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The index of a market one provider has to itself: (100%)².
HHI_MAX = 10_000


@dataclass(frozen=True)
class MarketYear:
    year: int
    providers: int  # with turnover in the year
    small_providers: int  # each billing 1% or less of the year's total
    hhi: int | None  # 0..10,000; None: no turnover, so no market to measure


def market_year(year: int, turnovers_cents: Iterable[int]) -> MarketYear:
    """The year's figures from each provider's turnover in cents (zero and negative turnovers
    are no share of the market). A share of exactly 1% counts as "1% or less"; the index is
    the sum of the squared percentage shares, rounded half up to a whole number, computed
    exactly (in integers) so that 10,000 means one provider and a rounding never adds up."""
    shares = [t for t in turnovers_cents if t > 0]
    total = sum(shares)
    if total == 0:
        return MarketYear(year, 0, 0, None)
    small = sum(1 for t in shares if t * 100 <= total)
    squares = sum(t * t for t in shares)
    # HHI = 10,000 · Σt² / total², rounded half up.
    hhi = (2 * HHI_MAX * squares + total * total) // (2 * total * total)
    return MarketYear(year, len(shares), small, hhi)


@dataclass(frozen=True)
class MarketMovement:
    """A year's figures and their change from the year before (None: nothing to compare)."""

    current: MarketYear
    previous: MarketYear | None

    @property
    def providers_change(self) -> int | None:
        if self.previous is None or self.previous.hhi is None or self.current.hhi is None:
            return None
        return self.current.providers - self.previous.providers

    @property
    def small_providers_change(self) -> int | None:
        if self.previous is None or self.previous.hhi is None or self.current.hhi is None:
            return None
        return self.current.small_providers - self.previous.small_providers

    @property
    def hhi_change(self) -> int | None:
        if self.previous is None or self.previous.hhi is None or self.current.hhi is None:
            return None
        return self.current.hhi - self.previous.hhi


def market_movement(years: Sequence[MarketYear]) -> list[MarketMovement]:
    """Each year beside the one before it, in year order. A change is only given between
    consecutive years that both had turnover."""
    ordered = sorted(years, key=lambda y: y.year)
    movements = []
    for index, current in enumerate(ordered):
        before = ordered[index - 1] if index else None
        previous = before if before is not None and before.year == current.year - 1 else None
        movements.append(MarketMovement(current, previous))
    return movements
