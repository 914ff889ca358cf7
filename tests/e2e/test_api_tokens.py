"""An organisation's administrator makes an API token, copies it once, and revokes it: in
Chromium, with axe on every page (issue 23)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.infra.timeutil import now
from portal.models import ApiToken
from portal.services import api_tokens
from tests import factories
from tests.support.browser import Journey

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_an_administrator_makes_copies_and_revokes_a_token(
    app: Flask, live_server: str, page: Page
) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    journey = Journey(page)
    journey.log_in(live_server, admin.email)
    page.goto(f"{live_server}/aanbieder/organisatie")
    page.get_by_role("link", name="API-sleutels beheren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-sleutels")
    expect(page.get_by_text("Uw organisatie heeft nog geen API-sleutels.")).to_be_visible()

    # Without a scope: the error summary links to the choices, the name is kept.
    journey.fill(page.get_by_label("Naam van de sleutel"), "Zorgsysteem Noord")
    page.get_by_role("button", name="Sleutel maken").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Kies ten minste één onderdeel")
    expect(page.get_by_label("Naam van de sleutel")).to_have_value("Zorgsysteem Noord")
    page.get_by_label("KPI-cijfers rapporteren").check()
    page.get_by_label("Wachttijden bijhouden").check()
    page.get_by_role("button", name="Sleutel maken").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Uw nieuwe API-sleutel")
    secret = page.locator("#api-secret").inner_text().strip()
    assert re.fullmatch(r"dasp_[A-Za-z0-9_-]{43}", secret)
    with app.app_context():
        token = api_tokens.authenticate(secret, now(), "192.0.2.1")
        assert token is not None and token.scopes == ["kpi", "waiting_times"]

    # Back on the list: the name and the prefix, never the secret; last use noted.
    page.get_by_role("link", name="Terug naar de API-sleutels").click()
    row = page.get_by_role("row", name=re.compile("Zorgsysteem Noord"))
    expect(row).to_contain_text(secret[:12])
    expect(row).to_contain_text("In gebruik")
    expect(row).to_contain_text("192.0.2.1")
    assert secret[12:] not in page.content()

    # Revoking asks first.
    row.get_by_role("button", name=re.compile("Intrekken")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("intrekken?")
    page.get_by_role("button", name="Ja, sleutel intrekken").click()
    expect(page.get_by_role("status").first).to_contain_text("is ingetrokken")
    expect(page.get_by_role("row", name=re.compile("Zorgsysteem Noord"))).to_contain_text(
        "Ingetrokken op"
    )
    db.session.expire_all()
    stored = db.session.scalar(db.select(ApiToken))
    assert stored is not None and stored.revoked_by_id == admin.id
    with app.app_context():
        assert api_tokens.authenticate(secret, now(), "192.0.2.1") is None
