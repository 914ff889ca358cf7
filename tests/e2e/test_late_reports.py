"""A contract manager follows a late report from the DAS's list to the agreement's KPI page,
reminds the provider, and comes back: in Chromium, axe-audited on every page it leaves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Role
from portal.services import agreements, calendar, kpis
from tests import factories
from tests.factories import admit, at
from tests.support.browser import log_in

pytestmark = pytest.mark.only_postgresql


def test_follow_a_late_report_to_the_kpi_page_and_back(
    app: Flask, live_server: str, new_page: Callable[[], Page]
) -> None:
    calendar.ensure_statutory_holidays(range(2024, 2030))
    db.session.commit()
    start = date.today() - timedelta(days=300)
    das = factories.DasFactory(term_start=start - timedelta(days=30))
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    kpis.ensure_default_kpis(admin, das)
    db.session.commit()
    provider = factories.ProviderUserFactory(organisation__legal_name="Praktijk De Late Melder")
    agreement = admit(das, provider, start)
    agreements.sign(agreement, provider, factories.PASSWORD, "1.1.1.1", at(start))
    agreements.countersign(agreement, admin, factories.PASSWORD, "1.1.1.2", at(start))
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)

    page = new_page()
    log_in(page, live_server, manager.email)
    page.goto(f"{live_server}/contracten/")
    page.get_by_role("link", name="Te late rapportages").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Te late rapportages")
    page.get_by_label("Soort rapportage").select_option(label="KPI-cijfers")
    page.get_by_role("button", name="Filteren").click()
    row = page.get_by_role("row").filter(has_text="Cliënten in zorg").first
    expect(row).to_contain_text("nog geen")
    row.get_by_role("button", name="Nu herinneren").click()
    expect(page.get_by_role("status").first).to_contain_text("herinnering is verstuurd")
    expect(page).to_have_url(f"{live_server}/contracten/das/{das.slug}/te-laat?soort=kpi")
    row = page.get_by_role("row").filter(has_text="Cliënten in zorg").first
    expect(row).to_contain_text("handmatig")

    row.get_by_role("link", name="Praktijk De Late Melder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Praktijk De Late Melder")
    expect(page.get_by_text("Status: Lopend")).to_be_visible()
    page.get_by_role("link", name="te late rapportages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Te late rapportages")
