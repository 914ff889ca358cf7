"""Anyone checks a document in Chromium (issue 24): the genuine letter, the same letter with one
byte changed, and a look-up by fingerprint; axe-core checks every page (tests/e2e/conftest.py)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Application
from portal.services import letters
from tests import factories

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = [pytest.mark.only_postgresql, pytest.mark.real_seal]


def test_anyone_checks_a_decision_letter(
    app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    das = factories.DasFactory(name="Jeugdhulp Testregio")
    provider = factories.ProviderUserFactory()
    factories.admit(das, provider, date(2027, 3, 15))
    application = db.session.scalars(
        db.select(Application).where(Application.das_id == das.id)
    ).one()
    letter = letters.read(letters.letter_of(application))
    db.session.commit()
    genuine = tmp_path / "besluit.pdf"
    genuine.write_bytes(letter)
    changed = tmp_path / "besluit-gewijzigd.pdf"
    altered = bytearray(letter)
    altered[len(letter) // 2] ^= 0x01
    changed.write_bytes(bytes(altered))

    # From the footer of the home page.
    page.goto(live_server + "/")
    page.get_by_role("link", name="Document controleren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Document controleren")

    page.get_by_label("PDF-bestand").set_input_files(str(genuine))
    page.get_by_role("button", name="Controleer het bestand").click()
    expect(page.get_by_role("heading", name="Echt en ongewijzigd")).to_be_visible()
    expect(page.get_by_text(application.reference)).to_be_visible()

    page.get_by_label("PDF-bestand").set_input_files(str(changed))
    page.get_by_role("button", name="Controleer het bestand").click()
    expect(page.get_by_role("heading", name="Niet echt: het document is veranderd")).to_be_visible()

    # Nothing chosen: the error summary says what to do.
    page.get_by_role("button", name="Controleer het bestand").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies het PDF-bestand")

    page.get_by_label("Vingerafdruk of kenmerk").fill(hashlib.sha256(letter).hexdigest())
    page.get_by_role("button", name="Zoek het document").click()
    expect(
        page.get_by_role("heading", name="Het portaal heeft dit document uitgegeven")
    ).to_be_visible()
    expect(page.get_by_text("Besluit op een aanmelding")).to_be_visible()
