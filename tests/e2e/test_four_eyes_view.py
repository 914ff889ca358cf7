"""Four eyes that really see (issue 18), in Chromium: the second reviewer sees the first one's
verdicts, reasons, opened documents and notes; a proposal that skips new evidence is refused;
the review grid of the demo DAS (18 criteria) fits in three screens at 1366x768. Every page
is checked by axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.devdata.demo import load_demo
from portal.extensions import db
from portal.models import Application, ApplicationState, Das, Role
from portal.services import applications, calendar, review
from tests import factories
from tests.support.browser import log_in, log_in_to_demo

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def in_review(four_eyes: bool):
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory(four_eyes=four_eyes)
    provider = factories.ProviderUserFactory(organisation__legal_name="Praktijk Het Anker")
    application = factories.complete_draft(das, provider, date.today() - timedelta(days=3))
    applications.submit(application, provider, datetime.now(UTC) - timedelta(days=1))
    return das, provider, application


def open_review(page: Page, base: str, application: Application) -> None:
    page.goto(f"{base}/beoordeling/aanmeldingen/{application.id}")


def declare_no_conflict(page: Page) -> None:
    page.get_by_label("Nee, ik heb geen belangenconflict").check()
    page.get_by_role("button", name="Verklaring vastleggen").click()


def test_the_second_reviewer_sees_the_first_ones_work(
    app: Flask, live_server: str, new_page: Callable[[], Page]
) -> None:
    das, _, application = in_review(four_eyes=True)
    first = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    second = factories.UserFactory(role=Role.REVIEWER, name="Wendy Tweede")
    for reviewer in (first, second):
        factories.assign(reviewer, das)
    u1, u2, g1, g4 = das.criteria
    lot1, lot2 = das.lots
    a, b = new_page(), new_page()

    # A opens the quality certificate, assesses with a reason, writes a note and proposes.
    log_in(a, live_server, first.email)
    open_review(a, live_server, application)
    declare_no_conflict(a)
    link = a.locator("#eis-G1 .review-evidence a").first
    a.goto(live_server + link.get_attribute("href"))
    open_review(a, live_server, application)
    a.locator(f"#c{g1.id}_reason").fill("HKZ-certificaat gecontroleerd, dekt jeugdhulp")
    a.locator(f"#c{u2.id}_mark-0").check()
    a.get_by_role("button", name="Beoordeling opslaan").click()
    expect(a.get_by_role("status").first).to_contain_text("is opgeslagen")
    a.get_by_text("Notitie voor de andere beoordelaars").first.click()
    a.get_by_label("Over").select_option(label="G4. Verantwoorde bedrijfsvoering")
    a.get_by_label("Notitie voor de andere beoordelaars").fill("Uittreksel is net zes maanden oud")
    a.get_by_role("button", name="Notitie opslaan").click()
    expect(a.get_by_role("status").first).to_contain_text("De aanbieder ziet haar niet")
    a.locator(f"#lot{lot1.id}_outcome-0").check()
    a.locator(f"#lot{lot2.id}_outcome-0").check()
    a.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    a.get_by_role("button", name="Besluit vastleggen").click()
    expect(a.get_by_role("status").first).to_contain_text("wacht op bevestiging")

    # B sees, per criterion, A's verdict and reason, what A opened, and A's note.
    log_in(b, live_server, second.email)
    open_review(b, live_server, application)
    declare_no_conflict(b)
    g1_row = b.locator("#eis-G1")
    expect(g1_row).to_contain_text("HKZ-certificaat gecontroleerd, dekt jeugdhulp")
    expect(g1_row).to_contain_text("Voldoet")
    expect(g1_row).to_contain_text("Bram Eerste")
    expect(g1_row.locator(".review-evidence")).to_contain_text(
        re.compile("geopend door Bram Eerste", re.IGNORECASE)
    )
    expect(b.locator("#eis-U1 .review-evidence")).to_have_count(1)
    expect(b.get_by_text("Uittreksel is net zes maanden oud")).to_be_visible()
    expect(b.get_by_text("Notitie van Bram Eerste")).to_be_visible()
    # ... with the confirmation beside it.
    expect(b.get_by_role("button", name="Besluit bevestigen")).to_be_visible()
    b.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    b.get_by_role("button", name="Besluit bevestigen").click()
    expect(b.get_by_role("status").first).to_contain_text("is bevestigd")


def test_a_rubber_stamp_proposal_is_refused(app: Flask, live_server: str, page: Page) -> None:
    das, provider, application = in_review(four_eyes=False)
    reviewer = factories.UserFactory(role=Role.REVIEWER, name="Bram Eerste")
    factories.assign(reviewer, das)
    g4 = das.criteria[3]
    log_in(page, live_server, reviewer.email)
    open_review(page, live_server, application)
    declare_no_conflict(page)
    page.get_by_role("button", name="Beoordeling opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("is opgeslagen")
    # G4 is questioned, and answered with a new extract.
    clarification = review.ask_clarification(
        application,
        reviewer,
        "Uw KvK-uittreksel is onleesbaar.",
        ["G4"],
        date.today() + timedelta(days=14),
        datetime.now(UTC),
    )
    extract = factories.upload_pdf(
        provider,
        factories.EvidenceType.KVK_EXTRACT,
        date.today(),
        content=factories.PDF_BYTES + b"% nieuw\n",
        filename="kvk-nieuw.pdf",
    )
    review.answer_clarification(
        application, clarification, provider, "Hierbij het nieuwe.", [extract.id], datetime.now(UTC)
    )
    page.reload()
    row = page.locator("#eis-G4")
    expect(row).to_contain_text("Let op: nieuw bewijs na herstelverzoek")
    expect(page.locator(f"#c{g4.id}_mark-0")).not_to_be_checked()
    # The clarification and its answer show at G4's row.
    expect(page.locator("#eis-G4 + tr")).to_contain_text("Hierbij het nieuwe.")
    for lot in das.lots:
        page.locator(f"#lot{lot.id}_outcome-0").check()
    page.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "G4 Verantwoorde bedrijfsvoering (nieuw bewijs na herstelverzoek)"
    )
    db.session.expire_all()
    assert db.session.get(Application, application.id).state is ApplicationState.SUBMITTED
    # Assessed again, the proposal goes through.
    page.locator(f"#c{g4.id}_mark-0").check()
    page.get_by_role("button", name="Beoordeling opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("is opgeslagen")
    for lot in das.lots:
        page.locator(f"#lot{lot.id}_outcome-0").check()
    page.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("status").first).to_contain_text("vastgelegd")


def test_the_review_page_of_eighteen_criteria_fits_in_three_screens(
    app: Flask, live_server: str, page: Page
) -> None:
    load_demo(date.today())
    das = db.session.scalar(db.select(Das).where(Das.reference == "ML-AJW"))
    assert len(das.criteria) == 18
    application = db.session.scalar(
        db.select(Application).where(
            Application.das_id == das.id, Application.state == ApplicationState.SUBMITTED
        )
    )
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in_to_demo(page, live_server, "beoordelaar@demo.das-portaal.nl")
    open_review(page, live_server, application)
    declare_no_conflict(page)  # the grid with a verdict control and a reason on every row
    expect(page.locator(".review-grid tbody tr[id^=eis-]")).to_have_count(18)
    # Measured once the page is laid out with its stylesheet and fonts: under load the rows can
    # be in the document before the stylesheet is (a 4.4-screen page, once, in a full run).
    page.wait_for_load_state("load")
    page.wait_for_function(
        "getComputedStyle(document.querySelector('.review-layout')).display === 'grid'"
    )
    page.evaluate("document.fonts.ready.then(() => true)")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 3 * 768, f"the review page is {height}px high ({height / 768:.1f} screens)"
    # The decision stays in view while scrolling to the last criterion.
    page.locator(".review-grid tbody tr[id^=eis-]").last.scroll_into_view_if_needed()
    expect(page.get_by_role("button", name="Besluit vastleggen")).to_be_in_viewport()
