"""A one-person practice applies for the first time, as a new user would: from the home page to
the receipt for one lot with four documents, in Chromium, through the real pages, with the mail
read from a real SMTP server. Counting page loads and typed fields is a guard against a longer
path creeping back (issue 17: at most 12 and 40, no step done twice), not a timing."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.devdata.demo import load_demo
from portal.extensions import db
from portal.models import Application, ApplicationState, Das, DasState, Organisation
from tests import factories
from tests.support.browser import Journey
from tests.support.smtp import SmtpSink

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

MAX_PAGE_LOADS = 12
MAX_TYPED_FIELDS = 40
PASSWORD = "zeilboot lantaarn knikker vijver"
# The demo DAS asks for four documents: quality certificate (G1), professional registration
# (G2), KvK extract (G4) and insurance policy (G5).
DOCUMENTS = {
    "G1": "hkz-certificaat.pdf",
    "G2": "skj-registratie.pdf",
    "G4": "kvk-uittreksel.pdf",
    "G5": "verzekeringspolis.pdf",
}


def test_a_one_person_practice_applies_in_twelve_page_loads(
    app: Flask, live_server: str, page: Page, tmp_path: Path, mailbox: SmtpSink
) -> None:
    load_demo(date.today())
    db.session.commit()
    das = db.session.scalars(
        db.select(Das).where(Das.state == DasState.OPEN).order_by(Das.id)
    ).first()
    assert das is not None
    files = {}
    for code, name in DOCUMENTS.items():
        files[code] = tmp_path / name
        files[code].write_bytes(factories.PDF_BYTES + f"% {name}\n".encode())
    recent = (date.today() - timedelta(days=10)).isoformat()
    next_year = (date.today() + timedelta(days=365)).isoformat()

    journey = Journey(page)
    fill = journey.fill

    # Register the practice and its owner.
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="Registreer uw organisatie").first.click()
    fill(page.get_by_label("Naam volgens het Handelsregister"), "Praktijk De Kleine Stap")
    fill(page.get_by_label("KvK-nummer"), "69599084")
    page.get_by_label(re.compile(r"^Micro")).check()
    fill(page.get_by_label("Uw naam"), "Sanne Jansen")
    fill(page.get_by_label("Uw e-mailadres"), "sanne@kleinestap.nl")
    fill(page.get_by_label("Kies een wachtwoord"), PASSWORD)
    fill(page.get_by_label("Herhaal het wachtwoord"), PASSWORD)
    page.get_by_role("button", name="Registreren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig uw e-mailadres")

    # The link in the mail confirms the address; the log-in page knows it already.
    page.goto(mailbox.link_in(mailbox.last_to("sanne@kleinestap.nl")))
    expect(page.get_by_label("E-mailadres")).to_have_value("sanne@kleinestap.nl")
    fill(page.get_by_label("Wachtwoord"), PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    # The first log-in asks for what the agreement needs; saving leads to the next step.
    fill(page.get_by_label("Straat en huisnummer"), "Markt 1")
    fill(page.get_by_label("Postcode"), "6041 AB")
    fill(page.get_by_label("Plaats"), "Roermond")
    fill(page.get_by_label("Naam tekenbevoegde"), "Sanne Jansen")
    fill(page.get_by_label("Functie tekenbevoegde"), "Eigenaar")
    page.get_by_role("button", name="Gegevens opslaan").click()
    page.get_by_role("button", name=re.compile(r"^Aanmelding starten")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(das.name)

    # The task list, one section after the other.
    page.get_by_role("link", name="Percelen en producten").click()
    page.locator("input[name=products]").first.check()
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitsluitingsgronden")
    page.get_by_label(
        "Geen van deze uitsluitingsgronden is op onze organisatie van toepassing"
    ).check()
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschiktheidseisen")

    # Each document is uploaded where it is asked for, in one save.
    for section in page.locator("section.criterion").all():
        section.get_by_label("Ja", exact=True).check()
    for code, path in files.items():
        section = page.locator(f"#criterium-{code}")
        section.get_by_label("Bestand").set_input_files(str(path))
        fill(section.get_by_label("Datum van afgifte"), recent)
        valid_until = section.get_by_label(re.compile("^Geldig tot"))
        if valid_until.count():
            fill(valid_until, next_year)
    page.get_by_role("button", name="Opslaan en verder").click()

    # Everything that will be declared, then the declaration.
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleren en indienen")
    for name in DOCUMENTS.values():
        expect(page.get_by_text(re.compile(rf"^{re.escape(name)}:"))).to_be_visible()
    page.get_by_label(re.compile("Ik verklaar dat de antwoorden")).check()
    page.get_by_role("button", name="Aanmelding indienen").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw aanmelding is ingediend.")

    assert journey.page_loads <= MAX_PAGE_LOADS, journey.summary()
    assert journey.typed_fields <= MAX_TYPED_FIELDS, journey.summary()
    # The receipt is the application's own page, where the task list was: every page before it
    # was loaded once.
    paths = [urlsplit(url).path for url in journey.urls[:-1]]
    assert len(paths) == len(set(paths)), "a step done twice:\n" + journey.summary()

    organisation = db.session.scalar(
        db.select(Organisation).where(Organisation.kvk_number == "69599084")
    )
    application = db.session.scalar(
        db.select(Application).where(Application.organisation_id == organisation.id)
    )
    assert application.state is ApplicationState.SUBMITTED
    assert sorted(d.filename for a in application.answers for d in a.documents) == sorted(
        DOCUMENTS.values()
    )
    expect(page.get_by_text(application.reference, exact=True)).to_be_visible()
    assert application.reference in mailbox.body(mailbox.last_to("sanne@kleinestap.nl"))
