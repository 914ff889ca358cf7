"""The pager in a browser: a long history pages with links a keyboard and a screen
reader can use, and axe-core checks every page shown."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.devdata.demo import load_demo
from portal.extensions import db
from portal.models import AgreementState, FrameworkAgreement, User
from portal.services.audit import record
from tests.support.browser import log_in_to_demo

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_a_long_agreement_history_pages(app: Flask, live_server: str, page: Page) -> None:
    load_demo(date.today())
    agreement = db.session.scalar(
        db.select(FrameworkAgreement).where(FrameworkAgreement.state == AgreementState.LIVE)
    )
    manager = db.session.scalar(
        db.select(User).where(User.email == "contractmanager@demo.das-portaal.nl")
    )
    for _ in range(30):  # more than a page (25) of history
        record("agreement.lots_added", agreement, manager)
    db.session.commit()

    log_in_to_demo(page, live_server, "contractmanager@demo.das-portaal.nl")
    page.goto(f"{live_server}/contracten/{agreement.id}")
    pager = page.get_by_role("navigation", name="Paginering historie")
    expect(pager).to_contain_text("1–25 van")
    expect(pager.locator('[aria-current="page"]')).to_have_text("Pagina 1")
    pager.get_by_role("link", name="Volgende pagina").click()
    pager = page.get_by_role("navigation", name="Paginering historie")
    expect(pager.locator('[aria-current="page"]')).to_have_text("Pagina 2")
    expect(pager).to_contain_text("26–")
    expect(pager.get_by_role("link", name="Vorige pagina")).to_be_visible()
