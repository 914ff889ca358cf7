"""A provider reads the announcement of the demo DAS before applying (issue 19): every section
is there, the pending-tariffs notice says which year is shown, the initial round is over, and the
model agreement downloads. Every page is checked by axe-core."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.devdata.demo import load_demo
from portal.extensions import db
from portal.models import Das, TariffSheet

pytestmark = pytest.mark.only_postgresql

ML = "ambulante-jeugdhulp-en-wonen-midden-limburg"
SECTIONS = [
    "Kerngegevens",
    "Eerste ronde",
    "Aanbestedende gemeenten",
    "Percelen, producten en tarieven",
    "Eisen en bewijs",
    "Voorwaarden van de overeenkomst",
    "Modelovereenkomst",
    "Toegelaten aanbieders en gegunde opdrachten",
    "Zo meldt u zich aan",
]


@pytest.fixture()
def demo(app: Flask) -> None:
    load_demo(date.today())


def test_a_provider_reads_the_announcement(demo: None, live_server: str, page: Page) -> None:
    today = date.today()
    latest = db.session.scalar(
        db.select(db.func.max(TariffSheet.year)).join(Das).where(Das.slug == ML)
    )
    assert latest is not None and latest < today.year  # the demo has no sheet for this year
    page.goto(live_server)
    page.get_by_role("link", name="Lees de aankondiging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ambulante jeugdhulp en wonen Midden-Limburg"
    )
    contents = page.get_by_role("navigation", name="Inhoud")
    for section in SECTIONS:
        expect(page.get_by_role("heading", level=2, name=section, exact=True)).to_be_visible()
        expect(contents.get_by_role("link", name=section, exact=True)).to_be_visible()
    for heading in (
        "Indexatie van de tarieven",
        "Social return (SROI)",
        "Wijze toewijzing cliënten",
    ):
        expect(page.get_by_role("heading", level=3, name=heading)).to_be_visible()
    # The table of contents leads to its section.
    contents.get_by_role("link", name="Eisen en bewijs").click()
    expect(page).to_have_url(re.compile("#eisen$"))
    expect(
        page.get_by_role("cell", name="Kwaliteitscertificaat", exact=False).first
    ).to_be_visible()
    # Which tariffs are shown, and that this year's are still to come.
    expect(
        page.get_by_text(
            f"De tarieven voor {today.year} zijn nog niet gepubliceerd; "
            f"hieronder de tarieven van {latest}."
        )
    ).to_be_visible()
    # The demo's initial round has ended.
    expect(
        page.get_by_text("De eerste ronde is afgesloten; u kunt zich doorlopend aanmelden.")
    ).to_be_visible()
    # The configured weights, never a hard-coded text.
    expect(page.get_by_text(re.compile(r"\d+% OVA")).first).to_be_visible()
    # The model agreement downloads as a PDF.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download de modelovereenkomst (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "modelovereenkomst-ML-AJW.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    # Same page, on a phone.
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server}/das/{ML}/producten")
    expect(
        page.get_by_text(f"De tarieven voor {today.year} zijn nog niet gepubliceerd")
    ).to_be_visible()
