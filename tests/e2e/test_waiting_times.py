"""The waiting-time register in Chromium (issue 23), part 1: a provider finds the register from
its dashboard, fills in a lot and one municipality apart, is told what to fix, saves, and later
confirms everything unchanged in one click. Axe checks every page on the way."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import AuditEvent, AuthorityKind
from portal.services import calendar, waiting_times
from tests import factories
from tests.support.browser import Journey

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

MAX_PAGE_LOADS = 8
MAX_TYPED_FIELDS = 8


def test_a_provider_updates_its_register(app: Flask, live_server: str, page: Page) -> None:
    today = date.today()
    calendar.ensure_statutory_holidays(range(today.year - 1, today.year + 2))
    db.session.commit()
    das = factories.DasFactory(name="Ambulante jeugdhulp testregio")
    west = factories.AuthorityFactory(
        name="Midden-Limburg West", kind=AuthorityKind.SUBREGION, cbs_code=None
    )
    weert = factories.AuthorityFactory(name="Weert", parent=west)
    das.authorities = [weert, factories.AuthorityFactory(name="Roermond")]
    db.session.commit()
    provider = factories.ProviderUserFactory()
    agreement = factories.admit(das, provider, today - timedelta(days=60), live=True)
    first_lot = das.lots[0]

    journey = Journey(page)
    journey.log_in(live_server, provider.email)
    # The dashboard asks for the empty register and links to it.
    notice = page.locator(".notice", has=page.get_by_role("heading", name="Wachttijden bijwerken"))
    expect(notice).to_contain_text("nog niet ingevuld")
    notice.get_by_role("link", name=re.compile(re.escape(agreement.reference))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachttijden")

    lot_row = f"Perceel {first_lot.code} {first_lot.name}, hele regio"
    journey.fill(page.get_by_label(f"Weken tot intake, {lot_row}"), "6")
    journey.fill(page.get_by_label(f"Weken tot behandeling, {lot_row}"), "4")  # a mistake
    journey.fill(
        page.get_by_label(f"Toelichting (niet verplicht), {lot_row}"), "Bel ons bij spoed."
    )
    # Weert apart, for one product of the lot.
    page.get_by_text("Een wachttijd per gemeente, subregio of product toevoegen").click()
    page.get_by_label("Perceel of product, nieuwe regel 1").select_option(
        label=f"– {first_lot.products[0].code} {first_lot.products[0].name}"
    )
    page.get_by_label("Gemeente of subregio, nieuwe regel 1").select_option(label="Weert")
    journey.fill(page.get_by_label("Weken tot intake, nieuwe regel 1"), "1")
    journey.fill(page.get_by_label("Weken tot behandeling, nieuwe regel 1"), "2")
    page.get_by_label("Neemt nieuwe cliënten aan, nieuwe regel 1").select_option(label="Nee")
    page.get_by_role("button", name="Wachttijden opslaan").click()

    # Refused: the summary links to the field; everything typed is still there.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Er is niets opgeslagen")
    summary.get_by_role(
        "link", name=re.compile("kan niet korter zijn dan die tot de intake")
    ).click()
    treatment = page.get_by_label(f"Weken tot behandeling, {lot_row}")
    expect(treatment).to_be_focused()
    expect(treatment).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(f"Toelichting (niet verplicht), {lot_row}")).to_have_value(
        "Bel ons bij spoed."
    )
    expect(page.get_by_label("Weken tot intake, nieuwe regel 1")).to_have_value("1")
    journey.fill(treatment, "10")
    page.get_by_role("button", name="Wachttijden opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw wachttijden zijn opgeslagen.")
    expect(page.get_by_label(f"Weken tot behandeling, {lot_row}")).to_have_value("10")

    db.session.expire_all()
    stored = [
        (e.product_id, e.authority_id, e.weeks_to_intake, e.weeks_to_treatment,
         e.accepts_new_clients, e.note)
        for e in waiting_times.current_entries(agreement)
    ]  # fmt: skip
    assert stored == [
        (None, None, 6, 10, True, "Bel ons bij spoed."),
        (first_lot.products[0].id, weert.id, 1, 2, False, ""),
    ]

    # Nothing changed a month later: one click confirms it all.
    page.get_by_role("button", name="Ongewijzigd bevestigen").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "U heeft bevestigd dat uw wachttijden niet zijn veranderd (2)."
    )
    assert journey.page_loads <= MAX_PAGE_LOADS, journey.summary()
    assert journey.typed_fields <= MAX_TYPED_FIELDS, journey.summary()
    db.session.expire_all()
    assert [e.confirmed_unchanged for e in waiting_times.current_entries(agreement)] == [
        True,
        True,
    ]
    assert (
        db.session.scalar(
            db.select(db.func.count()).where(
                AuditEvent.action == "waiting_times.confirmed", AuditEvent.object_id == agreement.id
            )
        )
        == 1
    )
