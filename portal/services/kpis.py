"""Contract management services: KPI definitions and reports, dashboards, contract talks and
SROI. Rules: portal.domain.contract_management."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from portal.domain import contract_management as rules
from portal.domain import money
from portal.extensions import db
from portal.models import (
    AgreementState,
    ContractTalk,
    Das,
    EvidenceDocument,
    FrameworkAgreement,
    KpiDefinition,
    KpiValue,
    Organisation,
    ReportingPeriod,
    Role,
    SroiReport,
    TalkAction,
    TalkKind,
    User,
)
from portal.services import Problem, RowError, ServiceError, transaction
from portal.services.audit import record
from portal.services.ownership import (
    require_administrator,
    require_contract_manager,
    require_provider_of,
)
from portal.services.paging import Page, paginate, paginate_counted

CLIENTS, TURNOVER = "CLIENTS", "TURNOVER"
# The national outcome set and seed 003 (DOMAIN.md "Contract management").
DEFAULT_KPIS = [
    (CLIENTS, "Cliënten in zorg", "aantal", True, "1", "0", "quarter", "0", None),
    (TURNOVER, "Omzet excl. btw", "euro", True, "0", "0", "quarter", "0", None),
    ("DROPOUT", "Uitval (voortijdig beëindigd)", "%", False, "10", "20", "quarter", "0", "100"),
    ("SATISFACTION", "Cliënttevredenheid", "cijfer 1-10", True, "7.5", "6", "half_year", "1",
     "10"),
    ("GOALS", "Doelrealisatie", "%", True, "70", "50", "half_year", "0", "100"),
    ("WAITING", "Gemiddelde wachttijd", "dagen", False, "28", "42", "quarter", "0", None),
]  # fmt: skip


def definitions_of(das_id: int) -> list[KpiDefinition]:
    return list(
        db.session.scalars(
            db.select(KpiDefinition)
            .where(KpiDefinition.das_id == das_id)
            .order_by(KpiDefinition.position, KpiDefinition.id)
        )
    )


def ensure_default_kpis(admin: User, das: Das) -> list[str]:
    """Add the national outcome set's KPIs the DAS does not define yet; the codes added."""
    require_administrator(admin)
    existing = {d.code for d in definitions_of(das.id)}
    added = []
    for position, (code, name, unit, higher, target, threshold, period, low, high) in enumerate(
        DEFAULT_KPIS, start=1
    ):
        if code not in existing:
            db.session.add(
                KpiDefinition(
                    das_id=das.id,
                    code=code,
                    name=name,
                    unit=unit,
                    higher_is_better=higher,
                    target=Decimal(target),
                    threshold=Decimal(threshold),
                    period=ReportingPeriod(period),
                    min_value=Decimal(low) if low else None,
                    max_value=Decimal(high) if high else None,
                    position=position,
                )
            )
            added.append(code)
    if added:
        record("kpi.defaults_added", das, admin, das_id=das.id, codes=added)
    db.session.commit()
    return added


def save_definition(
    admin: User,
    das: Das,
    definition: KpiDefinition | None,
    code: str,
    name: str,
    unit: str,
    higher_is_better: bool,
    target: Decimal,
    threshold: Decimal,
    period: ReportingPeriod,
) -> KpiDefinition:
    require_administrator(admin)
    code = code.strip().upper()
    if any(d.code == code and d is not definition for d in definitions_of(das.id)):
        raise ServiceError("kpi_code_taken", kpi_code=code)
    if (higher_is_better and threshold > target) or (not higher_is_better and threshold < target):
        raise ServiceError("threshold_beyond_target")
    if definition is None:
        definition = KpiDefinition(das_id=das.id, position=len(definitions_of(das.id)) + 1)
        db.session.add(definition)
    definition.code, definition.name, definition.unit = code, name.strip(), unit.strip()
    definition.higher_is_better, definition.target, definition.threshold = (
        higher_is_better,
        target,
        threshold,
    )
    definition.period = period
    record("kpi.defined", das, admin, das_id=das.id, code=code)
    db.session.commit()
    return definition


# --- reporting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    definition: KpiDefinition
    period_start: date
    value: Decimal
    lot_id: int | None = None  # a breakdown row; None for the provider's total
    authority_id: int | None = None


def check_figure(
    agreement: FrameworkAgreement,
    definition: KpiDefinition,
    period_start: date,
    value: Decimal,
    today: date,
) -> Problem | None:
    """What is wrong with one figure, or None."""
    kpi = definition.name
    if not Decimal(value).is_finite() or abs(value) >= money.MAX_FIGURE:
        return Problem("figure_not_storable", kpi=kpi)
    if definition.min_value is not None and value < definition.min_value:
        return Problem("figure_below_minimum", kpi=kpi, minimum=Decimal(definition.min_value))
    if definition.max_value is not None and value > definition.max_value:
        return Problem("figure_above_maximum", kpi=kpi, maximum=Decimal(definition.max_value))
    if rules.next_period(period_start, definition.period.value) > today:
        return Problem(
            "period_not_over",
            kpi=kpi,
            period=rules.period_label(period_start, definition.period.value),
        )
    if rules.next_period(period_start, definition.period.value) <= agreement.start_date:
        return Problem("agreement_not_yet_running", kpi=kpi)
    return None


def _same_breakdown(
    lot_id: int | None, authority_id: int | None
) -> tuple[sa.ColumnElement[bool], sa.ColumnElement[bool]]:
    return (
        KpiValue.lot_id.is_(None) if lot_id is None else KpiValue.lot_id == lot_id,
        KpiValue.authority_id.is_(None)
        if authority_id is None
        else KpiValue.authority_id == authority_id,
    )


TOTALS = (KpiValue.lot_id.is_(None), KpiValue.authority_id.is_(None))


def current_value(
    agreement_id: int,
    definition_id: int,
    period_start: date,
    lot_id: int | None = None,
    authority_id: int | None = None,
) -> KpiValue | None:
    return db.session.scalar(
        db.select(KpiValue)
        .where(
            KpiValue.agreement_id == agreement_id,
            KpiValue.definition_id == definition_id,
            KpiValue.period_start == period_start,
            *_same_breakdown(lot_id, authority_id),
        )
        .order_by(KpiValue.id.desc())
        .limit(1)
    )


@transaction
def report(
    user: User,
    agreement: FrameworkAgreement,
    figures: list[Figure],
    reason: str,
    today: date,
    now: datetime,
) -> None:
    """Store figures; all or nothing. A figure for a period already reported is a correction
    and needs a reason (the earlier value stays in the history). Staff may only correct, with a
    reason."""
    if user.role is Role.PROVIDER:
        require_provider_of(user, agreement.organisation_id)
    else:
        require_contract_manager(user, agreement.das_id)
    problems = [
        p
        for f in figures
        if (p := check_figure(agreement, f.definition, f.period_start, f.value, today))
    ]
    if problems:
        raise ServiceError("figures_refused", problems=problems)
    keys = [(f.definition.id, f.period_start, f.lot_id, f.authority_id) for f in figures]
    if len(keys) != len(set(keys)):
        raise ServiceError("duplicate_figure")
    corrections = [
        f
        for f in figures
        if current_value(agreement.id, f.definition.id, f.period_start, f.lot_id, f.authority_id)
        is not None
    ]
    if (corrections or user.role is not Role.PROVIDER) and not reason.strip():
        raise ServiceError("correction_reason_required")
    for figure in figures:
        db.session.add(
            KpiValue(
                agreement_id=agreement.id,
                definition_id=figure.definition.id,
                period_start=figure.period_start,
                lot_id=figure.lot_id,
                authority_id=figure.authority_id,
                value=figure.value,
                reason=reason.strip(),
                reported_at=now,
                reported_by_id=user.id,
            )
        )
    record(
        "kpi.reported",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        figures=len(figures),
        corrections=len(corrections),
        reason=reason.strip(),
    )
    db.session.commit()


def parse_rows(
    agreement: FrameworkAgreement, rows: list[list[str]], today: date
) -> tuple[list[Figure], list[RowError]]:
    """Rows of (kpi, periode, waarde) after a header; every wrong row is reported."""
    if not rows:
        return [], [RowError(1, Problem("file_empty"))]
    header = [c.strip().lower() for c in rows[0]]
    try:
        code_col, period_col, value_col = (header.index(n) for n in ("kpi", "periode", "waarde"))
    except ValueError:
        return [], [RowError(1, Problem("kpi_file_columns"))]
    definitions = {d.code: d for d in definitions_of(agreement.das_id)}
    lot_col = header.index("perceel") if "perceel" in header else None
    authority_col = header.index("gemeente") if "gemeente" in header else None
    lots = {al.lot.code.upper(): al.lot_id for al in agreement.lots if al.is_current}
    authorities: dict[str, int] = {}
    for authority in agreement.das.authorities:
        authorities[authority.name.upper()] = authority.id
        if authority.cbs_code:
            authorities[authority.cbs_code.upper()] = authority.id
    figures: list[Figure] = []
    errors: list[RowError] = []
    seen: dict[tuple[int, date, int | None, int | None], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = [str(c).strip() for c in row] + [""] * 5
        if not any(cells):
            continue
        definition = definitions.get(cells[code_col].upper())
        if definition is None:
            errors.append(RowError(number, Problem("unknown_kpi", kpi_code=cells[code_col])))
            continue
        try:
            start = rules.parse_period(cells[period_col], definition.period.value)
        except ValueError:
            errors.append(
                RowError(
                    number,
                    Problem("period_does_not_fit", period=cells[period_col], kpi=definition.name),
                )
            )
            continue
        try:
            value = money.parse_figure(cells[value_col])
        except money.AmountTooLarge:
            errors.append(RowError(number, Problem("figure_not_storable", kpi=definition.name)))
            continue
        except money.NotAnAmount:
            errors.append(RowError(number, Problem("not_a_number", text=cells[value_col])))
            continue
        lot_id = authority_id = None
        if lot_col is not None and cells[lot_col]:
            lot_id = lots.get(cells[lot_col].upper())
            if lot_id is None:
                errors.append(RowError(number, Problem("lot_not_in_agreement", lot=cells[lot_col])))
                continue
        if authority_col is not None and cells[authority_col]:
            authority_id = authorities.get(cells[authority_col].upper())
            if authority_id is None:
                errors.append(
                    RowError(
                        number, Problem("authority_not_in_das", authority=cells[authority_col])
                    )
                )
                continue
        key = (definition.id, start, lot_id, authority_id)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    Problem(
                        "figure_repeated",
                        kpi=definition.name,
                        period=cells[period_col],
                        row=seen[key],
                    ),
                )
            )
            continue
        seen[key] = number
        if problem := check_figure(agreement, definition, start, value, today):
            errors.append(RowError(number, problem))
            continue
        figures.append(Figure(definition, start, value, lot_id, authority_id))
    return figures, errors


# --- dashboards ----------------------------------------------------------------------------


@dataclass
class KpiSeries:
    definition: KpiDefinition
    points: list[tuple[date, Decimal, rules.KpiFlag]]
    late: list[date]


def _latest_ids(agreement_id: int) -> sa.Select[tuple[int]]:
    """The figure that counts per KPI and period: the last one reported (a correction adds a
    row)."""
    return (
        db.select(db.func.max(KpiValue.id))
        .where(KpiValue.agreement_id == agreement_id, *TOTALS)
        .group_by(KpiValue.definition_id, KpiValue.period_start)
    )


def provider_dashboard(
    agreement: FrameworkAgreement, today: date, due_days: int
) -> list[KpiSeries]:
    """Per KPI the figures that count, their signals and the periods reported late. The
    corrected, earlier figures are a list of their own (`corrections_page`)."""
    values = db.session.scalars(
        db.select(KpiValue)
        .where(KpiValue.id.in_(_latest_ids(agreement.id)))
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
            latest[row.period_start] = row  # ordered by id: the last one counts
        points = [
            (
                start,
                row.value,
                rules.kpi_flag(
                    row.value, definition.target, definition.threshold, definition.higher_is_better
                ),
            )
            for start, row in sorted(latest.items())
        ]
        due = [
            start
            for start in rules.completed_periods(
                agreement.start_date, today, definition.period.value
            )
            if rules.next_period(start, definition.period.value) + timedelta(days=due_days) <= today
        ]
        late = [start for start in due if start not in latest]
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
            KpiValue.id.not_in(_latest_ids(agreement.id)),
        )
        .order_by(KpiValue.reported_at.desc(), KpiValue.id.desc()),
        number,
        per_page,
    )


# The agreements the overview counts: running, or about to (signature) or paused (suspension).
LIVE_STATES = (AgreementState.LIVE, AgreementState.AWAITING_SIGNATURE, AgreementState.SUSPENDED)


def _live_agreements(das_id: int) -> list[FrameworkAgreement]:
    # The overview names each provider: load the organisations with the agreements, not one query per row.
    return list(
        db.session.scalars(
            db.select(FrameworkAgreement)
            .options(selectinload(FrameworkAgreement.organisation))
            .where(
                FrameworkAgreement.das_id == das_id,
                FrameworkAgreement.state.in_(LIVE_STATES),
            )
        )
    )


def _sums_query(das_id: int, code: str, first: date, last: date) -> sa.Select[tuple[int, Decimal]]:
    """The latest reported value per agreement and period, summed over [first, last), in SQL:
    rows of (agreement_id, total)."""
    latest = (
        db.select(db.func.max(KpiValue.id).label("id"))
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(
            KpiDefinition.das_id == das_id,
            KpiDefinition.code == code,
            KpiValue.period_start >= first,
            KpiValue.period_start < last,
            *TOTALS,
        )
        .group_by(KpiValue.agreement_id, KpiValue.period_start)
        .subquery()
    )
    return (
        db.select(KpiValue.agreement_id, db.func.sum(KpiValue.value).label("total"))
        .where(KpiValue.id.in_(db.select(latest.c.id)))
        .group_by(KpiValue.agreement_id)
    )


def _sum_per_agreement(das_id: int, code: str, first: date, last: date) -> dict[int, Decimal]:
    rows = db.session.execute(_sums_query(das_id, code, first, last)).tuples().all()
    return {agreement_id: Decimal(total) for agreement_id, total in rows}


def _latest_per_agreement(das_id: int, code: str) -> dict[int, Decimal]:
    latest = (
        db.select(KpiValue.agreement_id, db.func.max(KpiValue.period_start).label("start"))
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(KpiDefinition.das_id == das_id, KpiDefinition.code == code, *TOTALS)
        .group_by(KpiValue.agreement_id)
        .subquery()
    )
    rows = (
        db.session.execute(
            db.select(KpiValue.agreement_id, KpiValue.value, KpiValue.id)
            .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
            .join(
                latest,
                (latest.c.agreement_id == KpiValue.agreement_id)
                & (latest.c.start == KpiValue.period_start),
            )
            .where(KpiDefinition.code == code, KpiDefinition.das_id == das_id, *TOTALS)
            .order_by(KpiValue.id)
        )
        .tuples()
        .all()
    )
    result: dict[int, Decimal] = {}
    for agreement_id, value, _id in rows:
        result[agreement_id] = Decimal(value)
    return result


def _year_figures(
    das_id: int, code: str, first: date, last: date
) -> tuple[dict[int, Decimal], dict[int, Decimal], dict[int, Decimal]]:
    """Over [first, last), the latest report per agreement, period, lot and municipality (a
    correction adds a row), summed: per agreement its totals (rows without lot or municipality),
    and the breakdown rows per lot and per municipality. One pass over the DAS's values instead
    of one per figure: this is the dashboard's heaviest read, over a million values nationally."""
    latest = (
        db.select(db.func.max(KpiValue.id).label("id"))
        .join(KpiDefinition, KpiDefinition.id == KpiValue.definition_id)
        .where(
            KpiDefinition.das_id == das_id,
            KpiDefinition.code == code,
            KpiValue.period_start >= first,
            KpiValue.period_start < last,
        )
        .group_by(
            KpiValue.agreement_id, KpiValue.period_start, KpiValue.lot_id, KpiValue.authority_id
        )
        .subquery()
    )
    rows = db.session.execute(
        db.select(
            KpiValue.agreement_id,
            KpiValue.lot_id,
            KpiValue.authority_id,
            db.func.sum(KpiValue.value),
        )
        .where(KpiValue.id.in_(db.select(latest.c.id)))
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
    agreements = {a.id: a for a in _live_agreements(das.id)}
    turnover, per_lot, per_authority = _year_figures(
        das.id, TURNOVER, date(year, 1, 1), date(year + 1, 1, 1)
    )
    turnover_cents = {a_id: money.cents_of(turnover.get(a_id, Decimal(0))) for a_id in agreements}
    clients = _latest_per_agreement(das.id, CLIENTS)
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
        previous = _sum_per_agreement(das.id, TURNOVER, date(year - 1, 1, 1), date(year, 1, 1))
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
                _sroi_row(das, agreement, previous.get(a_id), realised.get(a_id), today, year)
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


# --- talks and SROI ------------------------------------------------------------------------


SroiRow = tuple[FrameworkAgreement, int | None, int, rules.SroiStatus]


def _sroi_row(
    das: Das,
    agreement: FrameworkAgreement,
    previous_turnover: Decimal | None,
    realised_cents: int | None,
    today: date,
    year: int,
) -> SroiRow:
    obligation = rules.sroi_obligation(
        money.cents_of(previous_turnover or Decimal(0)),
        das.sroi_threshold_cents,
        Decimal(das.sroi_percent),
    )
    done = int(realised_cents or 0)
    return agreement, obligation, done, rules.sroi_status(obligation, done, today, year)


def sroi_page(das: Das, year: int, today: date, number: int, per_page: int) -> Page[SroiRow]:
    """One page of the social-return table: the live agreements by last year's turnover, highest
    first (the obligation grows with it; below the threshold there is none), then by name. The
    same order as `das_overview(...).sroi`, sorted and cut in SQL, so a page costs the same
    however many agreements there are."""
    previous = _sums_query(das.id, TURNOVER, date(year - 1, 1, 1), date(year, 1, 1)).subquery()
    realised = (
        db.select(SroiReport.agreement_id, db.func.sum(SroiReport.amount_cents).label("total"))
        .where(SroiReport.year == year)
        .group_by(SroiReport.agreement_id)
        .subquery()
    )
    query = (
        db.select(FrameworkAgreement, previous.c.total, realised.c.total)
        .join(Organisation, Organisation.id == FrameworkAgreement.organisation_id)
        .outerjoin(previous, previous.c.agreement_id == FrameworkAgreement.id)
        .outerjoin(realised, realised.c.agreement_id == FrameworkAgreement.id)
        .options(contains_eager(FrameworkAgreement.organisation))
        .where(FrameworkAgreement.das_id == das.id, FrameworkAgreement.state.in_(LIVE_STATES))
        .order_by(
            # Below the threshold there is no obligation: those rows follow, by name.
            db.case(
                (previous.c.total * 100 > das.sroi_threshold_cents, previous.c.total), else_=0
            ).desc(),
            Organisation.legal_name,
            FrameworkAgreement.id,
        )
    )
    found = paginate(query, number, per_page, scalars=False)
    rows = [
        _sroi_row(das, agreement, None if prev is None else Decimal(prev), done, today, year)
        for agreement, prev, done in found.items
    ]
    return Page(rows, found.total, found.number, found.per_page)


def log_talk(
    user: User,
    agreement: FrameworkAgreement,
    kind: TalkKind,
    held_on: date,
    participants: str,
    agreements_made: str,
    actions: list[tuple[str, str, date]],
) -> ContractTalk:
    require_contract_manager(user, agreement.das_id)
    if not participants.strip():
        raise ServiceError("participants_required")
    talk = ContractTalk(
        agreement_id=agreement.id,
        kind=kind,
        held_on=held_on,
        participants=participants.strip(),
        agreements_made=agreements_made.strip(),
        created_by_id=user.id,
    )
    for description, owner, due_on in actions:
        talk.actions.append(TalkAction(description=description, owner=owner, due_on=due_on))
    db.session.add(talk)
    record(
        "talk.logged",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        kind=kind.value,
        held_on=held_on.isoformat(),
    )
    db.session.commit()
    return talk


def talks_of(agreement: FrameworkAgreement) -> list[ContractTalk]:
    return list(
        db.session.scalars(
            db.select(ContractTalk)
            .options(selectinload(ContractTalk.actions))  # listed with each talk
            .where(ContractTalk.agreement_id == agreement.id)
            .order_by(ContractTalk.held_on.desc())
        )
    )


def report_sroi(
    user: User,
    agreement: FrameworkAgreement,
    year: int,
    activity: str,
    amount_cents: int,
    pso_level: str,
    now: datetime,
    document_id: int | None = None,
) -> SroiReport:
    require_provider_of(user, agreement.organisation_id)
    if not activity.strip():
        raise ServiceError("sroi_activity_required")
    if amount_cents <= 0:
        raise ServiceError("sroi_amount_positive")
    if document_id is not None:
        document = db.session.get(EvidenceDocument, document_id)
        if document is None or document.organisation_id != agreement.organisation_id:
            raise ServiceError("unknown_document")
    row = SroiReport(
        agreement_id=agreement.id,
        year=year,
        activity=activity.strip(),
        amount_cents=amount_cents,
        pso_level=pso_level.strip(),
        document_id=document_id,
        reported_at=now,
        reported_by_id=user.id,
    )
    db.session.add(row)
    record(
        "sroi.reported",
        agreement,
        user,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
        amount_cents=amount_cents,
    )
    db.session.commit()
    return row


def sroi_reports_of(agreement: FrameworkAgreement) -> list[SroiReport]:
    return list(
        db.session.scalars(
            db.select(SroiReport)
            .where(SroiReport.agreement_id == agreement.id)
            .order_by(SroiReport.year.desc(), SroiReport.id)
        )
    )


def kpi_reminders(today: date, due_days: int, warn_days: int = 7) -> int:
    """Remind providers of KPI reports due within `warn_days`, and of those overdue (run daily;
    a reminder goes out on the day a period becomes due-soon and on the day it becomes late, so
    nobody is mailed every day). Returns the number of mails sent."""
    from portal import mail

    sent = 0
    for agreement in db.session.scalars(
        db.select(FrameworkAgreement).where(FrameworkAgreement.state == AgreementState.LIVE)
    ):
        series = provider_dashboard(agreement, today, due_days)
        soon, late = [], []
        for s in series:
            reported = {start for start, _v, _f in s.points}
            for start in rules.completed_periods(
                agreement.start_date, today, s.definition.period.value
            ):
                due = rules.next_period(start, s.definition.period.value) + timedelta(days=due_days)
                label = (
                    f"{s.definition.name} {rules.period_label(start, s.definition.period.value)}"
                )
                if start in reported:
                    continue
                if due - timedelta(days=warn_days) == today:
                    soon.append((label, due))
                elif due == today:
                    late.append((label, due))
        if not soon and not late:
            continue
        for user in db.session.scalars(
            db.select(User).where(
                User.organisation_id == agreement.organisation_id, User.is_active_account.is_(True)
            )
        ):
            mail.send(
                user.email,
                _l("Cijfers melden: %(das)s", das=agreement.das.name),
                "kpi_reminder",
                user=user,
                agreement=agreement,
                soon=soon,
                late=late,
                link=mail.link("supplier.kpi_report", agreement_id=agreement.id),
            )
            sent += 1
    return sent


def values_of(agreement: FrameworkAgreement) -> list[KpiValue]:
    """Every reported row, corrections and breakdowns included, for the export."""
    return list(
        db.session.scalars(
            db.select(KpiValue)
            .where(KpiValue.agreement_id == agreement.id)
            .order_by(KpiValue.period_start, KpiValue.definition_id, KpiValue.id)
        )
    )


def save_settings(
    admin: User, das: Das, sroi_threshold_cents: int, sroi_percent: Decimal, talks_top_n: int
) -> None:
    require_administrator(admin)
    das.sroi_threshold_cents = sroi_threshold_cents
    das.sroi_percent = sroi_percent
    das.talks_top_n = talks_top_n
    record(
        "management_settings.saved",
        das,
        admin,
        das_id=das.id,
        sroi_threshold_cents=sroi_threshold_cents,
        sroi_percent=str(sroi_percent),
        talks_top_n=talks_top_n,
    )
    db.session.commit()
