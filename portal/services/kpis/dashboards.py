"""KPI dashboards: a provider's series per KPI with the periods due, and a DAS's overview
(ranking, concentration, SROI) for its contract managers. Rules: portal.domain.contract_management."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import joinedload

from portal.domain import contract_management as rules
from portal.domain import money
from portal.extensions import db
from portal.models import (
    Das,
    FrameworkAgreement,
    KpiDefinition,
    KpiValue,
    SroiReport,
)
from portal.services.kpis.definitions import CLIENTS, TURNOVER, definitions_of
from portal.services.kpis.figures import (
    TOTALS,
    latest_per_agreement,
    live_agreements,
)
from portal.services.kpis.sroi import sroi_row, sroi_rules_of
from portal.services.kpis.sroi_turnover import measured_turnover
from portal.services.paging import Page, paginate_counted


@dataclass
class KpiSeries:
    definition: KpiDefinition
    # No flag for a KPI whose target is the region's (seed 002): one provider's share of the
    # region's gezinshuizen is not measured against the region's target.
    points: list[tuple[date, Decimal, rules.KpiFlag | None]]
    late: list[date]


def provider_dashboard(
    agreement: FrameworkAgreement, today: date, due_days: int
) -> list[KpiSeries]:
    """Per KPI the figures that count, their signals and the periods reported late. The
    corrected, earlier figures are a list of their own (`corrections_page`)."""
    values = db.session.scalars(
        db.select(KpiValue)
        .where(KpiValue.agreement_id == agreement.id, KpiValue.is_current.is_(True), *TOTALS)
        .order_by(KpiValue.period_start, KpiValue.id)
    ).all()
    by_definition: dict[int, list[KpiValue]] = defaultdict(list)
    for value in values:
        by_definition[value.definition_id].append(value)
    series = []
    for definition in definitions_of(agreement.das_id):
        rows = by_definition.get(definition.id, [])
        latest: dict[date, KpiValue] = {}
        for row in rows:
            latest[row.period_start] = row
        points = [
            (
                start,
                row.value,
                None
                if definition.target_for_region
                else rules.kpi_flag(
                    row.value, definition.target, definition.threshold, definition.higher_is_better
                ),
            )
            for start, row in sorted(latest.items())
        ]
        late = [
            start
            for start, _due in rules.late_kpi_periods(
                agreement.start_date, today, definition.period.value, due_days, set(latest)
            )
        ]
        series.append(KpiSeries(definition, points, late))
    return series


def corrections_page(agreement: FrameworkAgreement, number: int, per_page: int) -> Page[KpiValue]:
    """The earlier figures a correction replaced, the most recently reported first. Every
    correction adds one, for as long as the agreement runs: paged."""
    return paginate_counted(
        db.select(KpiValue)
        .options(joinedload(KpiValue.definition), joinedload(KpiValue.reported_by))
        .where(
            KpiValue.agreement_id == agreement.id,
            *TOTALS,
            KpiValue.is_current.is_(False),
        )
        .order_by(KpiValue.reported_at.desc(), KpiValue.id.desc()),
        number,
        per_page,
    )


def _year_figures(
    das_id: int, code: str, first: date, last: date
) -> tuple[dict[int, Decimal], dict[int, Decimal], dict[int, Decimal]]:
    """Over [first, last), the current report per agreement, period, lot and municipality (a
    correction adds a row and takes the flag), summed: per agreement its totals (rows without
    lot or municipality), and the breakdown rows per lot and per municipality. One pass over the
    DAS's current values instead of one per figure: this is the dashboard's heaviest read, over
    a million values nationally."""
    rows = db.session.execute(
        db.select(
            KpiValue.agreement_id,
            KpiValue.lot_id,
            KpiValue.authority_id,
            db.func.sum(KpiValue.value),
        )
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(
            KpiDefinition.das_id == das_id,
            KpiDefinition.code == code,
            KpiValue.period_start >= first,
            KpiValue.period_start < last,
            KpiValue.is_current.is_(True),
        )
        .group_by(KpiValue.agreement_id, KpiValue.lot_id, KpiValue.authority_id)
    ).tuples()
    totals: dict[int, Decimal] = {}
    per_lot: dict[int, Decimal] = defaultdict(Decimal)
    per_authority: dict[int, Decimal] = defaultdict(Decimal)
    for agreement_id, lot_id, authority_id, total in rows:
        amount = Decimal(total)
        if lot_id is None and authority_id is None:
            totals[agreement_id] = amount
        if lot_id is not None:
            per_lot[lot_id] += amount
        if authority_id is not None:
            per_authority[authority_id] += amount
    return totals, dict(per_lot), dict(per_authority)


@dataclass
class DasOverview:
    """A DAS's figures for a year. Turnover is reported as a KPI value in euros; here it is in
    cents, like every amount a service hands out."""

    year: int
    turnover_cents: dict[int, int]
    clients: dict[int, Decimal]
    concentration: rules.Concentration
    ranking: list[tuple[FrameworkAgreement, rules.Ranked]]
    sroi: list[tuple[FrameworkAgreement, int | None, int, rules.SroiStatus]]
    turnover_cents_per_lot: dict[int, int]
    turnover_cents_per_authority: dict[int, int]

    @property
    def total_turnover_cents(self) -> int:
        return sum(self.turnover_cents.values())

    @property
    def total_clients(self) -> Decimal:
        return sum(self.clients.values(), Decimal(0))


def das_overview(
    das: Das,
    year: int,
    today: date,
    clients_weight: Decimal,
    turnover_weight: Decimal,
    with_sroi: bool = True,
) -> DasOverview:
    """The DAS's figures for a year. `with_sroi=False` leaves the social-return rows out: the
    overview page shows them a page at a time (`sroi_page`), the export wants them all."""
    agreements = {a.id: a for a in live_agreements(das.id)}
    turnover, per_lot, per_authority = _year_figures(
        das.id, TURNOVER, date(year, 1, 1), date(year + 1, 1, 1)
    )
    turnover_cents = {a_id: money.cents_of(turnover.get(a_id, Decimal(0))) for a_id in agreements}
    clients = latest_per_agreement(das.id, CLIENTS)
    concentration = rules.market_concentration(money.cents_of(v) for v in turnover.values())
    figures = [
        rules.ProviderFigures(a_id, int(clients.get(a_id, 0)), turnover_cents[a_id])
        for a_id in agreements
    ]
    ranking = (
        [
            (agreements[r.provider_id], r)
            for r in rules.rank_providers(figures, clients_weight, turnover_weight, das.talks_top_n)
        ]
        if figures
        else []
    )
    sroi = []
    if with_sroi:
        rule = sroi_rules_of(das).for_year(year)
        measured = rule.measured_year(year)
        # The municipalities' reference turnover where entered, else the provider's (issue 21).
        previous = measured_turnover(das.id, measured)
        realised = dict(
            db.session.execute(
                db.select(SroiReport.agreement_id, db.func.sum(SroiReport.amount_cents))
                .where(SroiReport.year == year, SroiReport.agreement_id.in_(list(agreements)))
                .group_by(SroiReport.agreement_id)
            )
            .tuples()
            .all()
        )
        for a_id, agreement in agreements.items():
            sroi.append(
                sroi_row(rule, agreement, previous.get(a_id), realised.get(a_id), today, year)
            )
    sroi.sort(
        key=lambda row: (row[1] is None, -(row[1] or 0), row[0].organisation.legal_name, row[0].id)
    )
    return DasOverview(
        year,
        turnover_cents,
        {a: clients.get(a, Decimal(0)) for a in agreements},
        concentration,
        ranking,
        sroi,
        {lot_id: money.cents_of(v) for lot_id, v in per_lot.items()},
        {authority_id: money.cents_of(v) for authority_id, v in per_authority.items()},
    )
