"""A small provider registers, confirms its e-mail, completes its profile, invites a colleague,
fills in the whole application with uploads, fixes a validation error and submits: in Chromium,
through the real pages, with the mail read from a real SMTP server."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Application, ApplicationState, User
from portal.services import calendar
from tests import factories
from tests.support.smtp import SmtpSink

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_small_provider_applies(
    app: Flask, live_server: str, page: Page, tmp_path: Path, mailbox: SmtpSink
) -> None:
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    factories.DasFactory(name="Ambulante jeugdhulp testregio")
    certificate = tmp_path / "hkz-certificaat.pdf"
    certificate.write_bytes(factories.PDF_BYTES)
    extract = tmp_path / "kvk-uittreksel.pdf"
    extract.write_bytes(factories.PDF_BYTES + b"% uittreksel\n")
    not_a_pdf = tmp_path / "foto.pdf"
    not_a_pdf.write_bytes(b"GIF89a not really a document")
    recent = (date.today() - timedelta(days=10)).isoformat()

    # Register; a wrong KvK number is refused in Dutch and what was typed stays.
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Registreer uw organisatie").first.click()
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
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig uw e-mailadres")

    # Confirm the e-mail address with the link from the mail, then log in: the link only
    # confirms the address.
    page.goto(mailbox.link_in(mailbox.last_to("sanne@kleinestap.nl")))
    expect(page.get_by_role("status").first).to_contain_text("Uw e-mailadres is bevestigd")
    page.get_by_label("E-mailadres").fill("sanne@kleinestap.nl")
    page.get_by_label("Wachtwoord").fill("een-heel-lang-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Praktijk De Kleine Stap")

    # Complete the profile; a wrong IBAN is refused and the other fields keep their values.
    page.get_by_role("link", name="Gegevens").click()
    page.get_by_label("AGB-code").fill("98765432")
    page.get_by_label("IBAN").fill("NL91 ABNA 0417 1643 01")
    page.get_by_label("Postcode").fill("6041ab")
    page.get_by_label("Plaats").fill("Roermond")
    page.get_by_role("button", name="Gegevens opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit IBAN klopt niet.")
    expect(page.get_by_label("Plaats")).to_have_value("Roermond")
    page.get_by_label("IBAN").fill("NL91 ABNA 0417 1643 00")
    page.get_by_role("button", name="Gegevens opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("zijn opgeslagen")
    expect(page.get_by_label("Postcode")).to_have_value("6041 AB")

    # Invite a colleague.
    page.get_by_role("link", name="Collega's").click()
    page.get_by_label("E-mailadres van uw collega").fill("joost@kleinestap.nl")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_role("status").first).to_contain_text("joost@kleinestap.nl")
    assert "Praktijk De Kleine Stap" in mailbox.body(mailbox.last_to("joost@kleinestap.nl"))

    # The application.
    page.get_by_role("link", name="Mijn organisatie").click()
    page.get_by_role("button", name=re.compile("Aanmelden of verder")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ambulante jeugdhulp testregio")
    expect(page.get_by_text("0 van 3 onderdelen compleet")).to_be_visible()

    page.get_by_role("link", name="Percelen en producten").click()
    page.get_by_label(re.compile("45A01 Individuele begeleiding")).check()
    page.get_by_role("button", name="Opslaan en terug naar overzicht").click()
    expect(page.get_by_text("1 van 3 onderdelen compleet")).to_be_visible()

    page.get_by_role("link", name="Uitsluitingsgronden").click()
    for section in page.locator("section.criterion").all():
        section.get_by_label("Nee").check()
    page.get_by_role("button", name="Opslaan en terug naar overzicht").click()
    expect(page.get_by_text("2 van 3 onderdelen compleet")).to_be_visible()

    page.get_by_role("link", name="Geschiktheidseisen").click()
    # A file that is not what it says is refused, and nothing is stored.
    page.get_by_role("link", name="Een nieuw document uploaden").click()
    page.get_by_label("Bestand").set_input_files(str(not_a_pdf))
    page.get_by_label("Soort document").select_option(label="Kwaliteitscertificaat")
    page.get_by_label("Datum van afgifte").fill(recent)
    page.get_by_role("button", name="Uploaden").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit soort bestand kunnen we niet aannemen")
    expect(page.get_by_label("Datum van afgifte")).to_have_value(recent)
    for path, kind in ((certificate, "Kwaliteitscertificaat"), (extract, "Uittreksel KvK")):
        page.get_by_label("Bestand").set_input_files(str(path))
        page.get_by_label("Soort document").select_option(label=kind)
        page.get_by_label("Datum van afgifte").fill(recent)
        page.get_by_role("button", name="Uploaden").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Geschiktheidseisen")
        if path is certificate:
            page.get_by_role("link", name="Een nieuw document uploaden").click()
    g1 = page.locator("#criterium-G1")
    g1.get_by_label("Ja").check()
    g1.get_by_label(re.compile("hkz-certificaat.pdf")).check()
    g4 = page.locator("#criterium-G4")
    g4.get_by_label("Ja").check()
    g4.get_by_label(re.compile("kvk-uittreksel.pdf")).check()
    page.get_by_role("button", name="Opslaan en terug naar overzicht").click()
    expect(page.get_by_text("3 van 3 onderdelen compleet")).to_be_visible()

    # Submitting without the declaration is refused; with it, the application is received.
    page.get_by_role("link", name="Controleren en indienen").click()
    page.get_by_role("button", name="Aanmelding indienen").click()
    expect(page.get_by_role("alert")).to_contain_text("Bevestig de verklaring om in te dienen.")
    page.get_by_label(re.compile("Ik verklaar dat de antwoorden")).check()
    page.get_by_role("button", name="Aanmelding indienen").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw aanmelding is ingediend.")

    application = db.session.scalar(db.select(Application))
    assert application.state is ApplicationState.SUBMITTED
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
    expect(page.get_by_text(application.reference, exact=True)).to_be_visible()
    expect(page.get_by_text(application.review_deadline.strftime("%d-%m-%Y")).first).to_be_visible()
    receipt = mailbox.body(mailbox.last_to("sanne@kleinestap.nl"))
    assert application.reference in receipt
