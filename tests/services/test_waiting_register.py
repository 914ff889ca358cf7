"""The waiting-time register's read side (issue 23): the national public search and what contract
managers see. Entries are written directly (factories.add_waiting_time); the provider's own
service (R1) writes the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import (
    AgreementLot,
    AgreementState,
    AuthorityKind,
    ContractingAuthority,
    Das,
    FrameworkAgreement,
    IjwUnit,
    Product,
)
from portal.services import waiting_register as register
from portal.services.paging import PageNotFound
from tests import factories
from tests.factories import add_waiting_time, at

DAY = date(2026, 3, 2)
NOW = at(date(2026, 11, 20))
RECENT = NOW - timedelta(days=3)


@dataclass
class World:
    das: Das
    other_das: Das
    subregion: ContractingAuthority
    north: ContractingAuthority  # in the subregion
    south: ContractingAuthority  # no subregion
    elsewhere: ContractingAuthority  # a municipality of the other DAS only
    alpha: FrameworkAgreement
    beta: FrameworkAgreement


def _provider(name: str, **details: str):
    return factories.ProviderUserFactory(
        organisation=factories.OrganisationFactory(legal_name=name, **details)
    )


@pytest.fixture()
def world(app: Flask) -> World:
    subregion = factories.AuthorityFactory(
        name="Subregio Noord", kind=AuthorityKind.SUBREGION, cbs_code=None
    )
    north = factories.AuthorityFactory(name="Noorddorp", parent_id=subregion.id)
    south = factories.AuthorityFactory(name="Zuidstad")
    elsewhere = factories.AuthorityFactory(name="Verweg")
    das = factories.DasFactory(name="Jeugdhulp Regio")
    das.authorities = [north, south]
    other_das = factories.DasFactory(name="Jeugdhulp Elders")
    other_das.authorities = [elsewhere]
    db.session.commit()
    alpha = factories.admit(
        das, _provider("Alpha Zorg", email="info@alpha.nl", phone="0101234567"), DAY, live=True
    )
    beta = factories.admit(das, _provider("Beta Zorg"), DAY, live=True)
    return World(das, other_das, subregion, north, south, elsewhere, alpha, beta)


def _search(**filters: object) -> list[register.RegisterRow]:
    return register.search(register.Filters(**filters), NOW, 1, 50).items  # type: ignore[arg-type]


def _names(rows: list[register.RegisterRow]) -> list[tuple[str, str, int]]:
    return [(r.provider, r.lot_code, r.weeks_to_intake) for r in rows]


def test_sorted_by_shortest_wait_with_contact_and_region(world: World) -> None:
    lot1, lot2 = world.das.lots
    add_waiting_time(world.alpha, lot1, RECENT, intake=5, treatment=9)
    add_waiting_time(world.alpha, lot2, RECENT, intake=1, treatment=8)
    add_waiting_time(world.beta, lot1, RECENT, intake=1, treatment=3)
    rows = _search()
    assert _names(rows) == [("Beta Zorg", "1", 1), ("Alpha Zorg", "2", 1), ("Alpha Zorg", "1", 5)]
    alpha = rows[1]
    assert (alpha.email, alpha.phone, alpha.city) == ("info@alpha.nl", "0101234567", "Roermond")
    assert alpha.das_name == "Jeugdhulp Regio" and alpha.das_slug == world.das.slug
    assert alpha.reported_at == RECENT and not alpha.outdated


def test_only_current_entries_of_live_agreements_and_current_lots(world: World) -> None:
    lot1, lot2 = world.das.lots
    add_waiting_time(world.alpha, lot1, NOW - timedelta(days=60), intake=9, treatment=9)
    add_waiting_time(world.alpha, lot1, RECENT, intake=3, treatment=4)  # replaces the first
    add_waiting_time(world.alpha, lot2, RECENT, intake=2)
    add_waiting_time(world.beta, lot1, RECENT, intake=0)
    # Alpha's admission to lot 2 ended; Beta's agreement is suspended.
    db.session.get(AgreementLot, (world.alpha.id, lot2.id)).ended_on = date(2026, 10, 1)
    world.beta.state = AgreementState.SUSPENDED
    waiting = factories.admit(world.das, _provider("Gamma Zorg"), DAY)  # awaits signatures
    add_waiting_time(waiting, lot1, RECENT, intake=0)
    db.session.commit()
    assert _names(_search()) == [("Alpha Zorg", "1", 3)]


def test_outdated_after_thirty_days(world: World) -> None:
    lot1, lot2 = world.das.lots
    add_waiting_time(world.alpha, lot1, NOW - timedelta(days=30))
    add_waiting_time(world.alpha, lot2, NOW - timedelta(days=30, seconds=1))
    outdated = {r.lot_code: r.outdated for r in _search()}
    assert outdated == {"1": False, "2": True}


def test_municipality_filter_follows_subregion_and_whole_region(world: World) -> None:
    lot1, _lot2 = world.das.lots
    add_waiting_time(world.alpha, lot1, RECENT, intake=4, authority=world.subregion)
    add_waiting_time(world.beta, lot1, RECENT, intake=6)  # every municipality of the DAS
    assert _names(_search(municipality_id=world.north.id)) == [
        ("Alpha Zorg", "1", 4),
        ("Beta Zorg", "1", 6),
    ]
    # Zuidstad is not in the subregion: only the whole-region entry speaks for it.
    assert _names(_search(municipality_id=world.south.id)) == [("Beta Zorg", "1", 6)]
    # A municipality of another DAS: a whole-region entry of this DAS does not cover it.
    assert _search(municipality_id=world.elsewhere.id) == []


def test_the_closest_entry_wins_for_a_municipality(world: World) -> None:
    lot1, _lot2 = world.das.lots
    add_waiting_time(world.alpha, lot1, RECENT, intake=2, treatment=2)
    add_waiting_time(world.alpha, lot1, RECENT, intake=5, treatment=5, authority=world.subregion)
    add_waiting_time(world.alpha, lot1, RECENT, intake=8, treatment=8, authority=world.north)
    assert [r.weeks_to_intake for r in _search(municipality_id=world.north.id)] == [8]
    assert [r.weeks_to_intake for r in _search(municipality_id=world.south.id)] == [2]
    # Without a municipality the register lists each entry with what it covers.
    rows = _search()
    assert [(r.weeks_to_intake, r.authority_name) for r in rows] == [
        (2, None),
        (5, "Subregio Noord"),
        (8, "Noorddorp"),
    ]


def test_product_filter_matches_lot_entries_and_product_entries(world: World) -> None:
    lot1, lot2 = world.das.lots
    product1 = lot1.products[0]  # 45A01
    extra = Product(code="45A09", name="Dagbesteding", ijw_category="45", unit=IjwUnit.HOUR)
    lot1.products.append(extra)
    db.session.commit()
    add_waiting_time(world.alpha, lot1, RECENT, intake=3, treatment=3)  # the whole lot
    add_waiting_time(world.alpha, lot1, RECENT, intake=7, treatment=7, product=extra)
    add_waiting_time(world.beta, lot2, RECENT, intake=1, treatment=1)
    key = register.ProductKey("45", "45A01")
    assert [(r.provider, r.weeks_to_intake) for r in _search(product=key)] == [("Alpha Zorg", 3)]
    key9 = register.ProductKey("45", "45A09")
    found = _search(product=key9)
    assert [(r.weeks_to_intake, r.product_code) for r in found] == [(7, "45A09")]
    # The same product code of another region's lot is the same national product.
    other_lot = world.other_das.lots[0]
    assert other_lot.products[0].code == product1.code
    assert register.ProductKey("45", "45A02") in {p.key for p in register.products()}


def test_product_of_another_das_with_the_same_code(world: World) -> None:
    lot1, _lot2 = world.das.lots
    elders = factories.admit(world.other_das, _provider("Elders Zorg"), DAY, live=True)
    add_waiting_time(elders, world.other_das.lots[0], RECENT, intake=0, treatment=1)
    add_waiting_time(world.alpha, lot1, RECENT, intake=2, treatment=2)
    rows = _search(product=register.ProductKey("45", "45A01"))
    assert [(r.provider, r.das_name) for r in rows] == [
        ("Elders Zorg", "Jeugdhulp Elders"),
        ("Alpha Zorg", "Jeugdhulp Regio"),
    ]
    assert [r.provider for r in _search(municipality_id=world.elsewhere.id)] == ["Elders Zorg"]


def test_accepting_only(world: World) -> None:
    lot1, _lot2 = world.das.lots
    add_waiting_time(world.alpha, lot1, RECENT, intake=0, accepts=False)
    add_waiting_time(world.beta, lot1, RECENT, intake=9, treatment=9)
    assert [r.provider for r in _search(accepting_only=True)] == ["Beta Zorg"]
    assert [r.provider for r in _search()] == ["Alpha Zorg", "Beta Zorg"]


def test_paged_and_export_has_everything(world: World) -> None:
    lot1, lot2 = world.das.lots
    for week, (agreement, lot) in enumerate(
        [(world.alpha, lot1), (world.alpha, lot2), (world.beta, lot1)]
    ):
        add_waiting_time(agreement, lot, RECENT, intake=week, treatment=week)
    first = register.search(register.Filters(), NOW, 1, 2)
    second = register.search(register.Filters(), NOW, 2, 2)
    assert first.total == 3 and len(first.items) == 2 and len(second.items) == 1
    assert [r.weeks_to_intake for r in [*first.items, *second.items]] == [0, 1, 2]
    with pytest.raises(PageNotFound):
        register.search(register.Filters(), NOW, 3, 2)
    assert [r.weeks_to_intake for r in register.export(register.Filters(), NOW)] == [0, 1, 2]


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("45-45A01", register.ProductKey("45", "45A01")),
        ("45-45a01", register.ProductKey("45", "45A01")),
        ("", None),
        (None, None),
        ("45", None),
        ("45-", None),
        ("4545A01", None),
        ("45-45A01-1", None),
        ("45-'; drop", None),
        ("x" * 200, None),
    ],
)
def test_product_key_parse(raw: str | None, parsed: register.ProductKey | None) -> None:
    assert register.ProductKey.parse(raw) == parsed


def test_municipalities_are_those_of_published_das(world: World) -> None:
    draft = factories.DasFactory(state="draft")
    hidden = factories.AuthorityFactory(name="Concept")
    draft.authorities = [hidden]
    db.session.commit()
    assert [m.name for m in register.municipalities()] == ["Noorddorp", "Verweg", "Zuidstad"]


def test_history_groups_reports_per_key(world: World) -> None:
    lot1, lot2 = world.das.lots
    add_waiting_time(world.alpha, lot1, NOW - timedelta(days=60), intake=8, treatment=10)
    add_waiting_time(world.alpha, lot1, NOW - timedelta(days=30), intake=6, treatment=9)
    add_waiting_time(world.alpha, lot1, RECENT, intake=6, treatment=9, confirmed=True)
    add_waiting_time(world.alpha, lot2, RECENT, intake=1, authority=world.north)
    add_waiting_time(world.beta, lot1, RECENT, intake=0)  # another provider's
    series = register.history(world.alpha)
    assert [(s.lot.code, s.authority.name if s.authority else None) for s in series] == [
        ("1", None),
        ("2", "Noorddorp"),
    ]
    assert [r.weeks_to_intake for r in series[0].reports] == [8, 6, 6]
    assert series[0].current is series[0].reports[-1]
    assert series[0].current.confirmed_unchanged


def test_update_states_lists_who_has_not_updated(world: World) -> None:
    lot1, lot2 = world.das.lots
    gamma = factories.admit(world.das, _provider("Gamma Zorg"), DAY, live=True)
    ended = factories.admit(world.das, _provider("Delta Zorg"), DAY, live=True)
    ended.state = AgreementState.ENDED
    db.session.commit()
    add_waiting_time(world.alpha, lot1, RECENT)
    add_waiting_time(world.alpha, lot2, NOW - timedelta(days=45))  # outdated
    add_waiting_time(gamma, lot1, RECENT)
    elders = factories.admit(world.other_das, _provider("Elders Zorg"), DAY, live=True)
    assert elders.das_id != world.das.id
    page = register.update_states(world.das, NOW, 1, 20)
    assert [(s.provider, s.missing, s.outdated) for s in page.items] == [
        ("Beta Zorg", True, False),
        ("Alpha Zorg", False, True),
    ]
    assert page.items[1].outdated_since == (NOW - timedelta(days=15)).date()
    everyone = register.update_states(world.das, NOW, 1, 20, everyone=True)
    assert [s.provider for s in everyone.items] == ["Beta Zorg", "Alpha Zorg", "Gamma Zorg"]
    assert everyone.items[2].newest == RECENT


def test_national_generator_fills_the_register(app: Flask) -> None:
    """The benchmark's data (portal.devdata.generate): every lot of every live agreement has one
    current entry for the whole region, with history, and the search finds them."""
    import sqlalchemy as sa

    from portal.devdata.generate import generate
    from portal.infra.storage import get_storage
    from portal.models import WaitingTime

    today = date(2026, 11, 25)
    rows = generate(0.002, 7, today, get_storage()).rows
    assert rows["waiting_time"] > 0
    live_lots = db.session.execute(
        sa.select(AgreementLot.agreement_id, AgreementLot.lot_id)
        .join(FrameworkAgreement, FrameworkAgreement.id == AgreementLot.agreement_id)
        .where(FrameworkAgreement.state == AgreementState.LIVE)
    ).all()
    whole_region = db.session.execute(
        sa.select(WaitingTime.agreement_id, WaitingTime.lot_id).where(
            WaitingTime.is_current,
            WaitingTime.product_id.is_(None),
            WaitingTime.authority_id.is_(None),
        )
    ).all()
    assert sorted(whole_region) == sorted(live_lots)
    assert db.session.scalar(sa.select(sa.func.count()).where(~WaitingTime.is_current)) > 0
    found = register.search(register.Filters(), at(today), 1, 25)
    assert found.total >= len(live_lots) and found.items
    assert any(r.outdated for r in register.export(register.Filters(), at(today)))
