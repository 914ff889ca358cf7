"""A lump-sum agreement (seed 000): its ceiling per year, agreed once and then indexed as the
tariffs are, every change a variation of the agreement; and the mutual 3% valve: the provider
reports its audited result for a year, and a result beyond 3% of the ceiling either way is a
review task for the contract managers (services/staff_tasks.py) until one of them records the
outcome. Rules: portal.domain.lump_sums.

An agreement is a lump-sum agreement once a contract manager agrees its first ceiling; the DAS's
`LumpSum` budgets per municipality (services/tariffs.py) are the region's side of the same money
and stay as they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.numbers import format_decimal
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.domain import indexation, money
from portal.domain import lump_sums as rules
from portal.extensions import db
from portal.models import (
    AgreementState,
    AgreementVariation,
    CeilingBasis,
    FrameworkAgreement,
    LumpSumCeiling,
    LumpSumResult,
    User,
    VariationKind,
)
from portal.services import ServiceError, transaction
from portal.services.audit import record
from portal.services.ownership import require_contract_manager, require_provider_of
from portal.services.tariffs import figures_of, weights_of

# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NextIndex:
    """The ceiling the next year would get by indexation, or why it cannot be computed yet."""

    year: int
    ceiling: rules.IndexedCeiling | None
    missing: indexation.MissingFigure | None


@dataclass(frozen=True)
class LumpSumState:
    history: list[LumpSumCeiling]  # every ceiling ever set, oldest first
    results: list[LumpSumResult]  # by year

    @property
    def is_lump_sum(self) -> bool:
        return bool(self.history)

    @property
    def ceilings(self) -> list[LumpSumCeiling]:
        """The ceiling in force per year (the latest row of each year), by year."""
        latest: dict[int, LumpSumCeiling] = {}
        for ceiling in self.history:
            latest[ceiling.year] = ceiling
        return [latest[year] for year in sorted(latest)]

    def ceiling_of(self, year: int) -> LumpSumCeiling | None:
        return next((c for c in self.ceilings if c.year == year), None)

    @property
    def open_reviews(self) -> list[LumpSumResult]:
        return [r for r in self.results if r.needs_review]

    def years_to_report(self, today: date) -> list[int]:
        """Ended years with a ceiling and no audited result yet."""
        reported = {r.year for r in self.results}
        return [c.year for c in self.ceilings if c.year < today.year and c.year not in reported]


def state_of(agreement: FrameworkAgreement) -> LumpSumState:
    """The agreement's ceilings and results: two queries, however many years."""
    history = db.session.scalars(
        db.select(LumpSumCeiling)
        .where(LumpSumCeiling.agreement_id == agreement.id)
        .options(joinedload(LumpSumCeiling.actor), joinedload(LumpSumCeiling.variation))
        .order_by(LumpSumCeiling.id)  # in the order things happened
    ).all()
    results = db.session.scalars(
        db.select(LumpSumResult)
        .where(LumpSumResult.agreement_id == agreement.id)
        .order_by(LumpSumResult.year)
    ).all()
    return LumpSumState(list(history), list(results))


def _first_year(state: LumpSumState) -> int:
    """The year of the first agreed ceiling: no index correction reaches back before it."""
    return min(c.year for c in state.history if c.basis is CeilingBasis.AGREED)


def next_index(agreement: FrameworkAgreement, state: LumpSumState) -> NextIndex | None:
    """The year after the last ceiling, indexed from it; None when there is no ceiling yet or the
    agreement ends before that year."""
    ceilings = state.ceilings
    if not ceilings:
        return None
    last = ceilings[-1]
    year = last.year + 1
    if year > agreement.end_date.year:
        return None
    try:
        ceiling = rules.indexed_ceiling(
            last.amount_cents,
            year,
            figures_of(agreement.das_id),
            weights_of(agreement.das),
            _first_year(state),
            last.outstanding,
        )
    except indexation.MissingFigure as error:
        return NextIndex(year, None, error)
    return NextIndex(year, ceiling, None)


# --- the ceiling -------------------------------------------------------------------------------


def _lock(agreement: FrameworkAgreement) -> None:
    """Changes to one agreement's ceilings take turns (a row lock on PostgreSQL; SQLite has one
    writer at a time), so two clicks cannot index the same year twice."""
    db.session.execute(
        db.select(FrameworkAgreement.id)
        .where(FrameworkAgreement.id == agreement.id)
        .with_for_update()
    )


def _check_year(agreement: FrameworkAgreement, year: int) -> None:
    if agreement.state is AgreementState.ENDED:
        raise ServiceError("agreement_ended")
    if not agreement.start_date.year <= year <= agreement.end_date.year:
        raise ServiceError(
            "ceiling_year_outside_term",
            first=agreement.start_date.year,
            last=agreement.end_date.year,
        )


def _vary(
    agreement: FrameworkAgreement, ceiling: LumpSumCeiling, description: str
) -> AgreementVariation:
    variation = AgreementVariation(
        agreement_id=agreement.id,
        kind=VariationKind.LUMP_SUM,
        effective_on=date(ceiling.year, 1, 1),
        description=description,
    )
    db.session.add(variation)
    ceiling.variation = variation
    return variation


@transaction
def agree_ceiling(
    manager: User,
    agreement: FrameworkAgreement,
    year: int,
    amount_cents: int,
    reason: str,
    now: datetime,
) -> LumpSumCeiling:
    """The ceiling of `year` as the parties agreed it: the first year's (seed 000: EUR 1,674,811
    for 2023), or a revision (herijking, e.g. after a review beyond the valve). The year's ceiling
    before stays in the history; later years already indexed stay as they are until indexed
    again."""
    require_contract_manager(manager, agreement.das_id)
    _check_year(agreement, year)
    if amount_cents <= 0:
        raise ServiceError("ceiling_not_positive")
    reason = reason.strip()
    _lock(agreement)
    earlier = state_of(agreement).ceiling_of(year)
    if earlier is not None and not reason:
        raise ServiceError("ceiling_revision_needs_reason")
    ceiling = LumpSumCeiling(
        agreement_id=agreement.id,
        year=year,
        amount_cents=amount_cents,
        basis=CeilingBasis.AGREED,
        reason=reason,
        actor_id=manager.id,
        created_at=now,
    )
    db.session.add(ceiling)
    amount = money.format_money(amount_cents, "nl")
    what = "herzien" if earlier is not None else "vastgesteld"
    _vary(
        agreement,
        ceiling,
        f"Plafondbedrag {year}: {amount} ({what})." + (f" {reason}" if reason else ""),
    )
    record(
        "lump_sum.ceiling_agreed",
        agreement,
        manager,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
        amount_cents=amount_cents,
        previous_cents=earlier.amount_cents if earlier is not None else None,
    )
    db.session.commit()
    return ceiling


@transaction
def index_ceiling(
    manager: User, agreement: FrameworkAgreement, year: int, now: datetime
) -> LumpSumCeiling:
    """The ceiling of `year`: the year before's indexed as the tariffs are (seed 000). `year` is
    the one the page offered (the year after the last ceiling), so a second click, or a ceiling
    set meanwhile, is refused rather than indexed twice."""
    require_contract_manager(manager, agreement.das_id)
    _check_year(agreement, year)
    _lock(agreement)
    state = state_of(agreement)
    found = next_index(agreement, state)
    if found is None or found.year != year:
        raise ServiceError("ceiling_not_next_year")
    if found.missing is not None or found.ceiling is None:
        missing = found.missing or indexation.MissingFigure(year, "")
        raise ServiceError("index_figure_missing", figure=missing.figure, year=missing.year)
    index = found.ceiling.index
    ceiling = LumpSumCeiling(
        agreement_id=agreement.id,
        year=year,
        amount_cents=found.ceiling.amount_cents,
        basis=CeilingBasis.INDEXED,
        index_total=index.total,
        prognosis_part=index.prognosis_part,
        correction_part=index.correction_part,
        corrected_years=" ".join(str(y) for y in index.corrected_years),
        outstanding_years=" ".join(str(y) for y in index.outstanding_years),
        actor_id=manager.id,
        created_at=now,
    )
    db.session.add(ceiling)
    amount = money.format_money(ceiling.amount_cents, "nl")
    percent = format_decimal(index.total, format="0.###", locale="nl")
    _vary(agreement, ceiling, f"Plafondbedrag {year}: {amount} (geïndexeerd met {percent}%).")
    record(
        "lump_sum.ceiling_indexed",
        agreement,
        manager,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
        amount_cents=ceiling.amount_cents,
        index=str(index.total),
    )
    db.session.commit()
    return ceiling


# --- the valve ---------------------------------------------------------------------------------


@transaction
def report_result(
    provider: User,
    agreement: FrameworkAgreement,
    year: int,
    result_cents: int,
    auditor: str,
    now: datetime,
    today: date,
) -> LumpSumResult:
    """The provider's audited operating result for an ended year (seed 000: "op basis van de
    controleverklaring van de accountant"), held against that year's ceiling. Once per year: a
    mistake is put right with the contract manager, who sees the figures. Beyond the valve the
    result waits as a review task for the contract managers."""
    require_provider_of(provider, agreement.organisation_id)
    auditor = auditor.strip()
    if not auditor:
        raise ServiceError("auditor_missing")
    if year >= today.year:
        raise ServiceError("result_year_not_ended")
    state = state_of(agreement)
    ceiling = state.ceiling_of(year)
    if ceiling is None:
        raise ServiceError("no_ceiling_for_year", year=year)
    if any(r.year == year for r in state.results):
        raise ServiceError("result_already_reported", year=year)
    outcome = rules.valve(result_cents, ceiling.amount_cents)
    result = LumpSumResult(
        agreement_id=agreement.id,
        year=year,
        result_cents=result_cents,
        ceiling_cents=ceiling.amount_cents,
        within_valve=outcome.within,
        auditor=auditor,
        reported_by_id=provider.id,
        reported_at=now,
    )
    db.session.add(result)
    try:
        db.session.flush()
    except IntegrityError:  # reported at the same moment in another tab
        db.session.rollback()
        raise ServiceError("result_already_reported", year=year) from None
    record(
        "lump_sum.result_reported",
        agreement,
        provider,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=year,
        result_cents=result_cents,
        ceiling_cents=ceiling.amount_cents,
        percent=str(outcome.percent),
        within_valve=outcome.within,
    )
    db.session.commit()
    return result


@transaction
def close_review(manager: User, result: LumpSumResult, note: str, now: datetime) -> None:
    """The contract manager records what the parties concluded on a result beyond the valve (no
    change, or a revised ceiling: agreed separately with `agree_ceiling`); the task is done."""
    agreement = result.agreement
    require_contract_manager(manager, agreement.das_id)
    note = note.strip()
    if not note:
        raise ServiceError("review_note_missing")
    if not result.needs_review:
        raise ServiceError("review_not_open")
    result.reviewed_at = now
    result.reviewed_by_id = manager.id
    result.review_note = note
    record(
        "lump_sum.result_reviewed",
        agreement,
        manager,
        organisation_id=agreement.organisation_id,
        das_id=agreement.das_id,
        year=result.year,
    )
    db.session.commit()


def result_of(agreement: FrameworkAgreement, result_id: int) -> LumpSumResult | None:
    """One of this agreement's results (None for another agreement's: the caller says 404)."""
    found = db.session.get(LumpSumResult, result_id)
    return found if found is not None and found.agreement_id == agreement.id else None
