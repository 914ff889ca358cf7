"""Helpers for the browser tests (tests/e2e): logging in through the pages."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from portal.devdata.demo import DEMO_PASSWORD
from portal.extensions import db
from portal.models import User
from tests import factories


def log_in(page: Page, base: str, email: str, password: str = factories.PASSWORD) -> None:
    """Log in through the pages; staff also give the code from their authenticator app."""
    page.goto(f"{base}/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: not url.endswith("/inloggen"))
    if "/inloggen/code" in page.url:
        user = db.session.scalar(db.select(User).where(User.email == email))
        page.get_by_label("Code").fill(factories.current_code(user))
        page.get_by_role("button", name="Inloggen").click()


def log_in_to_demo(page: Page, base: str, email: str) -> None:
    """Log in as one of the demo accounts (portal/devdata/demo.py), and wait until logged in."""
    log_in(page, base, email, DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
