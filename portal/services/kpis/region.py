"""A DAS's region-specific KPIs over the years (seed 002: gezinshuizen, foster care): the region's
figure per year and the flag it raises. Rules: portal.domain.region_kpis."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.domain import region_kpis
from portal.extensions import db
from portal.models import Das, KpiDefinition, KpiValue
from portal.services.kpis.figures import TOTALS


@dataclass(frozen=True)
class RegionSeries:
    definition: KpiDefinition
    years: list[region_kpis.RegionYear]


def region_series(das: Das, last_year: int) -> list[RegionSeries]:
    """Per region-specific KPI, the years of the DAS's term up to `last_year`. One query however
    many providers and years: the definitions with every current figure of them."""
    first_year = das.term_start.year
    if last_year < first_year:
        return []
    definitions: dict[int, KpiDefinition] = {}
    rows: dict[int, list[tuple[int, date, Decimal]]] = defaultdict(list)
    figures = db.session.execute(
        db.select(KpiDefinition, KpiValue.agreement_id, KpiValue.period_start, KpiValue.value)
        .outerjoin(
            KpiValue,
            sa.and_(
                KpiValue.definition_id == KpiDefinition.id,
                KpiValue.period_start >= date(first_year, 1, 1),
                KpiValue.period_start < date(last_year + 1, 1, 1),
                KpiValue.is_current.is_(True),
                *TOTALS,
            ),
        )
        .where(KpiDefinition.das_id == das.id, KpiDefinition.region_specific.is_(True))
        .order_by(KpiDefinition.position, KpiDefinition.id)
    ).tuples()
    for definition, agreement_id, start, value in figures:
        definitions.setdefault(definition.id, definition)
        if agreement_id is not None and start is not None and value is not None:
            rows[definition.id].append((agreement_id, start, Decimal(value)))
    years = list(range(first_year, last_year + 1))
    return [
        RegionSeries(
            d,
            region_kpis.region_years(
                rows[d.id],
                years,
                Decimal(d.target),
                Decimal(d.threshold),
                d.higher_is_better,
                d.target_for_region,
            ),
        )
        for d in definitions.values()
    ]
