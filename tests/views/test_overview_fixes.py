"""Issue 21: the DAS overview and the exports, corrected (the rest group's label, the CSV
Content-Type, the years offered, the talk score) and the market per year (seed 003 §3.3)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import AgreementState, Das, FrameworkAgreement, KpiValue, Role
from portal.services import agreements, kpis
from tests import factories
from tests.factories import at
from tests.support.app import login


def _turnover(das: Das, manager, euros_per_year: dict[int, list[int]]) -> list[FrameworkAgreement]:
    """Live agreements with a yearly turnover figure each (the first quarter holds the year's
    amount): `euros_per_year` gives per year the amounts of provider 0, 1, ..."""
    definition = next(d for d in kpis.definitions_of(das.id) if d.code == kpis.TURNOVER)
    count = max(len(amounts) for amounts in euros_per_year.values())
    made = [
        FrameworkAgreement(
            das=das,
            organisation_id=factories.OrganisationFactory(legal_name=f"Aanbieder {n:02d}").id,
            reference=f"RO-M-{das.id}-{n:03d}",
            state=AgreementState.LIVE,
            start_date=das.term_start,
            end_date=das.common_end_date,
        )
        for n in range(count)
    ]
    db.session.add_all(made)
    db.session.flush()
    for year, amounts in euros_per_year.items():
        for agreement, euros in zip(made, amounts, strict=False):
            db.session.add(
                KpiValue(
                    agreement_id=agreement.id,
                    definition_id=definition.id,
                    period_start=date(year, 1, 1),
                    value=Decimal(euros),
                    reported_by_id=manager.id,
                )
            )
    db.session.commit()
    return made


def _market_rows(page: str) -> list[list[str]]:
    table = page.split('id="markt-per-jaar"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _concentration(page: str) -> str:
    return page.split("Marktconcentratie")[1].split("</table>")[0]


def test_the_rest_group_shows_only_when_it_has_providers(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, _provider, _agreement, manager = reporting
    _turnover(das, manager, {2025: [300, 200]})
    login(client, manager)
    page = client.get(f"/contracten/das/{das.slug}/overzicht?jaar=2025").get_data(as_text=True)
    assert "Top 5" in _concentration(page) and "Overige" not in _concentration(page)


def test_the_rest_group_counts_its_own_providers(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, _provider, _agreement, manager = reporting
    _turnover(das, manager, {2025: [1000 - n for n in range(15)]})
    login(client, manager)
    page = client.get(f"/contracten/das/{das.slug}/overzicht?jaar=2025").get_data(as_text=True)
    assert "Overige (2 aanbieders met omzet)" in _concentration(page)


@pytest.mark.parametrize(
    "url",
    [
        "/contracten/export.csv",
        "/contracten/das/{slug}/overzicht/sroi.csv?jaar=2025",
        "/contracten/das/{slug}/overzicht/gesprekken.csv?jaar=2025",
    ],
)
def test_a_csv_names_its_charset_once(app: Flask, client: FlaskClient, reporting, url: str) -> None:
    das, _provider, _agreement, manager = reporting
    login(client, manager)
    response = client.get(url.format(slug=das.slug))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def _years_offered(page: str) -> list[int]:
    nav = page.split('aria-label="Jaren van het aankoopsysteem"')[1].split("</nav>")[0]
    return [int(y) for y in re.findall(r"jaar=(\d{4})", nav)]


def test_the_years_offered_are_the_das_term(app: Flask, client: FlaskClient, reporting) -> None:
    das, _provider, _agreement, manager = reporting  # term 2024 to 31-12-2029
    login(client, manager)
    url = f"/contracten/das/{das.slug}/overzicht"
    page = client.get(url, query_string={"jaar": 2026}).get_data(as_text=True)
    assert _years_offered(page) == list(range(2024, 2030))
    assert "Vorig jaar" not in page  # it once led on, back to 2004
    assert re.search(r'jaar=2026" aria-current="page"', page)
    # A year outside the term shows a year within it, and never links further back.
    for outside in (2004, 2023, 2030):
        far = client.get(url, query_string={"jaar": outside}).get_data(as_text=True)
        heading = re.search(r"<h1>Contractmanagement (\d{4})</h1>", far)
        assert heading and 2024 <= int(heading.group(1)) <= 2029
        assert _years_offered(far) == list(range(2024, 2030))

    # An option exercised adds its years.
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    agreements.exercise_option(admin, das, date(2029, 6, 1), at(date(2029, 6, 1)))
    page = client.get(url, query_string={"jaar": 2032}).get_data(as_text=True)
    assert _years_offered(page) == list(range(2024, 2033))
    assert "<h1>Contractmanagement 2032</h1>" in page


def test_a_talk_score_is_a_fraction_not_a_thousand(
    app: Flask, client: FlaskClient, reporting
) -> None:
    das, _provider, _agreement, manager = reporting
    _turnover(das, manager, {2025: [1000, 500]})
    login(client, manager)
    page = client.get(
        f"/contracten/das/{das.slug}/overzicht",
        query_string={"jaar": 2025, "gewicht_clienten": 0, "gewicht_omzet": 1},
    ).get_data(as_text=True)
    ranking = page.split("<caption>Top ")[1].split("</table>")[0]
    scores = re.findall(r"<td>([^<]*)</td><td>(?:ja|nee)</td>", ranking)
    assert scores == ["1", "0,5", "0"]  # the largest turnover scores 1, half of it 0,5


def test_the_market_per_year_with_its_movement(app: Flask, client: FlaskClient, reporting) -> None:
    das, _provider, _agreement, manager = reporting  # term from 2024
    # 2024: one provider (HHI 10,000); 2025: four at 25% (2,500); 2026: 100 at 1% each.
    _turnover(das, manager, {2024: [500], 2025: [100] * 4, 2026: [7] * 100})
    login(client, manager)
    page = client.get(f"/contracten/das/{das.slug}/overzicht?jaar=2026").get_data(as_text=True)
    assert _market_rows(page) == [
        ["2024", "1", "0", "10000"],
        ["2025", "4 (+3)", "0 (±0)", "2500 (−7500)"],
        ["2026", "100 (+96)", "100 (+100)", "100 (−2400)"],
    ]
    earlier = client.get(f"/contracten/das/{das.slug}/overzicht?jaar=2025").get_data(as_text=True)
    assert [row[0] for row in _market_rows(earlier)] == ["2024", "2025"]
    assert '<th scope="col">HHI</th>' in page
