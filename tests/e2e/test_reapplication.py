"""A provider admitted for one lot applies for another: from the log-in page to the receipt in
Chromium, counting page loads and typed fields (issue 17: at most 6 and 5)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import ApplicationKind, ApplicationState, AuditEvent
from portal.services import applications, calendar
from tests import factories
from tests.support.browser import Journey
from tests.support.smtp import SmtpSink

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

MAX_PAGE_LOADS = 6
MAX_TYPED_FIELDS = 5


def test_admitted_provider_applies_for_another_lot(
    app: Flask, live_server: str, page: Page, mailbox: SmtpSink
) -> None:
    today = date.today()
    calendar.ensure_statutory_holidays(range(today.year - 1, today.year + 2))
    db.session.commit()
    das = factories.DasFactory(name="Ambulante jeugdhulp testregio")
    provider = factories.ProviderUserFactory()
    first_lot, second_lot = das.lots
    admitted_on = today - timedelta(days=30)
    factories.admit(das, provider, admitted_on, lots=[first_lot], live=True)
    earlier = applications.latest_decided(das, provider.organisation_id)
    assert earlier is not None

    journey = Journey(page)
    journey.log_in(live_server, provider.email)
    page.get_by_role(
        "button", name=re.compile(r"^(Aanmelding starten|Aanmelden of verder)")
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(das.name)

    page.get_by_role("link", name="Percelen en producten").click()
    page.get_by_label(re.compile("45A02 Wonen")).check()
    # Everything else is carried over and complete: "verder" leads straight to checking.
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleren en indienen")

    # What will be declared, marked as reused, with the earlier decision.
    mark = (
        f"Overgenomen uit aanmelding {earlier.reference} van {admitted_on:%d-%m-%Y}, "
        "besluit: toegelaten."
    )
    expect(page.get_by_text(mark)).to_have_count(3)  # the exclusion statement, G1 and G4
    expect(
        page.get_by_text("Geen van deze uitsluitingsgronden is op onze organisatie van toepassing")
    ).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"^kwaliteitscertificaat\.pdf: Kwaliteitscertificaat"))
    ).to_be_visible()
    confirmation = page.get_by_label(re.compile("Ik bevestig dat"))
    label_text = page.locator('label[for="covers_new_lots"]').inner_text()
    assert "kwaliteitscertificaat.pdf" in label_text and "kvk_uittreksel.pdf" in label_text
    assert "2. Wonen" in label_text
    confirmation.check()
    page.get_by_label(re.compile("Ik verklaar dat de antwoorden")).check()
    page.get_by_role("button", name="Aanmelding indienen").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw aanmelding is ingediend.")

    assert journey.page_loads <= MAX_PAGE_LOADS, journey.summary()
    assert journey.typed_fields <= MAX_TYPED_FIELDS, journey.summary()

    db.session.expire_all()
    application = applications.open_application(das, provider.organisation_id)
    assert application is not None
    assert application.kind is ApplicationKind.MORE_LOTS
    assert application.state is ApplicationState.SUBMITTED
    assert [al.lot_id for al in application.lots] == [second_lot.id]
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == "application.submitted", AuditEvent.object_id == application.id
        )
    )
    assert event.details["reused_documents_cover_lots"]["lots"] == ["2"]
    expect(page.get_by_text(application.reference, exact=True)).to_be_visible()
    assert application.reference in mailbox.body(mailbox.last_to(provider.email))
