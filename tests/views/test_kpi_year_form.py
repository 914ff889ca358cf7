"""Issue 21, KPIs: a provider reports a year at once; the DAS overview's charts and region KPIs;
the KPI set page with the region's own KPIs; the overview's cost."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from portal.extensions import db
from portal.models import KpiDefinition, KpiValue, ReportingPeriod, Role
from portal.services import kpis
from tests import factories
from tests.factories import admit, at
from tests.support.app import login


def definition(das, code: str) -> KpiDefinition:
    return next(d for d in kpis.definitions_of(das.id) if d.code == code)


def stored() -> list[tuple[str, date, Decimal, bool]]:
    return [
        (v.definition.code, v.period_start, v.value, v.is_current)
        for v in db.session.scalars(db.select(KpiValue).order_by(KpiValue.id))
    ]


def cell(d: KpiDefinition, start: date) -> str:
    return f"kpi{d.id}_{start.isoformat()}"


def test_a_year_at_once_four_quarters_and_two_half_years(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, provider, agreement, _manager = reporting
    login(client, provider)
    url = f"/aanbieder/overeenkomsten/{agreement.id}/kpi"
    clients, satisfaction = definition(das, "CLIENTS"), definition(das, "SATISFACTION")
    page = client.get(url, query_string={"jaar": 2024}).get_data(as_text=True)
    # Every KPI's periods of the year: four quarters, two half years, each with its own name.
    for start in (date(2024, m, 1) for m in (1, 4, 7, 10)):
        assert f'id="{cell(clients, start)}"' in page
    assert f'id="{cell(satisfaction, date(2024, 7, 1))}"' in page
    assert f'id="{cell(satisfaction, date(2024, 4, 1))}"' not in page  # no such half year
    assert f'<label class="visually-hidden" for="{cell(clients, date(2024, 1, 1))}">' in page
    response = client.post(
        url,
        data={
            "jaar": "2024",
            cell(clients, date(2024, 1, 1)): "40",
            cell(clients, date(2024, 4, 1)): "41",
            cell(clients, date(2024, 7, 1)): "42",
            cell(clients, date(2024, 10, 1)): "43",
            cell(satisfaction, date(2024, 1, 1)): "7,5",
            cell(satisfaction, date(2024, 7, 1)): "8",
        },
    )
    assert response.status_code == 302 and response.location.endswith("jaar=2024")
    assert stored() == [
        ("CLIENTS", date(2024, 1, 1), Decimal(40), True),
        ("CLIENTS", date(2024, 4, 1), Decimal(41), True),
        ("CLIENTS", date(2024, 7, 1), Decimal(42), True),
        ("CLIENTS", date(2024, 10, 1), Decimal(43), True),
        ("SATISFACTION", date(2024, 1, 1), Decimal("7.5"), True),
        ("SATISFACTION", date(2024, 7, 1), Decimal(8), True),
    ]
    # The form shows what counts; sent back unchanged it reports nothing again.
    page = client.get(url, query_string={"jaar": 2024}).get_data(as_text=True)
    h1 = cell(satisfaction, date(2024, 1, 1))
    assert f'id="{h1}" name="{h1}" value="7,5"' in page
    shown = dict(re.findall(r'name="(kpi\d+_[\d-]+)" value="([^"]*)"', page))
    page = client.post(url, data={"jaar": "2024", **shown}).get_data(as_text=True)
    assert "Vul ten minste één nieuw of gewijzigd cijfer in." in html.unescape(page)
    assert len(stored()) == 6


def test_a_refused_year_keeps_what_was_typed_and_stores_nothing(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, provider, agreement, _manager = reporting
    login(client, provider)
    url = f"/aanbieder/overeenkomsten/{agreement.id}/kpi"
    clients, goals = definition(das, "CLIENTS"), definition(das, "GOALS")
    typed = {
        "jaar": "2024",
        cell(clients, date(2024, 1, 1)): "40",
        cell(clients, date(2024, 4, 1)): "veel",
        cell(goals, date(2024, 1, 1)): "120",
        "reason": "",
    }
    response = client.post(url, data=typed)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(KpiValue)) == 0
    for name in (cell(clients, date(2024, 1, 1)), cell(clients, date(2024, 4, 1))):
        assert f'name="{name}" value="{typed[name]}"' in page  # kept as typed
    # Each refused cell: named in the summary with a link to it, and marked at the field.
    bad = cell(clients, date(2024, 4, 1))
    assert f'<a href="#{bad}">Cliënten in zorg 2024-K2: Schrijf een getal' in page
    assert f'aria-invalid="true" aria-describedby="{bad}-error"' in page
    too_high = "Doelrealisatie: de waarde mag niet hoger zijn dan 100."
    assert f'<a href="#{cell(goals, date(2024, 1, 1))}">Doelrealisatie 2024-H1: {too_high}' in page
    assert cell(clients, date(2024, 1, 1)) + "-error" not in page  # the good cell has no error


def test_partial_entry_and_a_correction_needs_a_reason(
    app: Flask, client: FlaskClient, reporting
) -> None:
    """Decision: a year may be filled in part (the rest is reported later, and is late when its
    due date passes); a changed figure is a correction and needs a reason."""
    das, provider, agreement, _manager = reporting
    login(client, provider)
    url = f"/aanbieder/overeenkomsten/{agreement.id}/kpi"
    clients = definition(das, "CLIENTS")
    q1, q2 = cell(clients, date(2024, 1, 1)), cell(clients, date(2024, 4, 1))
    assert client.post(url, data={"jaar": "2024", q1: "40"}).status_code == 302
    page = client.post(url, data={"jaar": "2024", q1: "44", q2: "41"}).get_data(as_text=True)
    assert "Geef de reden van de correctie op" in html.unescape(page)
    assert 'aria-describedby="reason-error"' in page and f'name="{q1}" value="44"' in page
    assert [v[2] for v in stored()] == [Decimal(40)]  # the new Q2 waited with the correction
    response = client.post(url, data={"jaar": "2024", q1: "44", q2: "41", "reason": "Telfout"})
    assert response.status_code == 302
    assert stored() == [
        ("CLIENTS", date(2024, 1, 1), Decimal(40), False),
        ("CLIENTS", date(2024, 1, 1), Decimal(44), True),
        ("CLIENTS", date(2024, 4, 1), Decimal(41), True),
    ]


def test_the_form_offers_only_periods_that_may_be_reported(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, provider, agreement, _manager = reporting
    login(client, provider)
    url = f"/aanbieder/overeenkomsten/{agreement.id}/kpi"
    clients = definition(das, "CLIENTS")
    for year, start in (("2023", date(2023, 10, 1)), ("2099", date(2099, 1, 1)), ("", None)):
        data = {"jaar": year} | ({cell(clients, start): "4"} if start else {})
        page = client.post(url, data=data).get_data(as_text=True)
        assert "Kies een jaar uit de lijst." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(KpiValue)) == 0


def test_a_year_not_over_yet_has_no_field_for_its_future_quarters(
    app: Flask, client: FlaskClient, reporting, monkeypatch: pytest.MonkeyPatch
) -> None:
    das, provider, agreement, _manager = reporting
    sheet = kpis.year_sheet(agreement, 2024, date(2024, 8, 15))
    clients = next(r for r in sheet if r.definition.code == "CLIENTS")
    assert [(c.period_start.month, c.open, c.ended) for c in clients.cells] == [
        (1, True, True),
        (4, True, True),
        (7, False, False),  # Q3 ends 1 October
        (10, False, False),
    ]
    goals = next(r for r in sheet if r.definition.code == "GOALS")
    assert [(c.quarters, c.open) for c in goals.cells] == [(2, True), (2, False)]
    assert kpis.report_years(agreement, date(2024, 3, 31)) == []  # no quarter has ended
    assert kpis.report_years(agreement, date(2025, 4, 1)) == [2025, 2024]


# --- the DAS overview -----------------------------------------------------------------------


def _region_kpi(das) -> KpiDefinition:
    return kpis.save_definition(
        factories.UserFactory(role=Role.ADMINISTRATOR),
        das,
        None,
        "GEZINSHUIZEN",
        "Aantal gezinshuizen",
        "aantal",
        True,
        Decimal(20),
        Decimal(16),
        ReportingPeriod.YEAR,
        region_specific=True,
        target_for_region=True,
    )


def test_the_overview_shows_charts_beside_their_tables_and_the_region_kpis(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, provider, agreement, manager = reporting
    homes = _region_kpi(das)
    turnover = definition(das, "TURNOVER")
    lot = next(al.lot for al in agreement.lots if al.is_current)
    kpis.report(
        provider,
        agreement,
        [
            kpis.Figure(turnover, date(2024, 1, 1), Decimal(1500)),
            kpis.Figure(turnover, date(2024, 1, 1), Decimal(1500), lot_id=lot.id),
            kpis.Figure(homes, date(2024, 1, 1), Decimal(18)),
        ],
        "",
        date(2025, 2, 1),
        at(date(2025, 2, 1)),
    )
    login(client, manager)
    page = client.get(f"/contracten/das/{das.slug}/overzicht?jaar=2024").get_data(as_text=True)
    # Each chart has an accessible name and sits beside the table of its numbers.
    for block_id, name in (
        ("omzet-per-perceel", "Omzet per perceel in 2024"),
        ("omzet-per-gemeente", "Omzet per gemeente in 2024"),
    ):
        block = page.split(f'id="{block_id}"')[1].split("</div>")[0]
        assert f'role="img" aria-label="{name}"' in block and "<table" in block
    lots = page.split('id="omzet-per-perceel"')[1].split("</div>")[0]
    # The agreement's lot, whichever of the DAS's lots it is (the bars follow the lots' order).
    bar = re.search(
        rf"<title>{re.escape(f'{lot.code}. {lot.name}')}: ([^<]*)</title></rect>",
        html.unescape(lots),
    )
    assert bar is not None and bar.group(1) == "€\xa01.500,00"
    assert f"<td>{lot.code}. {lot.name}</td><td>€\xa01.500,00</td>" in html.unescape(lots)
    region = page.split('id="regio-kpis"')[1]
    section = region.split(f'id="regio-kpi-{homes.id}"')[1].split("</section>")[0]
    assert 'role="img" aria-label="Aantal gezinshuizen per jaar"' in section
    assert "<title>2024: 18</title>" in section and "<title>norm 20</title>" in section
    assert "<td>2024</td><td>18</td><td>1</td>" in section and "onder de norm" in section
    # The agreement's own page shows the figure without holding it against the region's target.
    own = client.get(f"/contracten/{agreement.id}/kpi").get_data(as_text=True)
    own = own.split(f'id="kpi-{homes.id}"')[1].split("</section>")[0]
    assert re.search(r"<td>2024</td><td>18</td>\s*<td>norm geldt voor de regio</td>", own)
    assert "<title>norm 20</title>" not in own


def test_the_kpi_set_page_keeps_the_region_kpis_apart(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, _provider, _agreement, _manager = reporting
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    factories.assign(admin, das)
    login(client, admin)
    url = f"/contracten/das/{das.slug}/kpis"
    form = {
        "code": "GEZINSHUIZEN",
        "name": "Aantal gezinshuizen",
        "unit": "aantal",
        "higher_is_better": "1",
        "target": "20",
        "threshold": "16",
        "period": "year",
        "target_for_region": "y",
    }
    page = html.unescape(client.post(url, data=form).get_data(as_text=True))
    assert "Alleen een regiospecifieke KPI kan een norm voor de regio als geheel hebben." in page
    assert 'value="Aantal gezinshuizen"' in page  # kept as typed
    assert client.post(url, data={**form, "region_specific": "y"}).status_code == 302
    saved = definition(das, "GEZINSHUIZEN")
    assert saved.region_specific and saved.target_for_region and saved.target == 20
    page = client.get(url).get_data(as_text=True)
    national, region = page.split('id="regio"')
    assert "Cliënten in zorg" in national and "Aantal gezinshuizen" not in national
    assert "Aantal gezinshuizen" in region and "de regio als geheel" in region


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_overview_costs_the_same_for_two_or_six_agreements(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, provider, agreement, manager = reporting
    homes = _region_kpi(das)
    turnover = definition(das, "TURNOVER")
    login(client, manager)
    url = f"/contracten/das/{das.slug}/overzicht?jaar=2024"
    pairs = [(provider, agreement)]
    counts = []
    for wanted in (2, 6):
        while len(pairs) < wanted:
            other = factories.ProviderUserFactory()
            pairs.append((other, admit(das, other, date(2024, 1, 8))))
        for user, own in pairs:
            if kpis.current_value(own.id, homes.id, date(2024, 1, 1)) is None:
                kpis.report(
                    user,
                    own,
                    [
                        kpis.Figure(homes, date(2024, 1, 1), Decimal(3)),
                        kpis.Figure(turnover, date(2024, 4, 1), Decimal(100)),
                    ],
                    "",
                    date(2025, 2, 1),
                    at(date(2025, 2, 1)),
                )
        client.get(url)
        with counting() as statements:
            page = client.get(url).get_data(as_text=True)
        counts.append(len(statements))
        assert f"<td>2024</td><td>{3 * wanted}</td><td>{wanted}</td>" in page
    assert counts[0] == counts[1], counts
