"""Helpers for the browser tests (tests/e2e): logging in through the pages, and counting what a
user has to do on a journey."""

from __future__ import annotations

from playwright.sync_api import Frame, Locator, Page, expect

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


class Journey:
    """Counts the effort of a journey through the pages (issue 17): page loads are the main
    frame's navigations, the first `goto` included (a POST answered with a redirect is one);
    typed fields are the calls to `fill` made through this journey. Counting is a guard, not a
    timing. `urls` lists every page loaded, to say what was counted when a limit is passed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.page_loads = 0
        self.typed_fields = 0
        self.urls: list[str] = []
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            self.page_loads += 1
            self.urls.append(frame.url)

    def fill(self, field: Locator, value: str) -> None:
        field.fill(value)
        self.typed_fields += 1

    def log_in(self, base: str, email: str, password: str = factories.PASSWORD) -> None:
        """Log in as a provider from the log-in page (two typed fields, two page loads)."""
        self.page.goto(f"{base}/inloggen")
        self.fill(self.page.get_by_label("E-mailadres"), email)
        self.fill(self.page.get_by_label("Wachtwoord"), password)
        self.page.get_by_role("button", name="Inloggen").click()
        expect(self.page.get_by_role("button", name="Uitloggen")).to_be_visible()

    def summary(self) -> str:
        return f"{self.page_loads} page loads, {self.typed_fields} typed fields:\n" + "\n".join(
            self.urls
        )
