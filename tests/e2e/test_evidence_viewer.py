"""A reviewer sees evidence beside the answer without downloading it (issue 18), in Chromium at
1366x768: the link in the review grid opens a panel beside the grid with the document's facts and
the pictures of its pages; focus moves into the panel and back to the link when Escape closes it;
the look is recorded for the second reviewer; without the panel the viewer is a page of its own
with a way back. Every state is checked by axe-core."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import weasyprint
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import DocumentView, EvidenceType, Role
from portal.services import applications, review
from tests import factories
from tests.support.axe import WCAG_21_AA
from tests.support.browser import log_in

pytestmark = pytest.mark.only_postgresql

FILENAME = "polis-2026.pdf"
AXE_NOW = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"]}).then((r) => r.violations.map(
    (v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")))"""


def three_page_pdf() -> bytes:
    pages = "".join(
        f'<h1 style="page-break-after: always">Verzekeringspolis, pagina {n}</h1>'
        for n in range(1, 4)
    )
    return bytes(weasyprint.HTML(string=f"<html><body>{pages}</body></html>").write_pdf())


def looks() -> list[tuple[int, int]]:
    db.session.expire_all()
    return [
        (v.user_id, v.times)
        for v in db.session.scalars(db.select(DocumentView).order_by(DocumentView.id))
    ]


def test_evidence_opens_beside_the_grid_and_is_recorded(
    app: Flask, live_server: str, new_page: Callable[..., Page]
) -> None:
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory(organisation__legal_name="Praktijk Het Anker")
    application = factories.complete_draft(das, provider, date(2026, 11, 20))
    criterion = next(c for c in das.criteria if c.evidence_required)
    policy = factories.upload_pdf(
        provider,
        criterion.evidence_type or EvidenceType.QUALITY_CERTIFICATE,
        date(2026, 11, 1),
        content=three_page_pdf(),
        filename=FILENAME,
    )
    applications.save_answers(
        application,
        {
            criterion.id: applications.AnswerInput(
                criterion.passing_answer, document_ids=(policy.id,)
            )
        },
        provider,
    )
    applications.submit(application, provider, datetime(2026, 11, 23, 9, tzinfo=UTC))
    reviewer = factories.UserFactory(role=Role.REVIEWER, name="Anna de Vries")
    factories.assign(reviewer, das)
    review.declare_conflict(application, reviewer, False, "", datetime.now(UTC))
    db.session.commit()

    page = new_page(viewport={"width": 1366, "height": 768})
    log_in(page, live_server, reviewer.email)
    page.goto(f"{live_server}/beoordeling/aanmeldingen/{application.id}")
    link = page.locator("a[data-evidence-panel]", has_text=FILENAME).first
    expect(link).to_be_visible()
    grid_url = page.url

    link.click()
    panel = page.get_by_role("dialog", name=FILENAME)
    expect(panel).to_be_visible()
    # Focus moved into the panel, onto its heading naming the document.
    expect(panel.get_by_role("heading", name=FILENAME)).to_be_focused()
    expect(panel).to_contain_text("01-11-2026")  # issued on
    first_page = panel.get_by_role("img", name=f"Pagina 1 van 3 van {FILENAME}")
    expect(first_page).to_be_visible()
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=first_page.element_handle()
    )
    assert page.url == grid_url  # the grid was not left
    # Beside the grid, not over it: the page's content ends where the panel begins.
    panel_box, main_box = panel.bounding_box(), page.locator("main").bounding_box()
    assert panel_box is not None and main_box is not None
    assert panel_box["x"] > 1366 / 3
    assert main_box["x"] + main_box["width"] <= panel_box["x"] + 1
    assert page.evaluate(AXE_NOW, WCAG_21_AA) == []
    assert looks() == [(reviewer.id, 1)]

    # Escape closes the panel and gives focus back to the link.
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(link).to_be_focused()
    # From the keyboard it opens again (and counts a second look).
    page.keyboard.press("Enter")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name=FILENAME)).to_be_focused()
    panel.get_by_role("button", name="Sluiten").click()
    expect(panel).to_be_hidden()
    expect(link).to_be_focused()
    assert looks() == [(reviewer.id, 2)]

    # The four-eyes view: the grid says who opened it.
    page.reload()
    expect(page.locator(".evidence", has_text=FILENAME).first).to_contain_text(
        "Geopend door Anna de Vries"
    )

    # Without the panel (no JavaScript, or a new tab) the viewer is a page with a way back.
    href = link.get_attribute("href")
    assert href is not None
    page.goto(live_server + href)
    expect(page.get_by_role("heading", level=1, name=FILENAME)).to_be_visible()
    expect(page.get_by_role("img", name=f"Pagina 3 van 3 van {FILENAME}")).to_be_attached()
    page.get_by_role("link", name=f"Terug naar de aanmelding {application.reference}").first.click()
    assert page.url == grid_url
    assert looks() == [(reviewer.id, 3)]
