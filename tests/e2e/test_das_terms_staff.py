"""An administrator sets a DAS's terms and its staff through the pages (issue 19): the terms are
saved and stated in the agreement PDF; a reviewer is invited, accepts in a browser of her own,
sets up the second step, sees the DAS's queue, and loses it when her access is revoked."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from portal.extensions import db
from portal.models import Role, User
from portal.services import agreements, calendar
from tests import factories
from tests.factories import admit
from tests.support.browser import log_in

pytestmark = pytest.mark.only_postgresql


@pytest.mark.real_pdf
def test_terms_and_staff_through_the_pages(
    app: Flask, live_server: str, new_page: Callable[[], Page], mailbox
) -> None:
    calendar.ensure_statutory_holidays(range(2026, 2031))
    db.session.commit()
    das = factories.DasFactory(name="Jeugdhulp Zuid")
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    page = new_page()
    log_in(page, live_server, admin.email)

    # The terms.
    page.goto(f"{live_server}/beheer/das/{das.slug}/voorwaarden")
    page.get_by_label("Gezamenlijk verwerkingsverantwoordelijken").check()
    page.get_by_label("Gewicht OVA (%)").fill("80")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator(".error-summary, [role=alert]").first).to_contain_text("samen 100%")
    expect(page.get_by_label("Gewicht OVA (%)")).to_have_value("80")  # kept as typed
    page.get_by_label("Gewicht PPC (%)").fill("20")
    page.get_by_label("SROI-verplichting (% van die omzet)").fill("4,5")
    page.get_by_label("Wat gebeurt er als de jeugdhulpaanbieder geen plek heeft?").fill(
        "De aanbieder meldt binnen drie werkdagen dat hij vol zit."
    )
    page.get_by_label("Aanvullende privacyafspraken van de regio (optioneel)").fill(
        "Gegevens blijven binnen de Europese Unie."
    )
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status").first).to_contain_text("De voorwaarden zijn opgeslagen.")

    provider = factories.ProviderUserFactory()
    agreement = admit(das, provider, date(2026, 12, 1))
    content, _name = agreements.document(agreement)
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert "80% OVA" in text and "20% PPC" in text and "4,5%" in text
    assert "meldt binnen drie werkdagen dat hij vol zit" in text
    assert "artikel 26 AVG" in text and "binnen de Europese Unie" in text

    # The staff.
    page.goto(f"{live_server}/beheer/das/{das.slug}/medewerkers")
    page.get_by_label("E-mailadres").fill("ria@regio.nl")
    page.get_by_label("Beoordelaar: beoordeelt aanmeldingen").check()
    page.get_by_role("button", name="Uitnodigen").click()
    expect(page.get_by_role("status").first).to_contain_text("ria@regio.nl")

    link = mailbox.link_in(mailbox.last_to("ria@regio.nl"))
    ria_page = new_page()
    ria_page.goto(link)
    ria_page.get_by_label("Uw naam").fill("Ria Jansen")
    ria_page.get_by_label("Nieuw wachtwoord", exact=True).fill("een-lang-wachtwoord")
    ria_page.get_by_label("Herhaal het nieuwe wachtwoord").fill("een-lang-wachtwoord")
    ria_page.get_by_role("button", name="Account aanmaken").click()
    ria_page.get_by_label("E-mailadres").fill("ria@regio.nl")
    ria_page.get_by_label("Wachtwoord").fill("een-lang-wachtwoord")
    ria_page.get_by_role("button", name="Inloggen").click()
    expect(ria_page.get_by_role("heading", level=1)).to_contain_text("twee stappen")
    ria = db.session.scalar(db.select(User).where(User.email == "ria@regio.nl"))
    db.session.refresh(ria)
    ria_page.get_by_role("textbox", name="Code").fill(pyotp.TOTP(ria.totp_pending_secret).now())
    ria_page.get_by_role("button", name="Verificatie aanzetten").click()
    ria_page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
    ria_page.goto(f"{live_server}/beoordeling/")
    expect(ria_page.locator("main")).to_contain_text("Jeugdhulp Zuid")

    page.goto(f"{live_server}/beheer/das/{das.slug}/medewerkers")
    page.get_by_role("button", name="Toegang intrekken Ria Jansen").click()
    expect(page.get_by_role("status").first).to_contain_text("is ingetrokken")
    ria_page.goto(f"{live_server}/beoordeling/")
    expect(ria_page.locator("main")).not_to_contain_text("Jeugdhulp Zuid")
