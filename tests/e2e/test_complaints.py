"""A rejected provider files a complaint within the period the decision letter names, and one
after it (recorded, marked late); a reviewer reads both, replies and closes them. In Chromium,
axe-audited on every page it leaves (tests/e2e/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import LotOutcome, Role
from portal.services import review
from tests import factories
from tests.factories import at
from tests.support.browser import log_in
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.only_postgresql


def _rejected(provider, reviewer, decided_on: date):
    das = factories.DasFactory()
    factories.assign(reviewer, das)
    application = factories.submitted_application(das, provider, decided_on - timedelta(days=1))
    factories.decide(
        application,
        {
            al.lot_id: review.LotDecision(LotOutcome.REJECTED, "Geen polis")
            for al in application.lots
        },
        reviewer,
        at(decided_on, 9),
    )
    return application


def _mail_to(mailbox: SmtpSink, address: str, about: str) -> tuple[str, str]:
    """The last mail to the address about `about`, as the SMTP server received it (subject,
    body); the live server's jobs run right after each request (tests/e2e/conftest.py)."""
    delivered = [m for m in mailbox.to(address) if about in str(m["Subject"])]
    assert delivered, f"no mail to {address} about {about!r}"
    return str(delivered[-1]["Subject"]), SmtpSink.body(delivered[-1])


def _file_complaint(page: Page, base: str, application_id: int, text: str) -> None:
    page.goto(f"{base}/aanbieder/aanmeldingen/{application_id}")
    page.get_by_role("link", name="Berichten").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Berichten over")
    page.get_by_label("Een klacht over het besluit").check()
    page.get_by_label("Bericht", exact=True).fill(text)
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw klacht is vastgelegd")


def test_complaints_in_time_and_late_are_recorded_and_closed(
    app: Flask, live_server: str, new_page: Callable[[], Page], mailbox: SmtpSink
) -> None:
    today = date.today()
    provider = factories.ProviderUserFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    in_time = _rejected(provider, reviewer, today - timedelta(days=3))
    late = _rejected(provider, reviewer, today - timedelta(days=30))
    db.session.commit()

    page = new_page()
    log_in(page, live_server, provider.email)
    page.goto(f"{live_server}/aanbieder/aanmeldingen/{in_time.id}/berichten")
    expect(page.get_by_text("U kunt tot en met")).to_be_visible()
    expect(page.get_by_text("burgerlijke rechter")).to_be_visible()
    _file_complaint(page, live_server, in_time.id, "Wij hebben de polis wel gestuurd.")
    expect(page.get_by_text("binnen de termijn ingediend")).to_be_visible()
    subject, body = _mail_to(mailbox, reviewer.email, "Klacht")
    assert "polis wel gestuurd" not in body and f"/beoordeling/aanmeldingen/{in_time.id}" in body

    page.goto(f"{live_server}/aanbieder/aanmeldingen/{late.id}/berichten")
    expect(page.get_by_text("De termijn voor een klacht liep tot en met")).to_be_visible()
    _file_complaint(page, live_server, late.id, "Wij waren op vakantie.")
    expect(page.get_by_text("te laat ingediend").first).to_be_visible()

    staff = new_page()
    log_in(staff, live_server, reviewer.email)
    for application, status in (
        (in_time, "binnen de termijn ingediend"),
        (late, "te laat ingediend"),
    ):
        staff.goto(f"{live_server}/beoordeling/aanmeldingen/{application.id}")
        staff.get_by_role("link", name="Berichten").click()
        expect(staff.get_by_text("Nieuw", exact=True)).to_be_visible()
        expect(staff.get_by_text(status).first).to_be_visible()
        staff.get_by_label("Antwoord op de klacht").fill("Wij blijven bij het besluit.")
        staff.get_by_role("button", name="Beantwoorden en afhandelen").click()
        expect(staff.get_by_role("status").first).to_contain_text("afgehandeld")
        expect(staff.get_by_text("afgehandeld op")).to_be_visible()

    assert _mail_to(mailbox, provider.email, "afgehandeld")
    page.goto(f"{live_server}/aanbieder/")
    expect(page.get_by_text("1 nieuw bericht").first).to_be_visible()
    page.goto(f"{live_server}/aanbieder/aanmeldingen/{late.id}/berichten")
    expect(page.get_by_text("Wij blijven bij het besluit.")).to_be_visible()
    expect(page.get_by_text("Gelezen op").first).to_be_visible()
