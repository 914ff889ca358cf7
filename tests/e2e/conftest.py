"""A live server for browser tests (CSRF on, as in production) and Debian's Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal import create_app
from tests.support.app import GENEROUS_LIMITS
from tests.support.axe import AxeAudit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture()
def live_server(app: Flask) -> Iterator[str]:
    """The portal served over HTTP on a free port, on the test database."""
    served = create_app(
        {
            "DEVELOPMENT": True,  # a test server on loopback: the public defaults are fine
            "SECRET_KEY": "browser-test",
            "DATABASE_URL": app.config["DATABASE_URL"],
            "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
            "WTF_CSRF_ENABLED": True,
            "SESSION_COOKIE_SECURE": False,  # plain HTTP on loopback
            **GENEROUS_LIMITS,
            "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": app.config["MAIL_SERVER"],
            "MAIL_PORT": app.config["MAIL_PORT"],
            # As in every test: a job runs when it is enqueued, so the mail a page causes is in
            # the mailbox once its request has committed (no worker to wait for).
            "JOBS_BACKEND": "immediate",
        }
    )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    served.config["EXTERNAL_URL"] = base_url  # mailed links lead back to this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture()
def new_page(browser):
    """Opens browser pages (one context each, Dutch) whose every page is checked by axe-core;
    the test fails at its end when any page had a WCAG 2.1 A/AA violation."""
    contexts, audits = [], []

    def open_page(locale: str = "nl-NL", **options):
        context = browser.new_context(locale=locale, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        audits.append(AxeAudit(page).attach())
        return page

    yield open_page
    for audit in audits:
        audit.collect()
        audit.detach()
    for context in contexts:
        context.close()
    problems = "\n".join(audit.report() for audit in audits if audit.violations)
    if problems:
        pytest.fail("Accessibility (axe-core, WCAG 2.1 AA):\n" + problems, pytrace=False)


@pytest.fixture()
def page(new_page):
    return new_page()
