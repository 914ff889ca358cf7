"""An administrator sets up a concept DAS's criteria in a browser (issue 19): an exclusion ground
chosen from the ESPD list, a suitability criterion with two evidence types that count, and all
criteria copied from the demo DAS. Every page left is audited with axe (tests/e2e/conftest.py)."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.devdata.demo import load_demo
from portal.extensions import db
from portal.models import Criterion, Das, DasState, EvidenceType
from tests import factories
from tests.support.browser import log_in_to_demo

pytestmark = pytest.mark.only_postgresql

DEMO_SLUG = "ambulante-jeugdhulp-en-wonen-midden-limburg"


def test_choose_from_the_espd_list_add_evidence_and_copy_from_the_demo(
    app: Flask, live_server: str, page: Page
) -> None:
    load_demo(date.today())
    demo = db.session.scalar(db.select(Das).where(Das.slug == DEMO_SLUG))
    assert demo is not None and demo.criteria
    das = factories.DasFactory(
        name="Jeugdhulp Nieuw (concept)", state=DasState.DRAFT, with_requirements=False
    )
    log_in_to_demo(page, live_server, "beheerder@demo.das-portaal.nl")
    page.goto(f"{live_server}/beheer/das/{das.slug}/eisen")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Uitsluitingsgronden en geschiktheidseisen"
    )

    # An exclusion ground from the ESPD list: its Dutch label and a question are filled in.
    page.get_by_label("Uitsluitingsgrond toevoegen").select_option("fraud")
    page.get_by_role("button", name="Verder").first.click()
    expect(page.get_by_label("Code", exact=True)).to_have_value("U1")
    expect(page.get_by_label("Titel", exact=True)).to_have_value("Fraude")
    expect(page.get_by_label("Vraag aan de aanbieder")).to_contain_text("fraude")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Eis U1 is toegevoegd.")).to_be_visible()

    # A suitability criterion of the region's own, with two evidence types that count. First
    # forgotten: the evidence type (refused, in Dutch, keeping what was typed).
    page.get_by_label("Geschiktheidseis toevoegen").select_option("eigen")
    page.get_by_role("button", name="Verder").nth(1).click()
    expect(page.get_by_label("Code", exact=True)).to_have_value("G1")
    page.get_by_label("Titel", exact=True).fill("Gezinshuizen")
    page.get_by_label("Vraag aan de aanbieder").fill(
        "Heeft uw organisatie een gezinshuis met een erkende gezinshuisouder?"
    )
    page.get_by_label("Maximale ouderdom van het bewijs (maanden)").fill("0")
    page.get_by_role("button", name="Opslaan").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Kies ten minste één soort bewijsstuk dat telt")
    expect(summary).to_contain_text("De maximale ouderdom is ten minste 1 maand.")
    expect(page.get_by_label("Titel", exact=True)).to_have_value("Gezinshuizen")
    page.get_by_label("Kwaliteitscertificaat").check()
    page.get_by_label("Overig document", exact=True).check()
    page.get_by_label("Maximale ouderdom van het bewijs (maanden)").fill("12")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Eis G1 is toegevoegd.")).to_be_visible()
    row = page.locator("#eis-G1")
    expect(row).to_contain_text("Kwaliteitscertificaat, Overig document")
    expect(row).to_contain_text("hoogstens 12 maanden oud")
    added = db.session.scalars(
        db.select(Criterion).where(Criterion.das_id == das.id, Criterion.code == "G1")
    ).one()
    assert added.evidence_types == [EvidenceType.QUALITY_CERTIFICATE, EvidenceType.OTHER]

    # Copy everything from the demo DAS: refused until replacing is confirmed, then copied.
    page.get_by_role("link", name="Eisen overnemen van een ander aankoopsysteem").click()
    page.get_by_label("Neem de eisen over van").select_option(str(demo.id))
    page.get_by_role("button", name="Eisen overnemen").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit aankoopsysteem heeft al eisen (2)")
    page.get_by_label("Vervang de eisen die dit aankoopsysteem al heeft").check()
    page.get_by_role("button", name="Eisen overnemen").click()
    count = len(demo.criteria)
    expect(page.get_by_text(f"{count} eisen overgenomen van {demo.name}.")).to_be_visible()
    db.session.expire_all()
    copied = db.session.scalars(
        db.select(Criterion).where(Criterion.das_id == das.id).order_by(Criterion.position)
    ).all()
    assert [c.code for c in copied] == [c.code for c in demo.criteria]
    assert "Gezinshuizen" not in page.content()
