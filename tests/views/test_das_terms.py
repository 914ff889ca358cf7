"""The terms page (issue 19): prefilled suggestion, refusals in Dutch keeping what was typed, the
KPI set shown with a way to the KPI definitions, saving."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import DasState, PrivacyRole, ReportingPeriod, Role
from portal.services import kpis
from tests import factories
from tests.support.app import login

FORM = {
    "ova_percent": "85",
    "ppc_percent": "15",
    "first_index_year": "2027",
    "sroi_threshold": "300.000,00",
    "sroi_percent": "4,5",
    "sroi_reference_year": "",
    "allocation_who_chooses": "Ouders kiezen samen met de toegang.",
    "allocation_request": "Via een 301-bericht.",
    "allocation_no_capacity": "Binnen vijf werkdagen melden.",
    "privacy_role": "processor",
    "privacy_text": "Gegevens blijven in de EU.",
}


def test_the_terms_page_suggests_the_allocation_and_shows_the_kpis(
    app: Flask, client: FlaskClient
) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    kpis.save_definition(
        admin,
        das,
        None,
        "GEZINSHUIS",
        "Aantal gezinshuizen",
        "gezinshuizen",
        True,
        Decimal(20),
        Decimal(16),
        ReportingPeriod.YEAR,
    )
    login(client, admin)
    page = client.get(f"/beheer/das/{das.slug}/voorwaarden").get_data(as_text=True)
    assert "Aantal gezinshuizen" in page and "20 gezinshuizen" in page
    assert f"/contracten/das/{das.slug}/kpis" in page
    assert "kiezen, samen met de verwijzer" in page  # the suggestion after seed 003 §4.5
    assert 'value="90"' in page and 'value="10"' in page


def test_refusals_are_dutch_and_keep_what_was_typed(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(client, admin)
    typed = {
        **FORM,
        "ppc_percent": "20",
        "sroi_reference_year": "2040",
        "allocation_request": "",
        "allocation_no_capacity": "Mijn eigen tekst die blijft staan.",
    }
    response = client.post(f"/beheer/das/{das.slug}/voorwaarden", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Beschrijf hoe een jeugdhulpaanbieder wordt gevraagd." in page
    assert "Mijn eigen tekst die blijft staan." in page and 'value="20"' in page
    # The form's own check first; the service's ranges once the form is complete.
    response = client.post(
        f"/beheer/das/{das.slug}/voorwaarden",
        data={**typed, "allocation_request": "Via een 301-bericht."},
    )
    page = response.get_data(as_text=True)
    assert "De gewichten van OVA en PPC moeten samen 100% zijn." in page
    assert "Kies een jaar binnen de looptijd van het aankoopsysteem: 2026 tot en met 2035." in page
    assert 'value="2040"' in page
    db.session.refresh(das)
    assert das.privacy_role is None and das.ova_weight == Decimal("0.9")


def test_saving_the_terms(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(client, admin)
    response = client.post(f"/beheer/das/{das.slug}/voorwaarden", data=FORM)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "De voorwaarden zijn opgeslagen." in page
    db.session.refresh(das)
    assert das.privacy_role is PrivacyRole.PROCESSOR and das.requires_processing_agreement
    assert das.sroi_threshold_cents == 300_000_00 and das.sroi_percent == Decimal("4.5")
    assert "verwerker van de gemeenten" in page  # the standard text for the chosen role


def test_only_administrators_reach_the_terms(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    login(client, manager)
    assert client.get(f"/beheer/das/{das.slug}/voorwaarden").status_code == 403
    assert client.post(f"/beheer/das/{das.slug}/voorwaarden", data=FORM).status_code == 403
