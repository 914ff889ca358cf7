"""A reviewer asks for clarification, the provider answers, two reviewers admit one lot and
reject the other, and the provider downloads the decision letter: in Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import FilePayload, Page, expect

from portal.extensions import db
from portal.models import Role
from portal.services import applications, calendar
from tests import factories
from tests.support.browser import log_in
from tests.support.smtp import SmtpSink

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def test_clarification_and_four_eyes_decision(
    app: Flask, live_server: str, new_page: Callable[[], Page], mailbox: SmtpSink
) -> None:
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory(four_eyes=True, name="Ambulante jeugdhulp testregio")
    provider = factories.ProviderUserFactory(organisation__legal_name="Praktijk Het Anker")
    application = factories.complete_draft(das, provider, date.today() - timedelta(days=3))
    applications.submit(application, provider, datetime.now(UTC) - timedelta(days=1))
    first = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    second = factories.UserFactory(role=Role.REVIEWER, name="Wendy Tweede")
    for reviewer in (first, second):
        factories.assign(reviewer, das)
    lot1, lot2 = das.lots
    reviewer_page, provider_page, second_page = (new_page() for _ in range(3))
    # The first reviewer declares no conflict, and asks a question about G4.
    log_in(reviewer_page, live_server, first.email)
    reviewer_page.get_by_role("link", name=application.reference).click()
    reviewer_page.get_by_label("Nee, ik heb geen belangenconflict").check()
    reviewer_page.get_by_role("button", name="Verklaring vastleggen").click()
    reviewer_page.get_by_text("Herstelverzoek sturen").first.click()
    reviewer_page.get_by_label("Uw vraag aan de aanbieder").fill(
        "Uw KvK-uittreksel is onleesbaar. Stuur een nieuw exemplaar."
    )
    reviewer_page.get_by_role("checkbox", name="G4. Verantwoorde bedrijfsvoering").check()
    reviewer_page.get_by_role("button", name="Herstelverzoek sturen").click()
    expect(reviewer_page.get_by_role("status").first).to_contain_text("termijn staat stil")

    # The provider follows the mail's link, uploads a new extract and answers.
    log_in(provider_page, live_server, provider.email)
    provider_page.goto(mailbox.link_in(mailbox.last_to(provider.email)))
    provider_page.get_by_role("link", name="Eerst een nieuw document uploaden").click()
    provider_page.get_by_label("Bestand").set_input_files(
        files=[
            FilePayload(
                name="kvk-nieuw.pdf",
                mimeType="application/pdf",
                buffer=factories.PDF_BYTES + b"% nieuw\n",
            )
        ]
    )
    provider_page.get_by_label("Soort document").select_option(label="Uittreksel KvK")
    provider_page.get_by_label("Datum van afgifte").fill(date.today().isoformat())
    provider_page.get_by_role("button", name="Uploaden").click()
    provider_page.get_by_label("Uw antwoord").fill("Hierbij het nieuwe uittreksel.")
    provider_page.get_by_label(re.compile("kvk-nieuw.pdf")).check()
    provider_page.get_by_role("button", name="Antwoord versturen").click()
    expect(provider_page.get_by_role("status").first).to_contain_text("Uw antwoord is verstuurd")

    # The first reviewer assesses every criterion and proposes: lot 1 in, lot 2 out.
    reviewer_page.reload()
    expect(reviewer_page.get_by_text("Hierbij het nieuwe uittreksel.")).to_be_visible()
    # G4 got new evidence: nothing is chosen for it; the reviewer assesses it explicitly.
    g4 = next(c for c in das.criteria if c.code == "G4")
    expect(reviewer_page.locator(f"#c{g4.id}_mark-0")).not_to_be_checked()
    reviewer_page.locator(f"#c{g4.id}_mark-0").check()
    reviewer_page.get_by_role("button", name="Beoordeling opslaan").click()
    expect(reviewer_page.get_by_role("status").first).to_contain_text("is opgeslagen")
    reviewer_page.locator(f"#lot{lot1.id}_outcome-0").check()
    reviewer_page.locator(f"#lot{lot2.id}_outcome-1").check()
    reviewer_page.locator(f"#lot{lot2.id}_reason").fill("U levert geen wonen-producten.")
    # Deciding asks for the password again; a wrong one is refused and the choices stay.
    reviewer_page.get_by_label("Uw wachtwoord").fill("niet-mijn-wachtwoord")
    reviewer_page.get_by_role("button", name="Besluit vastleggen").click()
    expect(reviewer_page.get_by_role("alert")).to_contain_text("wachtwoord klopt niet")
    expect(reviewer_page.locator(f"#lot{lot2.id}_reason")).to_have_value(
        "U levert geen wonen-producten."
    )
    reviewer_page.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    reviewer_page.get_by_role("button", name="Besluit vastleggen").click()
    expect(reviewer_page.get_by_role("status").first).to_contain_text(
        "wacht op bevestiging door een tweede beoordelaar"
    )

    # The second reviewer confirms.
    log_in(second_page, live_server, second.email)
    second_page.get_by_role("link", name=application.reference).click()
    second_page.get_by_label("Nee, ik heb geen belangenconflict").check()
    second_page.get_by_role("button", name="Verklaring vastleggen").click()
    second_page.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    second_page.get_by_role("button", name="Besluit bevestigen").click()
    expect(second_page.get_by_role("status").first).to_contain_text("is bevestigd")

    # The provider reads the decision and downloads the letter.
    provider_page.goto(f"{live_server}/aanbieder/aanmeldingen/{application.id}")
    expect(provider_page.get_by_text("U levert geen wonen-producten.")).to_be_visible()
    with provider_page.expect_download() as download_info:
        provider_page.get_by_role("link", name="Besluitbrief downloaden (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"besluit-{application.reference}.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
