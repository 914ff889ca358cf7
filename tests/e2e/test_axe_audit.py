"""The accessibility check itself: it finds what it should, on every page a test leaves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route

from tests.support.axe import AxeAudit

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

BAD = """<!doctype html><html lang="nl"><head><title>Fout</title></head><body><main>
<h1>Formulier</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input name="x">
<a href="/twee">verder</a></main></body></html>"""
GOOD = """<!doctype html><html lang="nl"><head><title>Goed</title></head><body><main>
<h1>Pagina twee</h1><p>Niets mis.</p></main></body></html>"""


def test_every_page_left_is_audited_and_violations_are_found(browser: Browser) -> None:
    context = browser.new_context()
    page = context.new_page()

    def serve(route: Route) -> None:
        body = GOOD if route.request.url.endswith("/twee") else BAD
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)

    page.route("http://audit.test/**", serve)
    audit = AxeAudit(page).attach()
    try:
        page.goto("http://audit.test/een")
        page.get_by_role("link", name="verder").click()  # leaving the bad page audits it
        page.get_by_role("heading", name="Pagina twee").wait_for()
        audit.collect()
    finally:
        audit.detach()
        context.close()
    assert audit.audited == ["http://audit.test/een", "http://audit.test/twee"]
    found = {(v["url"], v["id"]) for v in audit.violations}
    assert ("http://audit.test/een", "image-alt") in found
    assert ("http://audit.test/een", "label") in found
    assert not [v for v in audit.violations if v["url"].endswith("/twee")]
