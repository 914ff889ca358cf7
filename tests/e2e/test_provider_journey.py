"""A small provider registers and submits an application through the real pages, in Chromium."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Application, ApplicationState
from portal.services import calendar
from tests import factories


def test_register_apply_and_submit(
    app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory(name="Ambulante jeugdhulp testregio")
    certificate = tmp_path / "hkz-certificaat.pdf"
    certificate.write_bytes(factories.PDF_BYTES)
    extract = tmp_path / "kvk-uittreksel.pdf"
    extract.write_bytes(factories.PDF_BYTES + b"% uittreksel\n")
    recent = (date.today() - timedelta(days=10)).isoformat()

    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Registreer uw organisatie").first.click()

    # A wrong KvK number is refused in Dutch, and what was typed stays.
    page.get_by_label("Statutaire naam van uw organisatie").fill("Praktijk De Kleine Stap")
    page.get_by_label("KvK-nummer").fill("1234")
    page.get_by_label("Micro (1 tot 9 medewerkers)").check()
    page.get_by_label("Uw naam").fill("Sanne Jansen")
    page.get_by_label("Uw e-mailadres").fill("sanne@kleinestap.nl")
    page.get_by_label("Kies een wachtwoord").fill("een-heel-lang-wachtwoord")
    page.get_by_label("Herhaal het wachtwoord").fill("een-heel-lang-wachtwoord")
    page.get_by_role("button", name="Registreren").click()
    expect(page.get_by_role("alert")).to_contain_text("Een KvK-nummer bestaat uit 8 cijfers.")
    expect(page.get_by_label("Statutaire naam van uw organisatie")).to_have_value(
        "Praktijk De Kleine Stap"
    )
    page.get_by_role("link", name="Een KvK-nummer bestaat uit 8 cijfers.").click()
    expect(page.get_by_label("KvK-nummer")).to_be_focused()
    page.get_by_label("KvK-nummer").fill("69599084")
    page.get_by_label("Kies een wachtwoord").fill("een-heel-lang-wachtwoord")
    page.get_by_label("Herhaal het wachtwoord").fill("een-heel-lang-wachtwoord")
    page.get_by_role("button", name="Registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Praktijk De Kleine Stap")

    page.get_by_role("button", name=re.compile("Aanmelden of verder")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ambulante jeugdhulp testregio")
    expect(page.get_by_text("0 van 3 onderdelen compleet")).to_be_visible()

    page.get_by_role("link", name="Percelen").click()
    page.get_by_label("1. Individuele begeleiding").check()
    page.get_by_role("button", name="Opslaan en terug naar overzicht").click()
    expect(page.get_by_text("1 van 3 onderdelen compleet")).to_be_visible()

    page.get_by_role("link", name="Uitsluitingsgronden").click()
    for section in page.locator("section.criterion").all():
        section.get_by_label("Nee").check()
    page.get_by_role("button", name="Opslaan en terug naar overzicht").click()
    expect(page.get_by_text("2 van 3 onderdelen compleet")).to_be_visible()

    page.get_by_role("link", name="Geschiktheidseisen").click()
    for path, kind in ((certificate, "Kwaliteitscertificaat"), (extract, "Uittreksel KvK")):
        page.get_by_role("link", name="Een nieuw document uploaden").click()
        page.get_by_label("Bestand").set_input_files(str(path))
        page.get_by_label("Soort document").select_option(label=kind)
        page.get_by_label("Datum van afgifte").fill(recent)
        page.get_by_role("button", name="Uploaden").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Geschiktheidseisen")
    g1 = page.locator("#criterium-G1")
    g1.get_by_label("Ja").check()
    g1.get_by_label(re.compile("hkz-certificaat.pdf")).check()
    g4 = page.locator("#criterium-G4")
    g4.get_by_label("Ja").check()
    g4.get_by_label(re.compile("kvk-uittreksel.pdf")).check()
    page.get_by_role("button", name="Opslaan en terug naar overzicht").click()
    expect(page.get_by_text("3 van 3 onderdelen compleet")).to_be_visible()

    page.get_by_role("link", name="Controleren en indienen").click()
    page.get_by_label(re.compile("Ik verklaar dat de antwoorden")).check()
    page.get_by_role("button", name="Aanmelding indienen").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw aanmelding is ingediend.")

    application = db.session.scalar(db.select(Application))
    assert application.state is ApplicationState.SUBMITTED
    expect(page.get_by_text(application.reference, exact=True)).to_be_visible()
    expect(page.get_by_text(application.review_deadline.strftime("%d-%m-%Y"))).to_be_visible()
