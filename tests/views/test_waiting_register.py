"""The public waiting-time register (issue 23): the search page, its filters in the query string
(no JavaScript), English, and the CSV and JSON downloads with the same filters."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import AgreementState, AuthorityKind
from tests import factories
from tests.factories import add_waiting_time

DAY = date(2026, 3, 2)


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture()
def register(app: Flask):
    subregion = factories.AuthorityFactory(
        name="Subregio Oost", kind=AuthorityKind.SUBREGION, cbs_code=None
    )
    east = factories.AuthorityFactory(name="Oostdorp", parent_id=subregion.id)
    west = factories.AuthorityFactory(name="Westdorp")
    das = factories.DasFactory(name="Jeugdhulp Regio Test")
    das.authorities = [east, west]
    db.session.commit()

    def provider(name: str, **details: str):
        return factories.ProviderUserFactory(
            organisation=factories.OrganisationFactory(legal_name=name, **details)
        )

    alpha = factories.admit(
        das, provider("Alpha Zorg", email="info@alpha.nl", phone="010 1234567"), DAY, live=True
    )
    beta = factories.admit(das, provider("Beta Zorg", city="Weert"), DAY, live=True)
    lot1, lot2 = das.lots
    add_waiting_time(alpha, lot1, _now() - timedelta(days=2), intake=6, treatment=8)
    add_waiting_time(
        beta, lot1, _now() - timedelta(days=40), intake=1, treatment=3, authority=subregion
    )
    add_waiting_time(beta, lot2, _now() - timedelta(days=1), intake=3, accepts=False, note="Vol")
    return das, east, west, alpha, beta


def test_search_page_lists_shortest_wait_first_with_contact(client: FlaskClient, register) -> None:
    page = client.get("/wachttijden").get_data(as_text=True)
    assert "Wachttijden jeugdhulp" in page
    # Beta's 1 week first, then Beta's 3 weeks, then Alpha's 6.
    assert (
        page.index("Subregio Oost") < page.index("nee, tijdelijk niet") < page.index("Alpha Zorg")
    )
    assert "mailto:info@alpha.nl" in page and 'href="tel:0101234567"' in page
    assert "Jeugdhulp Regio Test" in page and "Weert" in page
    assert "verouderd" in page  # Beta's subregion entry is 40 days old
    assert "Toelichting: Vol" in page
    assert "3 opgaven gevonden" in page


def test_filters_come_from_the_query_string_and_stay_selected(
    client: FlaskClient, register
) -> None:
    das, east, west, _alpha, _beta = register
    page = client.get(f"/wachttijden?gemeente={west.id}").get_data(as_text=True)
    # Westdorp is not in the subregion: Beta's subregion entry does not speak for it.
    assert "Subregio Oost" not in page.split('<h2 id="results-title"')[1].split("Open data")[0]
    assert f'<option value="{west.id}" selected>Westdorp</option>' in page
    assert "2 opgaven gevonden" in page and "Voor gemeente Westdorp." in page
    page = client.get(f"/wachttijden?gemeente={east.id}&aanname=1").get_data(as_text=True)
    assert "2 opgaven gevonden" in page and "nee, tijdelijk niet" not in page
    assert 'id="aanname" name="aanname" value="1" checked' in page
    page = client.get("/wachttijden?product=45-45A02").get_data(as_text=True)
    assert "1 opgave gevonden" in page and "Voor product 45A02 Wonen." in page
    assert '<option value="45-45A02" selected>' in page
    # The downloads carry the same filters.
    assert "/wachttijden.csv?product=45-45A02" in page


@pytest.mark.parametrize(
    "query",
    [
        "gemeente=abc",
        "gemeente=99999999999999999999",
        "gemeente=-1",
        "product=%27%3B--",
        "product=" + "9" * 300,
        "aanname=ja",
        "pagina=x",
        "gemeente=\u0661",
    ],
)
def test_made_up_filters_fall_back_to_everything(client: FlaskClient, register, query: str) -> None:
    response = client.get(f"/wachttijden?{query}")
    assert response.status_code == 200
    assert "3 opgaven gevonden" in response.get_data(as_text=True)


def test_unknown_municipality_finds_nothing_and_says_so(client: FlaskClient, register) -> None:
    page = client.get("/wachttijden?gemeente=987654").get_data(as_text=True)
    assert "Geen aanbieder gevonden" in page


def test_page_past_the_end_is_404(client: FlaskClient, register) -> None:
    assert client.get("/wachttijden?pagina=2").status_code == 404


def test_ended_agreement_is_not_listed(client: FlaskClient, register) -> None:
    _das, _east, _west, alpha, _beta = register
    alpha.state = AgreementState.ENDED
    db.session.commit()
    page = client.get("/wachttijden").get_data(as_text=True)
    assert "Alpha Zorg" not in page and "2 opgaven gevonden" in page


def test_in_english(client: FlaskClient, register) -> None:
    client.post("/taal/en")
    page = client.get("/wachttijden").get_data(as_text=True)
    assert 'lang="en"' in page


def test_csv_download_with_filters(client: FlaskClient, register) -> None:
    _das, east, _west, _alpha, _beta = register
    response = client.get(f"/wachttijden.csv?gemeente={east.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["aanbieder", "e_mail", "telefoon"]
    assert [(r[0], r[9], r[10], r[15]) for r in rows[1:]] == [
        ("Beta Zorg", "Subregio Oost", "1", "ja"),
        ("Beta Zorg", "", "3", "nee"),
        ("Alpha Zorg", "", "6", "nee"),
    ]


def test_json_download_has_the_documented_fields(client: FlaskClient, register) -> None:
    response = client.get("/wachttijden.json?product=45-45A01&aanname=1")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    document = json.loads(response.get_data())
    assert document["filters"] == {"product": "45-45A01", "aanname": "1"}
    entries = document["entries"]
    assert [e["provider"]["name"] for e in entries] == ["Beta Zorg", "Alpha Zorg"]
    beta, alpha = entries
    assert beta["area"] == {"name": "Subregio Oost", "kind": "subregion"}
    assert beta["outdated"] is True and alpha["outdated"] is False
    assert alpha["provider"] == {
        "name": "Alpha Zorg",
        "email": "info@alpha.nl",
        "phone": "010 1234567",
        "city": "Roermond",
    }
    assert alpha["product"] is None and alpha["lot"] == {
        "code": "1",
        "name": "Individuele begeleiding",
    }
    assert (alpha["weeks_to_intake"], alpha["weeks_to_treatment"]) == (6, 8)
    assert alpha["accepts_new_clients"] is True
    assert datetime.fromisoformat(alpha["last_updated"]) < _now()
    # Every field the page documents is there.
    page = client.get("/wachttijden").get_data(as_text=True)
    for field in alpha:
        assert f"<code>{field}</code>" in page


def test_home_and_announcement_link_to_the_register(client: FlaskClient, register) -> None:
    das = register[0]
    assert 'href="/wachttijden"' in client.get("/").get_data(as_text=True)
    assert 'href="/wachttijden"' in client.get(f"/das/{das.slug}").get_data(as_text=True)
