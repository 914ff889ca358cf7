"""The reviewers' queue in Chromium: search, sort by a column header, and assign two applications
at once to a colleague (issue 18). axe audits every page the test leaves (the `page` fixture)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Role
from portal.services import calendar, review
from tests import factories
from tests.support.browser import log_in

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_search_sort_and_assign_several(
    app: Flask, live_server: str, new_page: Callable[[], Page]
) -> None:
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    das = factories.DasFactory(four_eyes=True)
    names = ["Zonnebloem Jeugdzorg", "Appelboom Zorg", "Kompas Gezinshulp"]
    submitted = [
        factories.submitted_application(
            das,
            factories.ProviderUserFactory(organisation__legal_name=name),
            date(2026, 12, 14 + 2 * n),
        )
        for n, name in enumerate(names)
    ]
    zon, appel, kompas = submitted
    bram = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    wendy = factories.UserFactory(role=Role.REVIEWER, name="Wendy Tweede")
    factories.assign(bram, das)
    factories.assign(wendy, das)
    page = new_page()
    log_in(page, live_server, bram.email)
    page.goto(f"{live_server}/beoordeling/")
    expect(
        page.get_by_role("heading", name="3 aanmeldingen wachten op een besluit")
    ).to_be_visible()

    # Search: one box for name, reference and KvK number.
    page.get_by_role("textbox", name="Zoeken").fill("zorg")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="2 van 3 aanmeldingen")).to_be_visible()
    expect(page.get_by_role("link", name=kompas.reference or "")).to_have_count(0)

    # Sort by provider: the header says how the list is sorted.
    header = page.locator("th", has_text="Aanbieder")
    link = header.get_by_role("link")
    expect(link).to_have_accessible_name(re.compile(r"^Aanbieder\s*, sorteer oplopend"))
    link.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    rows = page.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Appelboom Zorg")
    expect(rows.nth(1)).to_contain_text("Zonnebloem Jeugdzorg")
    expect(page.get_by_role("textbox", name="Zoeken")).to_have_value("zorg")  # the search stays

    # Choose both and assign them to Wendy at once.
    page.get_by_role("checkbox", name=f"Kies {zon.reference}").check()
    page.get_by_role("checkbox", name=f"Kies {appel.reference}").check()
    page.get_by_label("Toewijzen aan").select_option(label="Wendy Tweede")
    page.get_by_role("button", name="Gekozen aanmeldingen toewijzen").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Toegewezen aan Wendy Tweede (2 aanmeldingen)"
    )
    # Back on the queue as it was: searched and sorted.
    expect(page.locator("th", has_text="Aanbieder")).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("tbody tr").nth(0)).to_contain_text("Wendy Tweede")
    db.session.expire_all()
    assert {a.assigned_reviewer_id for a in (zon, appel)} == {wendy.id}
    assert kompas.assigned_reviewer_id is None

    # A row with a declared conflict of interest says so and cannot be chosen.
    review.declare_conflict(kompas, bram, True, "Mijn zus werkt daar", datetime.now(UTC))
    page.goto(f"{live_server}/beoordeling/")
    kompas_row = page.locator("tbody tr", has_text=kompas.reference or "")
    expect(kompas_row).to_contain_text("Belangenconflict gemeld")
    expect(kompas_row.get_by_role("checkbox")).to_have_count(0)
