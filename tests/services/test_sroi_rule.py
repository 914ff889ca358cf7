"""Social return by the DAS's rule (seed 003 §4.4, issue 19): the rule of a year, a revision from
the year after it was decided, and the turnover of the year before or of a fixed reference year.
The overview (paged and whole), the late-report list and the provider's and contract manager's
pages all follow the same rule."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from portal.domain import das_terms as rules
from portal.domain.contract_management import ReportKind
from portal.extensions import db
from portal.models import PrivacyRole, Role
from portal.services import calendar, das_terms, kpis
from tests import factories
from tests.factories import admit, at
from tests.support.app import login

# Turnover (EUR) per year; none is reported for 2024 and 2028.
TURNOVER = {2025: 500_000, 2026: 200_000, 2027: 300_000}
LATE_ON = date(2029, 3, 2)  # every year up to 2028 is due (31 January of the next year + 30 days)


def _terms(das, sroi: rules.SroiRule) -> rules.Terms:
    return rules.Terms(
        ova_percent=Decimal(90),
        ppc_percent=Decimal(10),
        first_index_year=das.first_index_year,
        sroi=sroi,
        allocation_who_chooses=das.allocation_who_chooses,
        allocation_request=das.allocation_request,
        allocation_no_capacity=das.allocation_no_capacity,
        privacy_role=das.privacy_role.value,
        privacy_text=das.privacy_text,
    )


@pytest.fixture()
def sroi_setting(app: Flask):
    """A published DAS (250,000 / 5%, the year before) with one live agreement from 2024 and its
    yearly turnover reported as one quarter each."""
    calendar.ensure_statutory_holidays(range(2024, 2030))
    db.session.commit()
    das = factories.DasFactory(
        term_start=date(2024, 1, 1),
        first_index_year=2024,
        privacy_role=PrivacyRole.INDEPENDENT_CONTROLLER,
        allocation_who_chooses="Ouders kiezen met de toegang.",
        allocation_request="Via een 301-bericht.",
        allocation_no_capacity="Binnen vijf werkdagen melden.",
        published_at=at(date(2023, 11, 1)),
    )
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    kpis.ensure_default_kpis(admin, das)
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = admit(das, provider, date(2024, 1, 8), live=True)
    turnover = next(d for d in kpis.definitions_of(das.id) if d.code == "TURNOVER")
    kpis.report(
        provider,
        agreement,
        [
            kpis.Figure(turnover, date(year, 1, 1), Decimal(amount))
            for year, amount in TURNOVER.items()
        ],
        "",
        date(2028, 2, 1),
        at(date(2028, 2, 1)),
    )
    return das, admin, provider, agreement


NEW = rules.SroiRule(100_000_00, Decimal(10))


@pytest.mark.parametrize(
    ("revision", "obligations", "late_years"),
    [
        # As published: 5% above 250,000 of the year before.
        (None, {2026: 25_000_00, 2027: None, 2028: 15_000_00}, [2026, 2028]),
        # Revised in 2027 to 10% above 100,000: from 2028 on, not for 2027 (2026's 200,000 would
        # be above the new threshold).
        (NEW, {2026: 25_000_00, 2027: None, 2028: 30_000_00}, [2026, 2028]),
        # Revised in 2027 to the turnover of 2025 (500,000), a fixed reference year.
        (
            replace(NEW, reference_year=2025),
            {2026: 25_000_00, 2027: None, 2028: 50_000_00},
            [2026, 2028],
        ),
        # ... or of 2024, when nothing was turned over: 2028 owes nothing.
        (replace(NEW, reference_year=2024), {2026: 25_000_00, 2027: None, 2028: None}, [2026]),
    ],
)
def test_the_obligation_of_a_year_follows_that_years_rule(
    sroi_setting, revision, obligations, late_years
) -> None:
    das, admin, _provider, agreement = sroi_setting
    if revision is not None:
        decided = date(2027, 6, 1)
        das_terms.save_terms(admin, das, _terms(das, revision), at(decided), decided)
        assert das_terms.sroi_rule_of(das, 2027) == das_terms.published_sroi_rule(das)
        assert das_terms.sroi_rule_of(das, 2028) == revision
    for year, expected in obligations.items():
        paged = kpis.sroi_page(das, year, date(year, 6, 1), 1, 25)
        assert [(a.id, obligation) for a, obligation, _d, _s in paged.items] == [
            (agreement.id, expected)
        ]
        assert paged.rule == das_terms.sroi_rule_of(das, year)
        whole = kpis.das_overview(das, year, date(year, 6, 1), Decimal(1), Decimal(0))
        assert [(a.id, obligation) for a, obligation, _d, _s in whole.sroi] == [
            (agreement.id, expected)
        ]
    late = kpis.late_reports(das, LATE_ON, 30, ReportKind.SROI)
    assert [r.period_start.year for r in sorted(late, key=lambda r: r.period_start)] == late_years


@contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_late_list_reads_the_rule_once(sroi_setting) -> None:
    das, admin, _provider, _agreement = sroi_setting
    decided = date(2026, 6, 1)
    das_terms.save_terms(admin, das, _terms(das, NEW), at(decided), decided)
    later = date(2027, 6, 1)
    das_terms.save_terms(
        admin, das, _terms(das, replace(NEW, percent=Decimal(7))), at(later), later
    )
    db.session.expire_all()
    with count_queries() as short:
        kpis.late_reports(db.session.get(type(das), das.id), date(2026, 3, 2), 30)
    db.session.expire_all()
    with count_queries() as long:
        kpis.late_reports(db.session.get(type(das), das.id), LATE_ON, 30)
    assert len(long) == len(short)  # more years and revisions, the same queries


def _text(response) -> str:
    """The page's text with its non-breaking spaces (after the euro sign) as plain ones."""
    return response.get_data(as_text=True).replace("\xa0", " ")


def test_the_pages_say_the_rule_of_the_year(
    app: Flask, client: FlaskClient, sroi_setting, monkeypatch
) -> None:
    das, admin, provider, agreement = sroi_setting
    decided = date(2027, 6, 1)
    das_terms.save_terms(
        admin, das, _terms(das, replace(NEW, reference_year=2025)), at(decided), decided
    )
    import portal.supplier.kpi_views as supplier_views

    monkeypatch.setattr(supplier_views, "now", lambda: at(decided))
    login(client, provider)
    page = _text(client.get(f"/aanbieder/overeenkomsten/{agreement.id}/sroi"))
    assert "Over 2027: was uw omzet in 2026 hoger dan € 250.000,00" in page
    assert "Vanaf 2028 geldt een nieuwe regel: was uw omzet in 2025 hoger dan € 100.000,00" in page

    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    login(client, manager)
    page = _text(client.get(f"/contracten/das/{das.slug}/overzicht?jaar=2028"))
    assert "Verplicht boven een omzet van € 100.000,00 excl. btw in 2025; verplichting 10%" in page
    page = _text(client.get(f"/contracten/das/{das.slug}/overzicht?jaar=2027"))
    assert "Verplicht boven een omzet van € 250.000,00 excl. btw in 2026; verplichting 5%" in page
