"""A provider reports a quarter (in the form for its year) and the contract manager sees the flag
it raises: in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.domain import contract_management as rules
from portal.extensions import db
from portal.models import Role
from portal.services import calendar, kpis
from tests import factories
from tests.factories import admit
from tests.support.browser import log_in

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_report_a_quarter_and_see_the_flag(
    app: Flask, live_server: str, new_page: Callable[[], Page]
) -> None:
    calendar.ensure_statutory_holidays(range(2024, 2030))
    db.session.commit()
    start = date.today() - timedelta(days=200)
    das = factories.DasFactory(term_start=start - timedelta(days=30))
    kpis.ensure_default_kpis(factories.UserFactory(role=Role.ADMINISTRATOR), das)
    db.session.commit()
    provider = factories.ProviderUserFactory(organisation__legal_name="Praktijk Het Baken")
    agreement = admit(das, provider, start)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    factories.assign(manager, das)
    quarter = rules.completed_periods(start, date.today(), "quarter")[-1]
    label = rules.period_label(quarter, "quarter")
    provider_page, manager_page = (new_page() for _ in range(2))
    log_in(provider_page, live_server, provider.email)
    provider_page.goto(f"{live_server}/aanbieder/overeenkomsten/{agreement.id}")
    provider_page.get_by_role("link", name="Cijfers (KPI's) melden").click()
    # One form for a year (issue 21), opened on the year of the last quarter that ended.
    provider_page.get_by_label("Jaar").select_option(str(quarter.year))
    provider_page.get_by_role("button", name="Toon dit jaar").click()
    provider_page.get_by_label(f"Gemiddelde wachttijd {label}", exact=True).fill("60")
    provider_page.get_by_label(f"Cliënten in zorg {label}", exact=True).fill("25")
    provider_page.get_by_role("button", name="Cijfers opslaan").click()
    expect(provider_page.get_by_role("status").first).to_contain_text("opgeslagen")

    log_in(manager_page, live_server, manager.email)
    manager_page.goto(f"{live_server}/contracten/{agreement.id}/kpi")
    waiting = manager_page.get_by_role("region", name="Gemiddelde wachttijd (dagen)")
    expect(waiting.get_by_text("over de grens")).to_be_visible()
    expect(waiting.get_by_role("img", name="Gemiddelde wachttijd per periode")).to_be_visible()
    expect(waiting.get_by_role("cell", name=label)).to_be_visible()
    # The DAS overview draws its charts beside their tables (issue 21).
    manager_page.goto(f"{live_server}/contracten/das/{das.slug}/overzicht?jaar={quarter.year}")
    expect(
        manager_page.get_by_role("img", name=f"Omzet per perceel in {quarter.year}")
    ).to_be_visible()
