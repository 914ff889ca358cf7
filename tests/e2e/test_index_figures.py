"""The administrator's index figures and tariff publication in a browser (issue 18): the form
keeps stored figures, and publishing shows what goes out and to whom before it does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import IndexFigure, Role, TariffSheet
from portal.services import tariffs
from tests import factories
from tests.support.browser import log_in

pytestmark = pytest.mark.only_postgresql


def test_the_index_form_keeps_stored_figures_and_publishing_asks_first(
    app: Flask, live_server: str, page: Page
) -> None:
    das = factories.DasFactory(first_index_year=2024)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    amounts = {p.id: 10_000 for lot in das.lots for p in lot.products}
    tariffs.publish_base(admin, das, 2024, amounts, factories.at(date(2024, 1, 2)))
    for year, ova, ppc in ((2024, "4.94", "2.51"), (2025, "4.18", "1.82")):
        tariffs.save_figures(
            admin,
            das,
            tariffs.FiguresInput(year, Decimal(ova), Decimal(ppc), None, None),
            False,
        )
    log_in(page, live_server, admin.email)

    # Choose 2025: its stored figures are in the fields.
    page.goto(f"{live_server}/beheer/das/{das.slug}/indexcijfers")
    page.get_by_role("link", name="Cijfers 2025 bijwerken").click()
    expect(page.get_by_label("Jaar", exact=True)).to_have_value("2025")
    expect(page.get_by_label("OVA prognose (%)")).to_have_value("4,18")
    expect(page.get_by_label("PPC prognose (%)")).to_have_value("1,82")
    # One field emptied, one changed: the emptied one keeps its stored figure.
    page.get_by_label("OVA prognose (%)").fill("")
    page.get_by_label("PPC prognose (%)").fill("1,90")
    page.get_by_role("button", name="Cijfers opslaan").click()
    expect(page.get_by_role("status").first).to_have_text("PPC-prognose 2025 opgeslagen: 1,90%.")
    expect(page.get_by_label("OVA prognose (%)")).to_have_value("4,18")
    row = db.session.scalar(db.select(IndexFigure).where(IndexFigure.year == 2025))
    db.session.refresh(row)
    assert (row.ova_prognosis, row.ppc_prognosis) == (Decimal("4.18"), Decimal("1.90"))

    # 2024's definitive figures are not known: publish 2025 with the prognosis alone.
    page.goto(f"{live_server}/beheer/das/{das.slug}/indexeren/2025")
    expect(
        page.get_by_text("correctie 2024 nog niet bekend; wordt verrekend in 2026")
    ).to_be_visible()
    page.get_by_role("button", name="Verder naar bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("bevestig de publicatie")
    expect(page.get_by_text("niemand krijgt een e-mail")).to_be_visible()
    assert db.session.scalar(db.select(TariffSheet).where(TariffSheet.year == 2025)) is None
    page.get_by_role("button", name="Ja, publiceer en mail de aanbieders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tarieven 2025")
    expect(
        page.get_by_text("correctie 2024 nog niet bekend; wordt verrekend in 2026")
    ).to_be_visible()
    # A published sheet is not published again: the page now offers only a correction.
    page.goto(f"{live_server}/beheer/das/{das.slug}/indexeren/2025")
    expect(page.get_by_text("zijn al gepubliceerd")).to_be_visible()
    count = db.select(db.func.count()).select_from(TariffSheet).where(TariffSheet.year == 2025)
    assert db.session.scalar(count) == 1
