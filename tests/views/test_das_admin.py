"""The administrator's pages of a DAS's life (issue 19): a refused form keeps what was typed
and says in Dutch what to fix; the settings page shows the checklist; publishing without it is
refused; a closed DAS tells a provider so."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Das, DasState, Role
from tests import factories
from tests.support.app import login

NEW = {
    "name": "Jeugdhulp Noord-Limburg",
    "slug": "jeugdhulp-noord-limburg",
    "reference": "NL-JH",
    "summary": "Jeugdhulp.",
    "scope": "Ambulante jeugdhulp.",
    "cpv_code": "85000000-9",
    "term_start": "2026-01-01",
    "initial_end_date": "2029-12-31",
    "extension_options_total": "2",
    "extension_option_years": "3",
    "review_working_days": "10",
    "four_eyes": "y",
    "contact_name": "Inkoop Noord",
}


def _admin(client: FlaskClient) -> None:
    login(client, factories.UserFactory(role=Role.ADMINISTRATOR))


def test_a_refused_new_das_keeps_what_was_typed(app: Flask, client: FlaskClient) -> None:
    factories.DasFactory(slug="jeugdhulp-noord-limburg", with_requirements=False)
    _admin(client)
    typed = NEW | {"initial_end_date": "2025-12-31", "extension_option_years": "0"}
    page = client.post("/beheer/das/nieuw", data=typed).get_data(as_text=True)
    assert "Deze korte naam is al in gebruik" in page
    assert "De einddatum moet na de begindatum van de looptijd liggen." in page
    assert "Een verlengingsoptie verlengt de looptijd met ten minste 1 jaar" in page
    assert 'value="Jeugdhulp Noord-Limburg"' in page and 'value="2025-12-31"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Das)) == 1


def test_create_then_the_settings_page_with_its_checklist(app: Flask, client: FlaskClient) -> None:
    _admin(client)
    response = client.post("/beheer/das/nieuw", data=NEW)
    assert response.status_code == 302
    assert response.location.endswith("/beheer/das/jeugdhulp-noord-limburg/instellingen")
    page = client.get(response.location).get_data(as_text=True)
    assert "Publiceren kan pas als alles hieronder is ingevuld" in page
    assert 'href="/beheer/das/jeugdhulp-noord-limburg/gemeenten">De deelnemende gemeenten' in page
    assert "Het contactpunt voor aanbieders" not in page.split("Nog niet compleet:")[1]
    # Publishing now is refused, with the reason, and nothing changes.
    client.post(
        "/beheer/das/jeugdhulp-noord-limburg/publiceren",
        data={"confirm": "y"},
        follow_redirects=False,
    )
    page = client.get(response.location).get_data(as_text=True)
    assert "Het aankoopsysteem is niet gepubliceerd: er ontbreekt nog iets." in page
    das = db.session.scalar(db.select(Das).where(Das.slug == "jeugdhulp-noord-limburg"))
    assert das is not None and das.state is DasState.DRAFT


def test_unknown_municipalities_are_named_by_line(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    _admin(client)
    typed = "Roermond; Midden-Limburg Oost\nNergenshuizen\nGM0988"
    page = client.post(
        f"/beheer/das/{das.slug}/gemeenten", data={"municipalities": typed, "lead": "Venlo"}
    ).get_data(as_text=True)
    assert "Regel 2: &#39;Nergenshuizen&#39; staat niet in de CBS-lijst van gemeenten." in page
    assert "Nergenshuizen\nGM0988" in page  # kept as typed
    response = client.post(
        f"/beheer/das/{das.slug}/gemeenten",
        data={"municipalities": "Roermond; Midden-Limburg Oost\nGM0988", "lead": "Roermond"},
    )
    assert response.status_code == 302
    page = client.get(f"/beheer/das/{das.slug}/gemeenten").get_data(as_text=True)
    assert "GM0957 Roermond; Midden-Limburg Oost" in page and "GM0988 Weert" in page


def test_a_published_das_changes_with_a_notice(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()  # open
    das.published_at = das.created_at
    db.session.commit()
    _admin(client)
    page = client.get(f"/beheer/das/{das.slug}/basisgegevens").get_data(as_text=True)
    data = {
        "name": "Andere naam",
        "slug": das.slug,
        "reference": das.reference,
        "summary": das.summary,
        "scope": das.scope,
        "cpv_code": das.cpv_code,
        "term_start": "2026-01-01",
        "initial_end_date": "2029-12-31",
        "extension_options_total": "2",
        "extension_option_years": "3",
        "review_working_days": "10",
    }
    assert "Wat is er gewijzigd en waarom" in page
    page = client.post(f"/beheer/das/{das.slug}/basisgegevens", data=data).get_data(as_text=True)
    assert "schrijf wat er is gewijzigd en waarom" in page
    assert 'value="Andere naam"' in page
    response = client.post(
        f"/beheer/das/{das.slug}/basisgegevens", data=data | {"change_summary": "Nieuwe naam"}
    )
    assert response.status_code == 302
    page = client.get(f"/beheer/das/{das.slug}/instellingen").get_data(as_text=True)
    assert "Versie 2" in page and "Nieuwe naam" in page


def test_a_closed_das_tells_the_provider(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.CLOSED)
    login(client, factories.ProviderUserFactory())
    page = client.post(f"/aanbieder/das/{das.slug}/aanmelden", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Dit aankoopsysteem is gesloten voor nieuwe aanmeldingen." in page
