"""The waiting-time register, read side (issue 23): the national public search for referrers
(local youth teams, GPs, certified institutions) and what contract managers see (how waiting
times moved per provider, and who has not updated).

Only current entries of live agreements count, and only for a lot the provider is still admitted
to. An entry for a subregion covers its municipalities; an entry without an authority covers every
municipality of the DAS; an entry for a whole lot covers each product of the lot. When a provider
reports both a general and a more specific entry that match a search (the whole region and the
municipality asked for; the whole lot and the product asked for), the specific one is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased, contains_eager, joinedload

from portal.domain import waiting_times as rules
from portal.extensions import db
from portal.infra.timeutil import as_utc
from portal.models import (
    AgreementLot,
    AgreementState,
    AuthorityKind,
    ContractingAuthority,
    Das,
    DasState,
    FrameworkAgreement,
    Lot,
    Organisation,
    Product,
    WaitingTime,
)
from portal.models.catalogue import das_authority
from portal.services.paging import Page, PageNotFound, paginate

# The DAS instances whose municipalities and products the search offers.
SEARCHED_STATES = (DasState.OPEN, DasState.CLOSED)


@dataclass(frozen=True)
class ProductKey:
    """A youth-care product as the iJw standard names it, the same in every region: its
    category and its code ("45", "45A01")."""

    category: str
    code: str

    @property
    def param(self) -> str:
        return f"{self.category}-{self.code}"

    @classmethod
    def parse(cls, raw: str | None) -> ProductKey | None:
        """The key from a query parameter ("45-45A01"); None for anything else."""
        if not raw or len(raw) > 12:
            return None
        category, _sep, code = raw.strip().partition("-")
        if not (category.isascii() and category.isalnum() and code.isascii() and code.isalnum()):
            return None
        if not 1 <= len(category) <= 2 or not 1 <= len(code) <= 5:
            return None
        return cls(category, code.upper())


@dataclass(frozen=True)
class ProductChoice:
    key: ProductKey
    name: str


@dataclass(frozen=True)
class Filters:
    municipality_id: int | None = None
    product: ProductKey | None = None
    accepting_only: bool = False


@dataclass(frozen=True)
class RegisterRow:
    """One line of the public register: a provider's current entry, with its contact."""

    entry_id: int
    provider: str
    email: str
    phone: str
    city: str
    das_name: str
    das_slug: str
    lot_code: str
    lot_name: str
    product_code: str | None  # None: the whole lot
    product_name: str | None
    authority_name: str | None  # None: every municipality of the DAS
    authority_kind: AuthorityKind | None
    weeks_to_intake: int
    weeks_to_treatment: int
    accepts_new_clients: bool
    note: str
    reported_at: datetime
    outdated: bool


# --- the public search ------------------------------------------------------------------------


def municipalities() -> list[ContractingAuthority]:
    """The municipalities of the published DAS instances, by name (the search's first filter)."""
    return list(
        db.session.scalars(
            sa.select(ContractingAuthority)
            .where(
                ContractingAuthority.kind == AuthorityKind.MUNICIPALITY,
                ContractingAuthority.id.in_(
                    sa.select(das_authority.c.authority_id)
                    .join(Das, Das.id == das_authority.c.das_id)
                    .where(Das.state.in_(SEARCHED_STATES))
                ),
            )
            .order_by(ContractingAuthority.name, ContractingAuthority.id)
        )
    )


def products() -> list[ProductChoice]:
    """The products of the published DAS instances, once per iJw category and code (regions may
    word a product's name differently: the first name in alphabetical order is shown)."""
    rows = db.session.execute(
        sa.select(Product.ijw_category, Product.code, sa.func.min(Product.name))
        .join(Lot, Lot.id == Product.lot_id)
        .join(Das, Das.id == Lot.das_id)
        .where(Das.state.in_(SEARCHED_STATES))
        .group_by(Product.ijw_category, Product.code)
        .order_by(Product.ijw_category, Product.code)
    ).tuples()
    return [ProductChoice(ProductKey(category, code), name) for category, code, name in rows]


def _covers_municipality(entry: type[WaitingTime], municipality_id: int) -> sa.ColumnElement[bool]:
    """The entry speaks for the municipality: for it, for its subregion, or (no authority) for the
    whole DAS. That the DAS is one of the municipality's is `_narrowed`'s to check."""
    subregion = (
        sa.select(ContractingAuthority.parent_id)
        .where(ContractingAuthority.id == municipality_id)
        .scalar_subquery()
    )
    return sa.or_(
        entry.authority_id.is_(None),
        entry.authority_id == municipality_id,
        entry.authority_id == subregion,
    )


def _same_product(product: ProductKey) -> sa.ColumnElement[bool]:
    return sa.and_(Product.ijw_category == product.category, Product.code == product.code)


def _covers_product(entry: type[WaitingTime], product: ProductKey) -> sa.ColumnElement[bool]:
    """The entry speaks for the product: for it, or (no product) for its whole lot. That the lot
    has the product is `_narrowed`'s to check."""
    return sa.or_(
        entry.product_id.is_(None),
        entry.product_id.in_(sa.select(Product.id).where(_same_product(product))),
    )


def _matches(entry: type[WaitingTime], filters: Filters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = [sa.and_(entry.is_current)]
    if filters.municipality_id is not None:
        conditions.append(_covers_municipality(entry, filters.municipality_id))
    if filters.product is not None:
        conditions.append(_covers_product(entry, filters.product))
    return conditions


def _narrowed(filters: Filters) -> list[sa.ColumnElement[bool]]:
    """Only the DAS instances the municipality belongs to and the lots that have the product: the
    few places (out of a nation's) where a matching entry can be. An entry for a municipality,
    subregion or product is always of its own DAS and lot (the provider's form allows no other)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.municipality_id is not None:
        conditions.append(
            FrameworkAgreement.das_id.in_(
                sa.select(das_authority.c.das_id).where(
                    das_authority.c.authority_id == filters.municipality_id
                )
            )
        )
    if filters.product is not None:
        conditions.append(
            WaitingTime.lot_id.in_(sa.select(Product.lot_id).where(_same_product(filters.product)))
        )
    return conditions


def _authority_rank(entry: type[WaitingTime], municipality_id: int) -> sa.ColumnElement[int]:
    """How closely a matching entry speaks for the municipality: the whole DAS 0, its subregion 1,
    the municipality itself 2."""
    return sa.case(
        (entry.authority_id.is_(None), 0),
        (entry.authority_id == municipality_id, 2),
        else_=1,
    )


def _product_rank(entry: type[WaitingTime]) -> sa.ColumnElement[int]:
    return sa.case((entry.product_id.is_(None), 0), else_=1)


def _not_shadowed(filters: Filters) -> sa.ColumnElement[bool]:
    """No other current entry of the same agreement and lot matches the search more closely."""
    other = aliased(WaitingTime)
    at_least: list[sa.ColumnElement[bool]] = []
    closer: list[sa.ColumnElement[bool]] = []
    if filters.municipality_id is not None:
        mine, theirs = (
            _authority_rank(WaitingTime, filters.municipality_id),
            _authority_rank(other, filters.municipality_id),
        )
        at_least.append(theirs >= mine)
        closer.append(theirs > mine)
    else:
        at_least.append(other.authority_id.is_not_distinct_from(WaitingTime.authority_id))
    if filters.product is not None:
        mine, theirs = _product_rank(WaitingTime), _product_rank(other)
        at_least.append(theirs >= mine)
        closer.append(theirs > mine)
    else:
        at_least.append(other.product_id.is_not_distinct_from(WaitingTime.product_id))
    if not closer:
        return sa.true()  # one current entry per key: nothing to prefer
    return ~(
        sa.select(other.id)
        .where(
            other.agreement_id == WaitingTime.agreement_id,
            other.lot_id == WaitingTime.lot_id,
            other.id != WaitingTime.id,
            *_matches(other, filters),
            *at_least,
            sa.or_(*closer),
        )
        .exists()
    )


def _display_name() -> sa.ColumnElement[str]:
    return sa.func.coalesce(sa.func.nullif(Organisation.trade_name, ""), Organisation.legal_name)


def _found(filters: Filters) -> sa.Select[Any]:
    """The entries the search finds, as narrow rows (id and sort keys): sorting a nation's
    entries costs little while the rows are this small."""
    query = (
        sa.select(
            WaitingTime.id,
            WaitingTime.weeks_to_intake.label("intake"),
            WaitingTime.weeks_to_treatment.label("treatment"),
            sa.func.lower(_display_name()).label("name"),
        )
        .join(FrameworkAgreement, FrameworkAgreement.id == WaitingTime.agreement_id)
        .join(Organisation, Organisation.id == FrameworkAgreement.organisation_id)
        .join(
            AgreementLot,
            sa.and_(
                AgreementLot.agreement_id == WaitingTime.agreement_id,
                AgreementLot.lot_id == WaitingTime.lot_id,
                AgreementLot.ended_on.is_(None),
            ),
        )
        .where(
            FrameworkAgreement.state == AgreementState.LIVE,
            *_narrowed(filters),
            *_matches(WaitingTime, filters),
            _not_shadowed(filters),
        )
    )
    if filters.accepting_only:
        query = query.where(WaitingTime.accepts_new_clients)
    return query


def _in_order(found: Any) -> list[sa.ColumnElement[Any]]:
    # Shortest wait first: until intake, then until treatment; then by provider.
    return [found.c.intake, found.c.treatment, found.c.name, found.c.id]


def _entries(found: Any) -> sa.Select[Any]:
    """The full entries (with their provider, DAS, lot, product and area) of the narrow rows."""
    return (
        sa.select(WaitingTime)
        .join(found, found.c.id == WaitingTime.id)
        .options(
            joinedload(WaitingTime.agreement).joinedload(FrameworkAgreement.organisation),
            joinedload(WaitingTime.agreement).joinedload(FrameworkAgreement.das),
            joinedload(WaitingTime.lot),
            joinedload(WaitingTime.product),
            joinedload(WaitingTime.authority),
        )
    )


def _row(entry: WaitingTime, now: datetime) -> RegisterRow:
    organisation = entry.agreement.organisation
    return RegisterRow(
        entry_id=entry.id,
        provider=organisation.display_name,
        email=organisation.email or "",
        phone=organisation.phone or "",
        city=organisation.city or "",
        das_name=entry.agreement.das.name,
        das_slug=entry.agreement.das.slug,
        lot_code=entry.lot.code,
        lot_name=entry.lot.name,
        product_code=entry.product.code if entry.product else None,
        product_name=entry.product.name if entry.product else None,
        authority_name=entry.authority.name if entry.authority else None,
        authority_kind=entry.authority.kind if entry.authority else None,
        weeks_to_intake=entry.weeks_to_intake,
        weeks_to_treatment=entry.weeks_to_treatment,
        accepts_new_clients=entry.accepts_new_clients,
        note=entry.note,
        reported_at=as_utc(entry.reported_at),
        outdated=rules.is_outdated(as_utc(entry.reported_at), now),
    )


def search(filters: Filters, now: datetime, number: int, per_page: int) -> Page[RegisterRow]:
    """One page of the register, shortest wait first, in one statement: the page is chosen (and
    counted) among the narrow rows, and only its entries are loaded in full."""
    found = _found(filters).subquery()
    page = (
        sa.select(found, sa.func.count().over().label("total"))
        .order_by(*_in_order(found))
        .limit(per_page)
        .offset((number - 1) * per_page)
        .subquery()
    )
    rows = db.session.execute(
        _entries(page).add_columns(page.c.total).order_by(*_in_order(page))
    ).all()
    if not rows:
        if number > 1:
            raise PageNotFound(number)
        return Page([], 0, 1, per_page)
    return Page([_row(e, now) for e, _total in rows], int(rows[0][1]), number, per_page)


def export(filters: Filters, now: datetime) -> Iterator[RegisterRow]:
    """Every row the search finds, for the CSV and JSON downloads."""
    found = _found(filters).subquery()
    query = _entries(found).order_by(*_in_order(found)).execution_options(yield_per=500)
    for entry in db.session.scalars(query):
        yield _row(entry, now)


# --- the contract managers' side --------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    """The reports of one key (lot, product, authority) of an agreement, oldest first."""

    lot: Lot
    product: Product | None
    authority: ContractingAuthority | None
    reports: list[WaitingTime]

    @property
    def current(self) -> WaitingTime | None:
        return next((r for r in reversed(self.reports) if r.is_current), None)

    def outdated(self, now: datetime) -> bool:
        """The current report is older than 30 days (a key without one is history only)."""
        current = self.current
        return current is not None and rules.is_outdated(as_utc(current.reported_at), now)


def history(agreement: FrameworkAgreement) -> list[Series]:
    """Every report of the agreement, grouped per key, in lot, product and authority order: how
    the provider's waiting times moved."""
    reports = db.session.scalars(
        sa.select(WaitingTime)
        .join(Lot, Lot.id == WaitingTime.lot_id)
        .where(WaitingTime.agreement_id == agreement.id)
        .options(
            contains_eager(WaitingTime.lot),
            joinedload(WaitingTime.product),
            joinedload(WaitingTime.authority),
            joinedload(WaitingTime.reported_by),
        )
        .order_by(Lot.position, Lot.id, WaitingTime.reported_at, WaitingTime.id)
    ).all()
    grouped: dict[tuple[int, int | None, int | None], list[WaitingTime]] = {}
    for report in reports:
        grouped.setdefault((report.lot_id, report.product_id, report.authority_id), []).append(
            report
        )

    def order(series: Series) -> tuple[int, int, str, str]:
        return (
            series.lot.position,
            series.lot.id,
            series.product.code if series.product else "",
            series.authority.name if series.authority else "",
        )

    return sorted(
        (
            Series(group[0].lot, group[0].product, group[0].authority, group)
            for group in grouped.values()
        ),
        key=order,
    )


@dataclass(frozen=True)
class UpdateState:
    """Where a live agreement stands in the register: how many current entries, the oldest and
    newest of their dates (None: nothing reported)."""

    agreement_id: int
    reference: str
    provider: str
    entries: int
    oldest: datetime | None
    newest: datetime | None
    now: datetime

    @property
    def missing(self) -> bool:
        return self.entries == 0

    @property
    def outdated(self) -> bool:
        return self.oldest is not None and rules.is_outdated(self.oldest, self.now)

    @property
    def outdated_since(self) -> date | None:
        return rules.outdated_since(self.oldest) if self.outdated and self.oldest else None


def update_states(
    das: Das, now: datetime, number: int, per_page: int, *, everyone: bool = False
) -> Page[UpdateState]:
    """The DAS's live agreements and how their register stands, a page at a time: those with no
    entries first, then the longest outdated; by default only the ones that have not updated
    (no entries, or an entry older than 30 days)."""
    name = _display_name()
    entries = sa.func.count(WaitingTime.id)
    oldest = sa.func.min(WaitingTime.reported_at)
    query = (
        sa.select(
            FrameworkAgreement.id,
            FrameworkAgreement.reference,
            name,
            entries,
            oldest,
            sa.func.max(WaitingTime.reported_at),
        )
        .join(Organisation, Organisation.id == FrameworkAgreement.organisation_id)
        .outerjoin(
            WaitingTime,
            sa.and_(WaitingTime.agreement_id == FrameworkAgreement.id, WaitingTime.is_current),
        )
        .where(
            FrameworkAgreement.das_id == das.id,
            FrameworkAgreement.state == AgreementState.LIVE,
        )
        .group_by(FrameworkAgreement.id, FrameworkAgreement.reference, name)
        .order_by(
            sa.case((entries == 0, 0), else_=1),
            oldest,
            sa.func.lower(name),
            FrameworkAgreement.id,
        )
    )
    if not everyone:
        query = query.having(sa.or_(entries == 0, oldest < now - rules.OUTDATED_AFTER))
    found = paginate(query, number, per_page, scalars=False)
    return Page(
        [
            UpdateState(
                agreement_id,
                reference,
                provider,
                count,
                as_utc(oldest_at) if oldest_at else None,
                as_utc(newest_at) if newest_at else None,
                now,
            )
            for agreement_id, reference, provider, count, oldest_at, newest_at in found.items
        ],
        found.total,
        found.number,
        found.per_page,
    )
