"""A referrer finds a provider that can take a young person now (issue 23): from the home page to
the waiting-time register, by municipality and product, shortest wait first; with JavaScript off
and in English too. axe-core checks every page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import AuthorityKind
from tests import factories
from tests.factories import add_waiting_time

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

DAY = date(2026, 3, 2)


def _register() -> None:
    now = datetime.now(UTC)
    subregion = factories.AuthorityFactory(
        name="Subregio Maasdal", kind=AuthorityKind.SUBREGION, cbs_code=None
    )
    river = factories.AuthorityFactory(name="Rivierstad", parent_id=subregion.id)
    hill = factories.AuthorityFactory(name="Heuveldorp")
    das = factories.DasFactory(name="Jeugdhulp Maasdal")
    das.authorities = [river, hill]
    db.session.commit()
    lot1, lot2 = das.lots

    def admitted(name: str, phone: str):
        user = factories.ProviderUserFactory(
            organisation=factories.OrganisationFactory(
                legal_name=name, email=f"intake@{name.split()[0].lower()}.nl", phone=phone
            )
        )
        return factories.admit(das, user, DAY, live=True)

    snel, traag, vol, elders = (
        admitted("Snelhulp BV", "0475 111111"),
        admitted("Traaghulp BV", "0475 222222"),
        admitted("Volhulp BV", "0475 333333"),
        admitted("Eldershulp BV", "0475 444444"),
    )
    add_waiting_time(traag, lot1, now - timedelta(days=3), intake=9, treatment=12)
    add_waiting_time(
        snel, lot1, now - timedelta(days=50), intake=2, treatment=5, authority=subregion
    )
    add_waiting_time(vol, lot1, now - timedelta(days=1), intake=0, treatment=1, accepts=False)
    add_waiting_time(elders, lot1, now - timedelta(days=1), intake=1, treatment=1, authority=hill)
    add_waiting_time(snel, lot2, now - timedelta(days=1), intake=0, treatment=0)  # another product


def _result_names(page: Page) -> list[str]:
    return [
        cell.split("\n")[0].strip()
        for cell in page.locator("table tbody th[scope=row]").all_inner_texts()
    ]


def test_referrer_finds_a_provider_by_municipality_and_product(
    app: Flask, live_server: str, page: Page
) -> None:
    _register()
    page.goto(live_server + "/")
    page.get_by_role("link", name="Zoek in het wachttijdenregister").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wachttijden jeugdhulp")

    page.get_by_label("Gemeente van de jongere").select_option(label="Rivierstad")
    page.get_by_label("Product").select_option(label="45A01 Individuele begeleiding")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("status")).to_contain_text("3 opgaven gevonden")
    # Shortest wait first: Volhulp (0 weeks, but not taking anyone), Snelhulp for the subregion
    # (outdated), Traaghulp for the whole region. Eldershulp serves only Heuveldorp.
    assert _result_names(page) == ["Volhulp BV", "Snelhulp BV", "Traaghulp BV"]
    snel = page.locator("tbody tr", has_text="Snelhulp BV")
    expect(snel).to_contain_text("Subregio Maasdal")
    expect(snel).to_contain_text("verouderd")
    expect(snel.get_by_role("link", name="intake@snelhulp.nl")).to_have_attribute(
        "href", "mailto:intake@snelhulp.nl"
    )

    page.get_by_label("Alleen aanbieders die nieuwe cliënten aannemen").check()
    page.get_by_role("button", name="Zoeken").click()
    assert _result_names(page) == ["Snelhulp BV", "Traaghulp BV"]
    # The choices stay as the referrer made them, and the address can be shared.
    expect(page.get_by_label("Gemeente van de jongere")).to_have_value(re.compile(r"\d+"))
    expect(page.get_by_label("Alleen aanbieders die nieuwe cliënten aannemen")).to_be_checked()
    assert "aanname=1" in page.url and "product=45-45A01" in page.url

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV (spreadsheet)").click()
    content = download.value.path().read_text(encoding="utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0].startswith("aanbieder,") and len(lines) == 3
    assert lines[1].startswith("Snelhulp BV,") and lines[2].startswith("Traaghulp BV,")


def test_register_in_english_keeps_the_search(app: Flask, live_server: str, page: Page) -> None:
    """The search is a plain GET form (it works without JavaScript: the page tests post no
    script); switching the language keeps the search the referrer made."""
    _register()
    page.goto(live_server + "/wachttijden")
    assert page.locator("form[role=search]").get_attribute("method") == "get"
    page.get_by_label("Gemeente van de jongere").select_option(label="Heuveldorp")
    page.get_by_role("button", name="Zoeken").click()
    assert _result_names(page) == ["Snelhulp BV", "Volhulp BV", "Eldershulp BV", "Traaghulp BV"]

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert "gemeente=" in page.url
    assert _result_names(page) == ["Snelhulp BV", "Volhulp BV", "Eldershulp BV", "Traaghulp BV"]
