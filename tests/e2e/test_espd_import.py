"""A provider imports its UEA (ESPD) response into a draft in Chromium (issue 22): upload, see
what was filled, adopt the address, and find the imported answers on the exclusion page marked
as carried over from the ESPD. axe-core checks every page (tests/e2e/conftest.py)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import EspdImport, Organisation
from portal.services import applications
from tests import factories
from tests.services.test_espd_import import DATA, KVK, with_tax_ground
from tests.support.browser import Journey

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_import_a_uea_and_adopt_the_address(app: Flask, live_server: str, page: Page) -> None:
    das = factories.DasFactory(name="Jeugdhulp regio Voorbeeld")
    with_tax_ground(das)
    provider = factories.ProviderUserFactory(
        organisation=factories.OrganisationFactory(kvk_number=KVK)
    )
    draft = applications.start_application(das, provider)
    organisation_id = provider.organisation_id

    journey = Journey(page)
    journey.log_in(live_server, provider.email)
    page.goto(f"{live_server}/aanbieder/aanmeldingen/{draft.id}")
    page.get_by_role("link", name=re.compile("Al een UEA \\(ESPD\\) ingevuld")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Antwoorden overnemen uit een UEA (ESPD)"
    )

    page.get_by_label("Het XML-bestand van uw UEA (ESPD)").set_input_files(
        {
            "name": "uea.xml",
            "mimeType": "application/xml",
            "buffer": (DATA / "response-nl-small.xml").read_bytes(),
        }
    )
    page.get_by_role("button", name="UEA inlezen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overgenomen uit uw UEA (ESPD)")
    expect(page.get_by_role("rowheader", name="U1. Fraude")).to_be_visible()
    expect(page.get_by_text("compliance officer")).to_be_visible()
    expect(page.get_by_role("rowheader", name="U2. Faillissement")).to_be_visible()

    for label in ("Straat en huisnummer", "Postcode", "Plaats"):
        page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Gekozen gegevens overnemen").click()
    expect(
        page.get_by_text(re.compile("Overgenomen in het profiel van uw organisatie"))
    ).to_be_visible()

    page.get_by_role("link", name="Uitsluitingsgronden controleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitsluitingsgronden")
    for code in ("U1", "U3"):
        expect(page.locator(f"#criterium-{code} .reuse")).to_contain_text(
            "Overgenomen uit het ESPD uea.xml"
        )
    expect(page.locator("#criterium-U2 .reuse")).to_have_count(0)

    db.session.expire_all()
    organisation = db.session.get(Organisation, organisation_id)
    assert organisation is not None
    assert (organisation.street_address, organisation.postcode, organisation.city) == (
        "Lindelaan 12",
        "3511 AB",
        "Utrecht",
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(EspdImport)) == 1
