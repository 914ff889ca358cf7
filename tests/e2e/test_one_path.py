"""In the browser: registration keeps what was typed and shows the password rules first; the
glossary and its links; the dashboard's next step and the DAS's contact point; the
administrator's contact-point page. axe-core checks every page these tests leave."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.models import Role
from tests import factories
from tests.support.browser import log_in

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_registration_keeps_the_fields_and_states_the_rules(
    app: Flask, live_server: str, page: Page
) -> None:
    factories.OrganisationFactory(kvk_number="69599084")
    page.goto(f"{live_server}/registreren")
    password = page.get_by_label("Kies een wachtwoord")
    expect(page.locator("#password-rules")).to_contain_text("minstens 12 tekens")
    expect(page.locator("#password-rules")).to_contain_text("Jeugdzorg2026!")
    expect(password).to_have_attribute("aria-describedby", "password-rules")
    page.get_by_label("Naam volgens het Handelsregister").fill("Praktijk De Bron")
    page.get_by_label("KvK-nummer").fill("69599084")
    page.get_by_label("Klein (10 tot 49 medewerkers)").check()
    page.get_by_label("Uw naam").fill("Anna de Vries")
    page.get_by_label("Uw e-mailadres").fill("anna@debron.nl")
    password.fill("Jeugdzorg2026!")
    page.get_by_label("Herhaal het wachtwoord").fill("Jeugdzorg2026!")
    page.get_by_role("button", name="Registreren").click()
    expect(page.locator("#password-error")).to_contain_text("telt als ‘jeugdzorg’")
    expect(page.get_by_label("Naam volgens het Handelsregister")).to_have_value("Praktijk De Bron")
    expect(page.get_by_label("Uw e-mailadres")).to_have_value("anna@debron.nl")
    expect(page.get_by_label("Klein (10 tot 49 medewerkers)")).to_be_checked()
    expect(page.get_by_label("Kies een wachtwoord")).to_have_value("")

    # A strong password now: the KvK number is taken, and still nothing typed is lost.
    page.get_by_label("Kies een wachtwoord").fill("fiets lamp wolk appel")
    page.get_by_label("Herhaal het wachtwoord").fill("fiets lamp wolk appel")
    page.get_by_role("button", name="Registreren").click()
    expect(page.locator("#kvk_number-error")).to_contain_text("al geregistreerd")
    expect(page.get_by_label("Uw naam")).to_have_value("Anna de Vries")
    expect(page.get_by_label("Klein (10 tot 49 medewerkers)")).to_be_checked()


def test_glossary_from_the_footer_and_a_term_link(app: Flask, live_server: str, page: Page) -> None:
    das = factories.DasFactory()
    page.goto(f"{live_server}/das/{das.slug}")
    page.locator("a.term", has_text="uitsluitingsgrond").first.click()
    expect(page).to_have_url(f"{live_server}/begrippen#uitsluitingsgrond")
    expect(page.locator("#uitsluitingsgrond")).to_be_in_viewport()
    page.goto(live_server)
    page.get_by_role("contentinfo").get_by_role("link", name="Begrippen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Begrippen")
    expect(page.get_by_role("heading", name="Gedragsverklaring Aanbesteden")).to_be_visible()


def test_dashboard_next_step_and_contact_point(app: Flask, live_server: str, page: Page) -> None:
    factories.DasFactory(
        name="Jeugdhulp Midden-Limburg",
        contact_name="Inkoopteam Jeugd",
        contact_email="jeugd@gemeente.nl",
        contact_phone="0475 123 456",
    )
    provider = factories.ProviderUserFactory()
    log_in(page, live_server, provider.email)
    panel = page.locator("section.next-step")
    expect(panel).to_contain_text("Jeugdhulp Midden-Limburg staat open")
    expect(page.locator("aside.contact-point")).to_contain_text("Inkoopteam Jeugd")
    panel.get_by_role("button", name="Aanmelding starten").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("aside.contact-point")).to_contain_text("jeugd@gemeente.nl")
    page.get_by_role("link", name="Mijn organisatie", exact=True).click()
    expect(panel).to_contain_text("0 van 3 onderdelen zijn compleet")
    expect(panel.get_by_role("link", name="Verder met mijn aanmelding")).to_be_visible()


def test_administrator_sets_the_contact_point(app: Flask, live_server: str, page: Page) -> None:
    das = factories.DasFactory(name="Dyslexiezorg")
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    log_in(page, live_server, admin.email)
    page.goto(f"{live_server}/beheer/")
    page.get_by_role("link", name="Contactpunt Dyslexiezorg").click()
    page.get_by_label("Naam of afdeling").fill("Inkoop Dyslexie")
    page.get_by_label("E-mailadres").fill("dyslexie@gemeente.nl")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Het contactpunt is opgeslagen.")).to_be_visible()
    page.goto(f"{live_server}/beheer/das/{das.slug}/contactpunt")
    expect(page.get_by_label("E-mailadres")).to_have_value("dyslexie@gemeente.nl")
