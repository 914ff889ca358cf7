"""Issue 21, KPIs: region-specific KPIs beside the national set (seed 002) and the current-value
flag that replaced the dashboards' latest-correction subqueries. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask import Flask

from portal.domain.contract_management import KpiFlag
from portal.extensions import db
from portal.models import KpiDefinition, KpiValue, ReportingPeriod, Role, User
from portal.services import ServiceError, calendar, kpis
from tests import factories
from tests.factories import admit, at


@pytest.fixture()
def region(app: Flask):
    """A DAS with the national set and seed 002's gezinshuizen (target 20 for the region, alert
    at 16, a yearly count), two providers admitted in January 2024."""
    calendar.ensure_statutory_holidays(range(2024, 2028))
    db.session.commit()
    das = factories.DasFactory(term_start=date(2024, 1, 1))
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    kpis.ensure_default_kpis(admin, das)
    homes = kpis.save_definition(
        admin,
        das,
        None,
        "gezinshuizen",
        "Aantal gezinshuizen",
        "aantal",
        True,
        Decimal(20),
        Decimal(16),
        ReportingPeriod.YEAR,
        region_specific=True,
        target_for_region=True,
    )
    providers = [factories.ProviderUserFactory() for _ in range(2)]
    agreements = [admit(das, p, date(2024, 1, 8)) for p in providers]
    return das, admin, homes, list(zip(providers, agreements, strict=True))


def _report(provider, agreement, definition, start: date, value: str, reason: str = "") -> None:
    kpis.report(
        provider,
        agreement,
        [kpis.Figure(definition, start, Decimal(value))],
        reason,
        date(2026, 3, 1),
        at(date(2026, 3, 1)),
    )


def _current(agreement_id: int, definition_id: int) -> list[tuple[date, Decimal]]:
    return [
        (v.period_start, v.value)
        for v in db.session.scalars(
            db.select(KpiValue)
            .where(
                KpiValue.agreement_id == agreement_id,
                KpiValue.definition_id == definition_id,
                KpiValue.is_current.is_(True),
            )
            .order_by(KpiValue.period_start, KpiValue.lot_id)
        )
    ]


def test_the_gezinshuizen_of_seed_002_against_the_region_target(app: Flask, region) -> None:
    das, _admin, homes, [(p1, a1), (p2, a2)] = region
    assert homes.code == "GEZINSHUIZEN" and homes.region_specific and homes.target_for_region
    _report(p1, a1, homes, date(2024, 1, 1), "7")
    _report(p2, a2, homes, date(2024, 1, 1), "11")
    _report(p1, a1, homes, date(2025, 1, 1), "10")
    _report(p2, a2, homes, date(2025, 1, 1), "14")
    [series] = kpis.region_series(das, 2025)  # the national set is not region-specific
    assert series.definition.id == homes.id
    assert [(y.year, y.total, y.providers, y.flag) for y in series.years] == [
        (2024, Decimal(18), 2, KpiFlag.BELOW_TARGET),
        (2025, Decimal(24), 2, KpiFlag.OK),
    ]
    # One provider's 11 is not held against the region's target of 20: no flag per provider.
    [own] = [s for s in kpis.provider_dashboard(a2, date(2026, 3, 1), 30) if s.definition == homes]
    assert [(v, flag) for _start, v, flag in own.points] == [
        (Decimal(11), None),
        (Decimal(14), None),
    ]
    # A correction replaces the provider's figure in the region's sum.
    _report(p2, a2, homes, date(2024, 1, 1), "8", reason="Telfout")
    [series] = kpis.region_series(das, 2024)
    assert [(y.total, y.flag) for y in series.years] == [(Decimal(15), KpiFlag.ALERT)]


def test_a_region_target_needs_a_region_kpi(app: Flask, region) -> None:
    das, admin, _homes, _pairs = region
    with pytest.raises(ServiceError) as refused:
        kpis.save_definition(
            admin,
            das,
            None,
            "PLEEG",
            "Pleegkinderen in pleeggezinnen",
            "aantal",
            True,
            Decimal(950),
            Decimal(850),
            ReportingPeriod.YEAR,
            region_specific=False,
            target_for_region=True,
        )
    assert refused.value.code == "region_target_needs_region_kpi"
    db.session.rollback()
    assert db.session.scalar(db.select(KpiDefinition).where(KpiDefinition.code == "PLEEG")) is None


def test_a_correction_moves_the_current_flag(app: Flask, region) -> None:
    das, _admin, _homes, [(provider, agreement), _other] = region
    clients = next(d for d in kpis.definitions_of(das.id) if d.code == "CLIENTS")
    _report(provider, agreement, clients, date(2024, 1, 1), "40")
    _report(provider, agreement, clients, date(2024, 4, 1), "41")
    _report(provider, agreement, clients, date(2024, 1, 1), "42", reason="Telfout")
    _report(provider, agreement, clients, date(2024, 1, 1), "43", reason="Nog een telfout")
    assert _current(agreement.id, clients.id) == [
        (date(2024, 1, 1), Decimal(43)),
        (date(2024, 4, 1), Decimal(41)),
    ]
    current = kpis.current_value(agreement.id, clients.id, date(2024, 1, 1))
    assert current is not None and current.value == Decimal(43)
    # The dashboards read the flag: the figure that counts, and the ones it replaced.
    [series] = [
        s
        for s in kpis.provider_dashboard(agreement, date(2026, 3, 1), 30)
        if s.definition == clients
    ]
    assert [(start, value) for start, value, _flag in series.points] == [
        (date(2024, 1, 1), Decimal(43)),
        (date(2024, 4, 1), Decimal(41)),
    ]
    replaced = kpis.corrections_page(agreement, 1, 10)
    assert [v.value for v in replaced.items] == [Decimal(42), Decimal(40)]


def test_a_breakdown_row_has_its_own_current_figure(app: Flask, region) -> None:
    das, _admin, _homes, [(provider, agreement), _other] = region
    turnover = next(d for d in kpis.definitions_of(das.id) if d.code == "TURNOVER")
    lot_id = next(al.lot_id for al in agreement.lots if al.is_current)
    quarter = date(2024, 1, 1)
    kpis.report(
        provider,
        agreement,
        [
            kpis.Figure(turnover, quarter, Decimal(1000)),
            kpis.Figure(turnover, quarter, Decimal(1000), lot_id=lot_id),
        ],
        "",
        date(2026, 3, 1),
        at(date(2026, 3, 1)),
    )
    kpis.report(
        provider,
        agreement,
        [kpis.Figure(turnover, quarter, Decimal(900), lot_id=lot_id)],
        "Perceel gecorrigeerd",
        date(2026, 3, 1),
        at(date(2026, 3, 1)),
    )
    rows = db.session.execute(
        db.select(KpiValue.lot_id, KpiValue.value)
        .where(KpiValue.agreement_id == agreement.id, KpiValue.is_current.is_(True))
        .order_by(KpiValue.lot_id.nulls_first())
    ).all()
    assert [tuple(r) for r in rows] == [(None, Decimal(1000)), (lot_id, Decimal(900))]
    data = kpis.das_overview(das, 2024, date(2026, 3, 1), Decimal(1), Decimal(1), with_sroi=False)
    assert data.turnover_cents[agreement.id] == 1000_00
    assert data.turnover_cents_per_lot[lot_id] == 900_00


def test_the_database_refuses_a_second_current_figure(app: Flask, region) -> None:
    """The backstop under the service's lock: two current rows for one key cannot be stored."""
    das, _admin, homes, [(provider, agreement), _other] = region
    _report(provider, agreement, homes, date(2024, 1, 1), "7")
    db.session.add(
        KpiValue(
            agreement_id=agreement.id,
            definition_id=homes.id,
            period_start=date(2024, 1, 1),
            value=Decimal(8),
            reported_by_id=provider.id,
            is_current=True,
        )
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_corrections_at_once_leave_one_current_figure(app: Flask, region) -> None:
    """Two people of the provider correct the same figure at the same moment: they take turns,
    both corrections are kept in the history, and exactly one figure counts: the later one."""
    das, _admin, homes, [(provider, agreement), _other] = region
    colleague = factories.ProviderUserFactory(organisation=provider.organisation)
    _report(provider, agreement, homes, date(2024, 1, 1), "7")
    agreement_id, homes_id = agreement.id, homes.id
    barrier = threading.Barrier(2)
    results: list[str] = []

    def correct(user_id: int, value: str) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            own = db.session.get(type(agreement), agreement_id)
            definition = db.session.get(KpiDefinition, homes_id)
            barrier.wait()
            try:
                _report(user, own, definition, date(2024, 1, 1), value, reason="Herteld")
                results.append("ok")
            except Exception as error:  # noqa: BLE001 - the test reports what went wrong
                results.append(repr(error))
            finally:
                db.session.remove()

    threads = [
        threading.Thread(target=correct, args=(provider.id, "8")),
        threading.Thread(target=correct, args=(colleague.id, "9")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ok", "ok"], results
    db.session.expire_all()
    values = db.session.execute(
        db.select(KpiValue.value, KpiValue.is_current)
        .where(KpiValue.agreement_id == agreement_id, KpiValue.definition_id == homes_id)
        .order_by(KpiValue.id)
    ).all()
    assert len(values) == 3
    assert [current for _v, current in values] == [False, False, True]  # the last one counts
