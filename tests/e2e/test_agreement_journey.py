"""A provider signs, an administrator countersigns and later exercises an option, and the
provider sees the new end date: in Chromium."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import Role
from portal.services import calendar
from tests import factories
from tests.factories import admit
from tests.support.browser import log_in

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_sign_countersign_and_extend(
    app: Flask, live_server: str, new_page: Callable[[], Page]
) -> None:
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory(
        name="Ambulante jeugdhulp testregio", term_start=date.today() - timedelta(days=200)
    )
    provider = factories.ProviderUserFactory(organisation__legal_name="Praktijk De Horizon")
    admin = factories.UserFactory(role=Role.ADMINISTRATOR, name="Henk Beheerder")
    agreement = admit(das, provider, date.today() - timedelta(days=2))
    provider_page, admin_page = (new_page() for _ in range(2))
    log_in(provider_page, live_server, provider.email)
    provider_page.get_by_role("link", name=agreement.reference).click()
    expect(provider_page.get_by_text("wacht op uw ondertekening")).to_be_visible()
    provider_page.get_by_label("Ik onderteken deze raamovereenkomst").check()
    provider_page.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    provider_page.get_by_role("button", name="Ondertekenen").click()
    expect(provider_page.get_by_role("status").first).to_contain_text(
        "U heeft de raamovereenkomst ondertekend"
    )

    log_in(admin_page, live_server, admin.email)
    admin_page.goto(f"{live_server}/contracten/")
    admin_page.get_by_role("link", name=agreement.reference).click()
    admin_page.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    admin_page.get_by_role("button", name="Medeondertekenen namens de gemeenten").click()
    expect(admin_page.get_by_role("status").first).to_contain_text("loopt nu")

    admin_page.goto(f"{live_server}/contracten/das/{das.slug}/opties")
    admin_page.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    admin_page.get_by_role("button", name="Optie lichten").click()
    expect(admin_page.get_by_role("status").first).to_contain_text("31-12-2032")

    provider_page.goto(f"{live_server}/aanbieder/overeenkomsten/{agreement.id}")
    expect(provider_page.get_by_text("31-12-2032").first).to_be_visible()
    expect(
        provider_page.get_by_role(
            "cell",
            name="Verlengingsoptie 1 gelicht: einddatum 31-12-2029 wordt 31-12-2032.",
            exact=True,
        )
    ).to_be_visible()
    provider_page.get_by_role("button", name="Accepteren Verlengingsoptie 1").click()
    expect(provider_page.get_by_role("status").first).to_contain_text("geaccepteerd")
    with provider_page.expect_download() as download:
        provider_page.get_by_role("link", name="Ondertekende overeenkomst downloaden (PDF)").click()
    assert download.value.suggested_filename.startswith("raamovereenkomst-ondertekend-")
