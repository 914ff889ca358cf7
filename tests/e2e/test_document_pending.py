"""The moment between a decision and the job that renders its letter: the provider who opens the
letter sees a page that says it is being made (checked by axe like every page), and "Opnieuw
proberen" downloads it once the job has run. In Chromium."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import LotOutcome, Role
from portal.services import calendar, review
from tests import factories
from tests.support import document_jobs
from tests.support.browser import log_in
from tests.support.document_jobs import Held, run_held

held = document_jobs.held  # the fixture

pytestmark = pytest.mark.only_postgresql


def test_the_letter_is_being_made_then_downloads(
    app: Flask,
    live_server: str,
    page: Page,
    held: Held,
) -> None:
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    application = factories.submitted_application(das, provider, date.today() - timedelta(days=2))
    factories.decide(
        application,
        {
            al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Niet voldaan")
            for al in application.lots
        },
        reviewer,
        datetime.now(UTC),
    )
    assert held  # the letter and the report wait for the worker

    log_in(page, live_server, provider.email)
    response = page.goto(f"{live_server}/aanbieder/aanmeldingen/{application.id}/besluitbrief")
    assert response is not None and response.status == 202
    assert response.headers["retry-after"] == "60"
    expect(page.get_by_role("heading", level=1)).to_have_text("Het document wordt gemaakt")
    expect(page.get_by_text("probeer het over een minuut opnieuw")).to_be_visible()

    run_held(held)
    with page.expect_download() as download:
        page.get_by_role("link", name="Opnieuw proberen").click()
    assert download.value.suggested_filename == f"besluit-{application.reference}.pdf"
