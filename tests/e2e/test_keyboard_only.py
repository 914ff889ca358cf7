"""A provider completes and submits the whole application with the keyboard alone: Tab to move,
Enter to follow links and press buttons, Space and the arrow keys for choices, typing for text;
the file chooser is opened from the keyboard too. The mouse is never used. Every control the
test reaches must show where the focus is (WCAG 2.4.7), and every page is checked by axe-core."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Locator, Page, expect

from portal.extensions import db
from portal.models import Application, ApplicationState, EvidenceDocument
from portal.services import calendar
from tests import factories

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

FOCUS_VISIBLE = """(e) => {
  const style = getComputedStyle(e);
  return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
         || style.boxShadow !== "none";
}"""


def tab_to(page: Page, target: Locator, limit: int = 200) -> None:
    """Press Tab until the target has the focus, and check that the focus can be seen."""
    target.wait_for()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("(e) => e === document.activeElement"):
            assert target.evaluate(FOCUS_VISIBLE), f"no visible focus on {target}"
            return
    raise AssertionError(f"Tab never reached {target}")


def choose_radio(page: Page, target: Locator) -> None:
    """Tab into the radio group of the target, then move to it with the arrow keys."""
    name = target.get_attribute("name")
    target.wait_for()
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("(name) => document.activeElement.name === name", name):
            break
    else:
        raise AssertionError(f"Tab never reached the group {name}")
    for _ in range(5):
        if target.is_checked():
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never chose {target}")


def choose_option(page: Page, select: Locator, label: str) -> None:
    tab_to(page, select)
    for _ in range(20):
        if select.evaluate("(s) => s.options[s.selectedIndex].text") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {label}")


def type_date(page: Page, field: Locator, day: date) -> None:
    """Type a date into a date field, part by part. The parts come in the order of the browser's
    own language, not the page's (this Chromium may show mm-dd-jjjj on a Dutch page): typed day
    first, and again month first when that was not what the field read (a future date would be
    refused at the door, issue 17)."""
    tab_to(page, field)
    page.keyboard.type(day.strftime("%d%m%Y"))
    if field.input_value() != day.isoformat():
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        page.keyboard.type(day.strftime("%m%d%Y"))
    assert field.input_value() == day.isoformat()


def press_link(page: Page, link: Locator) -> None:
    tab_to(page, link)
    page.keyboard.press("Enter")


def test_the_whole_application_with_the_keyboard_alone(
    app: Flask, live_server: str, page: Page, tmp_path: Path
) -> None:
    calendar.ensure_statutory_holidays(range(2025, 2030))
    db.session.commit()
    factories.DasFactory(name="Ambulante jeugdhulp testregio")
    provider = factories.ProviderUserFactory(organisation__legal_name="Praktijk Toetsenbord")
    db.session.commit()
    files = {}
    for name, extra in (("hkz-certificaat.pdf", b""), ("kvk-uittreksel.pdf", b"% kvk\n")):
        files[name] = tmp_path / name
        files[name].write_bytes(factories.PDF_BYTES + extra)
    issued = date.today() - timedelta(days=10)

    page.goto(f"{live_server}/inloggen")
    tab_to(page, page.get_by_label("E-mailadres"))
    page.keyboard.type(provider.email)
    tab_to(page, page.get_by_label("Wachtwoord"))
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Praktijk Toetsenbord")

    tab_to(page, page.get_by_role("button", name=re.compile("Aanmelden of verder")))
    page.keyboard.press("Enter")
    expect(page.get_by_text("0 van 3 onderdelen compleet")).to_be_visible()

    press_link(page, page.get_by_role("link", name="Percelen en producten"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Percelen")
    tab_to(page, page.get_by_label(re.compile("45A01 Individuele begeleiding")))
    page.keyboard.press("Space")
    press_link(page, page.get_by_role("button", name="Opslaan en terug naar overzicht"))
    expect(page.get_by_text("1 van 3 onderdelen compleet")).to_be_visible()

    press_link(page, page.get_by_role("link", name="Uitsluitingsgronden"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitsluitingsgronden")
    # One statement for all grounds (issue 17).
    choose_radio(
        page,
        page.get_by_label(
            "Geen van deze uitsluitingsgronden is op onze organisatie van toepassing"
        ),
    )
    press_link(page, page.get_by_role("button", name="Opslaan en terug naar overzicht"))
    expect(page.get_by_text("2 van 3 onderdelen compleet")).to_be_visible()

    press_link(page, page.get_by_role("link", name="Geschiktheidseisen"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschiktheidseisen")
    # Each criterion takes its upload where it is asked, its kind set by the criterion (issue 17).
    for code, document in (("G1", "hkz-certificaat.pdf"), ("G4", "kvk-uittreksel.pdf")):
        section = page.locator(f"#criterium-{code}")
        choose_radio(page, section.get_by_label("Ja"))
        tab_to(page, section.get_by_label("Bestand"))
        with page.expect_file_chooser() as chooser:
            page.keyboard.press("Space")
        chooser.value.set_files(str(files[document]))
        type_date(page, section.get_by_label("Datum van afgifte"), issued)
    press_link(page, page.get_by_role("button", name="Opslaan en terug naar overzicht"))
    expect(page.get_by_text("3 van 3 onderdelen compleet")).to_be_visible()

    press_link(page, page.get_by_role("link", name="Controleren en indienen"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("indienen")
    tab_to(page, page.get_by_label(re.compile("Ik verklaar dat de antwoorden")))
    page.keyboard.press("Space")
    press_link(page, page.get_by_role("button", name="Aanmelding indienen"))
    expect(page.get_by_role("status").first).to_contain_text("Uw aanmelding is ingediend.")

    application = db.session.scalar(db.select(Application))
    assert application.state is ApplicationState.SUBMITTED
    stored = db.session.scalars(db.select(EvidenceDocument.filename)).all()
    assert sorted(stored) == ["hkz-certificaat.pdf", "kvk-uittreksel.pdf"]
