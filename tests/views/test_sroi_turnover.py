"""The SROI reference-turnover page (issue 21): the obligations of a year, one provider's turnover
entered, a file imported (a bad one refused with its lines, nothing stored), the layout and an
example file on the page; the provider sees its obligation and progress."""

from __future__ import annotations

import html
import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import PrivacyRole, Role, SroiReport, SroiTurnover
from portal.services import calendar, kpis
from tests import factories
from tests.factories import admit, at
from tests.support.app import login


@pytest.fixture()
def year_page(app: Flask):
    """A DAS whose term began on 1 January of this year, one live agreement (a provider with an
    AGB code) and its contract manager: (das, provider, agreement, manager, this year)."""
    this_year = local_date(now()).year
    calendar.ensure_statutory_holidays(range(this_year - 2, this_year + 2))
    db.session.commit()
    das = factories.DasFactory(
        term_start=date(this_year, 1, 1),
        initial_end_date=date(this_year + 3, 12, 31),
        privacy_role=PrivacyRole.INDEPENDENT_CONTROLLER,
        published_at=at(date(this_year - 1, 3, 1)),
    )
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    provider = factories.ProviderUserFactory(
        organisation=factories.OrganisationFactory(
            agb_code="12345678", kvk_number="87654321", legal_name="Jeugdhulp De Linde"
        )
    )
    agreement = admit(das, provider, date(this_year - 1, 12, 1), live=True)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    db.session.commit()
    return das, provider, agreement, manager, this_year


def _stored() -> dict[tuple[int, int], int]:
    return {
        (r.agreement_id, r.year): r.amount_cents
        for r in db.session.scalars(db.select(SroiTurnover))
    }


def _text(response) -> str:
    return " ".join(html.unescape(response.get_data(as_text=True)).split())


def test_enter_a_turnover_from_before_the_agreement(client: FlaskClient, year_page) -> None:
    das, _provider, agreement, manager, this_year = year_page
    login(client, manager)
    url = f"/contracten/das/{das.slug}/sroi-omzet"
    page = _text(client.get(url))
    assert "Jeugdhulp De Linde" in page and "onbekend" in page
    # The year must be one whose turnover counts; what was typed stays on a refusal.
    refused = client.post(
        url, data={"agreement": agreement.id, "year": this_year, "amount": "400.000,00"}
    )
    assert refused.status_code == 200
    assert 'value="400.000,00"' in refused.get_data(as_text=True)
    assert _stored() == {}
    done = client.post(
        url, data={"agreement": agreement.id, "year": this_year - 1, "amount": "400.000,00"}
    )
    assert done.status_code == 302
    assert _stored() == {(agreement.id, this_year - 1): 400_000_00}
    page = _text(client.get(done.location))
    assert f"De omzet van Jeugdhulp De Linde over {this_year - 1} is vastgelegd." in page
    # 5% of 400,000 above 250,000: owed in the agreement's first year, measured on the year before.
    row = page.split('<th scope="row">Jeugdhulp De Linde</th>')[1]
    assert "€ 400.000,00" in row and "gemeenten" in row and "€ 20.000,00" in row


def test_the_page_documents_the_layout_and_offers_an_example(
    client: FlaskClient, year_page
) -> None:
    das, _provider, _agreement, manager, _year = year_page
    login(client, manager)
    page = _text(client.get(f"/contracten/das/{das.slug}/sroi-omzet"))
    assert "agb_code, kvk_nummer, jaar en omzet" in page
    assert "decimale komma of punt" in page
    example = client.get(f"/contracten/das/{das.slug}/sroi-omzet/voorbeeld.csv")
    assert example.status_code == 200 and example.mimetype == "text/csv"
    assert "attachment" in example.headers["Content-Disposition"]
    assert example.get_data(as_text=True).splitlines()[0] == "agb_code,kvk_nummer,jaar,omzet"


def _upload(client: FlaskClient, das, text: str):
    return client.post(
        f"/contracten/das/{das.slug}/sroi-omzet/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), "omzet.csv")},
        content_type="multipart/form-data",
    )


def test_import_a_file_and_refuse_a_bad_one(client: FlaskClient, year_page) -> None:
    das, _provider, agreement, manager, this_year = year_page
    login(client, manager)
    last = this_year - 1
    bad = f"agb_code;jaar;omzet\n12345678;{last};312.500,00\n99999999;{last};1000\n12345678;{last};veel\n"
    refused = _upload(client, das, bad)
    page = _text(refused)
    assert refused.status_code == 200
    assert "Het bestand is niet ingelezen" in page and "Er is niets opgeslagen" in page
    assert "Regel 3: Geen aanbieder met AGB-code of KvK-nummer 99999999" in page
    assert "Regel 4: 'veel' is geen bedrag" in page
    assert "Regel 2" not in page
    assert _stored() == {}
    good = f"kvk_nummer,jaar,omzet\n87654321,{last},312500.00\n"
    done = _upload(client, das, good)
    assert done.status_code == 302
    assert _stored() == {(agreement.id, last): 312_500_00}
    assert "1 omzetten zijn ingelezen." in _text(client.get(done.location))


def test_an_unreadable_file_is_refused(client: FlaskClient, year_page) -> None:
    das, _provider, _agreement, manager, _year = year_page
    login(client, manager)
    response = client.post(
        f"/contracten/das/{das.slug}/sroi-omzet/import",
        data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "omzet.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422  # not UTF-8: refused before it is read
    assert _stored() == {}


def test_the_provider_sees_its_obligation_and_progress(
    app: Flask, client: FlaskClient, year_page
) -> None:
    das, provider, agreement, manager, this_year = year_page
    today = local_date(now())
    kpis.save_turnover(manager, agreement, this_year - 1, 400_000_00, today, now())
    db.session.add(
        SroiReport(
            agreement_id=agreement.id,
            year=this_year,
            activity="Leerwerkplek",
            amount_cents=5_000_00,
            reported_by_id=provider.id,
            reported_at=now(),
        )
    )
    db.session.commit()
    login(client, provider)
    page = _text(client.get(f"/aanbieder/overeenkomsten/{agreement.id}/sroi"))
    assert "Uw verplichting per jaar" in page
    row = page.split("Uw verplichting per jaar")[1]
    assert f"{this_year - 1}: € 400.000,00 (vastgelegd door de gemeenten)" in row
    assert "€ 20.000,00" in row and "€ 5.000,00" in row


def test_a_manager_of_another_das_cannot_enter_or_import(client: FlaskClient, year_page) -> None:
    das, _provider, agreement, _manager, this_year = year_page
    elsewhere = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(elsewhere, factories.DasFactory())
    login(client, elsewhere)
    url = f"/contracten/das/{das.slug}/sroi-omzet"
    assert client.get(url).status_code == 404
    posted = client.post(
        url, data={"agreement": agreement.id, "year": this_year - 1, "amount": "1"}
    )
    assert posted.status_code == 404
    assert (
        _upload(client, das, f"agb_code,jaar,omzet\n12345678,{this_year - 1},1\n").status_code
        == 404
    )
    assert _stored() == {}
