"""The draft's sections in Chromium (issue 17): a refused upload is kept and used without
choosing the file again; leaving the suitability form by any link on the page keeps what was
typed; the exclusion grounds in one statement. axe checks every page (the `page` fixture)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.infra.timeutil import local_date, now
from portal.models import Answer, CriterionKind, EvidenceDocument, PendingUpload
from portal.services import applications, calendar
from tests import factories
from tests.support.browser import log_in

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql


def _draft():
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    das = factories.DasFactory()
    user = factories.ProviderUserFactory()
    application = applications.start_application(das, user)
    return das, user, application, f"/aanbieder/aanmeldingen/{application.id}"


def _today() -> date:
    return local_date(now())


def test_a_refused_upload_is_kept_and_saved_with_the_corrected_date(
    app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    das, user, application, base = _draft()
    extract = tmp_path / "kvk-uittreksel.pdf"
    extract.write_bytes(factories.PDF_BYTES)
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}{base}/geschiktheidseisen")
    g4 = page.locator("#criterium-G4")
    g4.get_by_label("Ja").check()
    g4.get_by_label("Bestand").set_input_files(str(extract))
    earliest = _today() - relativedelta(months=6)
    g4.get_by_label("Datum van afgifte").fill((earliest - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Opslaan en verder").click()

    expect(page.get_by_role("alert").first).to_contain_text(
        f"kies een document van op of na {earliest:%d-%m-%Y}"
    )
    g4 = page.locator("#criterium-G4")
    expect(g4).to_contain_text(
        "Ontvangen: kvk-uittreksel.pdf. U hoeft het bestand niet opnieuw te kiezen."
    )
    expect(g4.get_by_label("Ja")).to_be_checked()  # the answer stayed
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(PendingUpload)) == 1

    # Correct the date only: the file is not chosen again.
    g4.get_by_label("Datum van afgifte").fill(earliest.isoformat())
    page.get_by_role("button", name="Opslaan en verder").click()
    page.wait_for_url(f"{live_server}{base}/indienen")
    db.session.expire_all()
    document = db.session.scalar(db.select(EvidenceDocument))
    assert document.filename == "kvk-uittreksel.pdf" and document.issued_on == earliest
    answer = db.session.scalar(db.select(Answer).where(Answer.criterion_id == das.criteria[3].id))
    assert [d.id for d in answer.documents] == [document.id]


def test_leaving_the_suitability_form_by_any_link_keeps_what_was_typed(
    app: Flask, live_server: str, page: Page
) -> None:
    das, user, application, base = _draft()
    form_url = f"{live_server}{base}/geschiktheidseisen"
    log_in(page, live_server, user.email)
    page.goto(form_url)
    # Every link on the page that leaves it (header, footer, anything the page itself shows).
    hrefs = page.eval_on_selector_all(
        "a[href]",
        "links => links.filter(a => !a.target && a.origin === location.origin"
        " && !(a.pathname === location.pathname && a.hash)).map(a => a.getAttribute('href'))",
    )
    targets = list(dict.fromkeys(hrefs))
    assert len(targets) >= 5  # brand, menu, account, footer

    explanation = "#criterium-G1 textarea"
    for number, href in enumerate(targets, start=1):
        page.goto(form_url)
        typed = f"Via link {number}: {href}"
        page.locator(explanation).fill(typed)
        page.locator(f'a[href="{href}"]').first.click()
        path = urlsplit(href).path
        page.wait_for_url(re.compile(re.escape(f"{live_server}{path}") + r"(\?.*)?(#.*)?$"))
        page.goto(form_url)
        expect(page.locator(explanation)).to_have_value(typed)

    # The language switch posts a form of its own: the draft is saved first.
    page.locator(explanation).fill("Voor de taalkeuze")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(form_url)
    expect(page.locator(explanation)).to_have_value("Voor de taalkeuze")
    page.get_by_role("button", name="Nederlands").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    # And logging out.
    page.locator(explanation).fill("Voor het uitloggen")
    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)
    log_in(page, live_server, user.email)
    page.goto(form_url)
    expect(page.locator(explanation)).to_have_value("Voor het uitloggen")


def test_the_exclusion_grounds_in_one_statement(app: Flask, live_server: str, page: Page) -> None:
    das, user, application, base = _draft()
    log_in(page, live_server, user.email)
    page.goto(f"{live_server}{base}")
    expect(page.locator("#status-indienen")).to_have_text("Kan nog niet")
    page.get_by_role("link", name="Uitsluitingsgronden").click()
    per_ground = page.locator("#per-grond")
    expect(per_ground).to_be_hidden()  # nothing chosen yet: the short page
    page.get_by_label("Een of meer gronden zijn wel van toepassing").check()
    expect(per_ground).to_be_visible()
    page.get_by_label(
        "Geen van deze uitsluitingsgronden is op onze organisatie van toepassing"
    ).check()
    expect(per_ground).to_be_hidden()
    page.get_by_role("button", name="Opslaan en verder").click()
    page.wait_for_url(f"{live_server}{base}/geschiktheidseisen")
    db.session.expire_all()
    grounds = {c.id for c in das.criteria_of(CriterionKind.EXCLUSION)}
    values = db.session.scalars(db.select(Answer.value).where(Answer.criterion_id.in_(grounds)))
    assert list(values) == [False] * len(grounds)
    page.goto(f"{live_server}{base}/uitsluitingsgronden")
    expect(
        page.get_by_label("Geen van deze uitsluitingsgronden is op onze organisatie van toepassing")
    ).to_be_checked()
    expect(per_ground).to_be_hidden()
