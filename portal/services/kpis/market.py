"""The market of a DAS per year (seed 003 §3.3): providers billing 1% or less, the
Herfindahl-Hirschman index and their movement, from the turnover providers report as a KPI.
Rules: portal.domain.market."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from portal.domain import market, money
from portal.extensions import db
from portal.models import Das, KpiDefinition, KpiValue
from portal.services.kpis.definitions import TURNOVER
from portal.services.kpis.figures import TOTALS


def market_history(das: Das, year: int) -> list[market.MarketMovement]:
    """Each year of the DAS's term up to `year`, with its change from the year before. The
    turnover counted is the current report per agreement and period (as the concentration
    counts it), of every agreement that reported, summed per calendar year: one query."""
    first = das.term_start.year
    if year < first:
        return []
    reported_year = db.func.extract("year", KpiValue.period_start)
    rows = db.session.execute(
        db.select(KpiValue.agreement_id, reported_year, db.func.sum(KpiValue.value))
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(
            KpiDefinition.das_id == das.id,
            KpiDefinition.code == TURNOVER,
            KpiValue.period_start >= date(first, 1, 1),
            KpiValue.period_start < date(year + 1, 1, 1),
            KpiValue.is_current.is_(True),
            *TOTALS,
        )
        .group_by(KpiValue.agreement_id, reported_year)
    ).tuples()
    per_year: dict[int, list[int]] = defaultdict(list)
    for _agreement_id, reported, total in rows:
        per_year[int(reported)].append(money.cents_of(total))
    return market.market_movement(
        [market.market_year(y, per_year.get(y, [])) for y in range(first, year + 1)]
    )
