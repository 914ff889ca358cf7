"""Journeys of the public, the administrator and the contract manager, and the key pages at
desktop and phone width, on the demo data set (the one `make run` shows): in Chromium, every
page checked by axe-core. Screenshots go to test-results/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.devdata.demo import load_demo
from portal.extensions import db
from portal.models import AgreementState, ContractTalk, FrameworkAgreement, TariffSheet
from tests.support.browser import log_in_to_demo

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
ML = "ambulante-jeugdhulp-en-wonen-midden-limburg"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture()
def demo(app: Flask) -> None:
    load_demo(date.today())


def shoot(page: Page, name: str, width: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def test_public_announcement_products_tariffs_register_and_statements(
    demo: None, live_server: str, page: Page
) -> None:
    page.goto(live_server)
    page.get_by_role("link", name="Lees de aankondiging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ambulante jeugdhulp en wonen Midden-Limburg"
    )
    expect(page.get_by_text("Roermond").first).to_be_visible()
    # The admitted-provider register is a paged list the announcement links to.
    page.get_by_role("link", name="Alle toegelaten aanbieders, op naam").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegelaten aanbieders")
    expect(page.get_by_role("cell", name="Roerdal Jeugd & Gezin B.V.").first).to_be_visible()
    page.get_by_label("Perceel").select_option(index=1)
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("perceel")
    page.get_by_role("link", name=re.compile("gegunde opdrachten")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gegunde opdrachten")
    page.get_by_role("link", name="Ambulante jeugdhulp en wonen Midden-Limburg").click()

    page.get_by_role("link", name="Productbeschrijvingen en tarieven").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Producten")
    expect(page.get_by_text("Individuele begeleiding").first).to_be_visible()

    page.goto(f"{live_server}/das/{ML}/tarieven")
    page.get_by_role("link", name=re.compile("2025")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2025")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="Toegankelijkheid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegankelijkheidsverklaring")
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacyverklaring")

    # English on request, on the same page; the choice stays while browsing.
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy statement")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Accessibility").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accessibility statement")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegankelijkheidsverklaring")


def test_administrator_maintains_the_das_and_publishes_tariffs(
    demo: None, live_server: str, page: Page
) -> None:
    log_in_to_demo(page, live_server, "beheerder@demo.das-portaal.nl")
    page.goto(f"{live_server}/beheer/das/{ML}/catalogus")
    expect(page.get_by_role("heading", level=1)).to_have_text("Producten")

    # Configure: a product's description is changed and shown to the public.
    page.get_by_role("link", name="Individuele begeleiding licht").click()
    page.get_by_label("Productbeschrijving").fill(
        "Begeleiding thuis en op school, resultaatgericht."
    )
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Producten")
    page.goto(f"{live_server}/das/{ML}/producten")
    expect(page.get_by_text("Begeleiding thuis en op school, resultaatgericht.")).to_be_visible()

    # The index figures for 2026; a typing error is refused and what was typed stays.
    page.goto(f"{live_server}/beheer/das/{ML}/indexcijfers")
    page.get_by_label("Jaar", exact=True).fill("2026")
    page.get_by_label("OVA prognose (%)").fill("3,5x")
    page.get_by_label("PPC prognose (%)").fill("2,10")
    page.get_by_role("button", name="Cijfers opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Schrijf een percentage")
    expect(page.get_by_label("PPC prognose (%)")).to_have_value("2,10")
    page.get_by_label("OVA prognose (%)").fill("3,50")
    page.get_by_role("button", name="Cijfers opslaan").click()
    page.get_by_label("Jaar", exact=True).fill("2025")
    page.get_by_label("OVA prognose (%)").fill("4,18")
    page.get_by_label("PPC prognose (%)").fill("1,82")
    page.get_by_label("OVA definitief (%)").fill("4,30")
    page.get_by_label("PPC definitief (%)").fill("1,90")
    page.get_by_role("button", name="Cijfers opslaan").click()

    # Preview, then publish the 2026 tariff sheet.
    page.goto(f"{live_server}/beheer/das/{ML}/indexeren/2026")
    expect(page.get_by_role("heading", level=2).first).to_contain_text("Index 2026")
    page.get_by_role("button", name="Verder naar bevestigen").click()
    page.get_by_role("button", name="Ja, publiceer en mail de aanbieders").click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert db.session.scalar(db.select(TariffSheet).where(TariffSheet.year == 2026)) is not None
    page.goto(f"{live_server}/das/{ML}/tarieven")
    expect(page.get_by_role("link", name=re.compile("2026")).first).to_be_visible()


def test_contract_manager_dashboards_selection_talks_sroi_and_exports(
    demo: None, live_server: str, page: Page
) -> None:
    log_in_to_demo(page, live_server, "contractmanager@demo.das-portaal.nl")
    page.get_by_role("link", name="Contracten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contractregister")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporteren naar Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("link", name="KPI's, gesprekken en social return").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contractmanagement")
    expect(page.get_by_role("heading", name="Selectie voor contractgesprekken")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Social return"))).to_be_visible()
    page.get_by_label("Gewicht cliënten").fill("70")
    page.get_by_label("Gewicht omzet").fill("30")
    page.get_by_role("button", name="Opnieuw rangschikken").click()
    expect(page.get_by_label("Gewicht cliënten")).to_have_value("70")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel per perceel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # A provider's dashboard; a talk with a follow-up action is logged.
    agreement = db.session.scalar(
        db.select(FrameworkAgreement).where(FrameworkAgreement.state == AgreementState.LIVE)
    )
    page.goto(f"{live_server}/contracten/{agreement.id}/kpi")
    expect(page.get_by_role("heading", level=1)).to_have_text(agreement.organisation.legal_name)
    page.get_by_text("Gesprek vastleggen").first.click()
    page.get_by_label("Datum").fill(date.today().isoformat())
    page.get_by_label("Deelnemers").fill("Carla Contractmanager, directeur aanbieder")
    page.get_by_label("Gemaakte afspraken").fill("Wachtlijst halveren voor 1 juli.")
    page.get_by_label("Vervolgactie 1 (optioneel)").fill("Plan van aanpak wachtlijst sturen")
    page.get_by_label("Eigenaar van actie 1").fill("Aanbieder")
    page.get_by_role("button", name="Gesprek vastleggen").click()
    expect(
        page.get_by_role("cell", name="Plan van aanpak wachtlijst sturen", exact=True)
    ).to_be_visible()
    assert db.session.scalar(db.select(db.func.count()).select_from(ContractTalk)) >= 1
    with page.expect_download() as download:
        page.get_by_role("link", name="alle cijfers (Excel)").click()
    assert download.value.suggested_filename.endswith(".xlsx")


WIDEST_ELEMENT = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth
                 && !e.closest(".table-scroll"))
  .map((e) => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right))
  .slice(0, 5)"""

KEY_PAGES: list[tuple[str, str | None, str]] = [
    ("home", None, "/"),
    ("das", None, f"/das/{ML}"),
    ("tariffs", None, f"/das/{ML}/tarieven"),
    ("register", None, "/registreren"),
    ("provider-dashboard", "aanbieder@demo.das-portaal.nl", "/aanbieder/"),
    ("provider-documents", "aanbieder@demo.das-portaal.nl", "/aanbieder/documenten"),
    ("review-queue", "beoordelaar@demo.das-portaal.nl", "/beoordeling/"),
    ("contract-register", "contractmanager@demo.das-portaal.nl", "/contracten/"),
    ("contract-overview", "contractmanager@demo.das-portaal.nl", f"/contracten/das/{ML}/overzicht"),
]


@pytest.mark.parametrize(("width_name", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_key_pages_at_desktop_and_phone_width(
    demo: None,
    live_server: str,
    new_page: Callable[..., Page],
    width_name: str,
    viewport: dict[str, int],
) -> None:
    pages: dict[str | None, Page] = {}
    for name, user, path in KEY_PAGES:
        if user not in pages:
            pages[user] = new_page(viewport=viewport)
            if user:
                log_in_to_demo(pages[user], live_server, user)
        page = pages[user]
        page.goto(f"{live_server}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        shoot(page, name, width_name)
        # Reflow (WCAG 1.4.10): nothing but wide tables, which scroll in their own box,
        # makes the page wider than the screen.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            widest = page.evaluate(WIDEST_ELEMENT)
            raise AssertionError(f"{path} is {overflow}px wider than the screen: {widest}")
    # The review page and a provider's dashboard, reached by following links.
    reviewer = pages["beoordelaar@demo.das-portaal.nl"]
    reviewer.goto(f"{live_server}/beoordeling/")
    reviewer.locator("table a").first.click()
    expect(reviewer.get_by_role("heading", level=1)).to_be_visible()
    shoot(reviewer, "review-application", width_name)
    manager = pages["contractmanager@demo.das-portaal.nl"]
    manager.goto(f"{live_server}/contracten/")
    manager.locator("table a").first.click()
    expect(manager.get_by_role("heading", level=1)).to_be_visible()
    shoot(manager, "contract-agreement", width_name)
