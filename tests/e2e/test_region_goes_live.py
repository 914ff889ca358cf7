"""A region goes live from nothing, through the pages only (issue 19, "Done when"): an
administrator creates a DAS, its municipalities, lots and products, criteria, terms and KPI, base
tariffs, staff and contact point; publishing is refused with the checklist until all is there;
a provider applies, the invited reviewer admits it, the provider signs, and the agreement PDF
states the terms as configured. The DAS's configuration is never written to the database
directly; the test reads the database only to find ids and to check states. Axe audits every
page the test leaves."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import FilePayload, Page, expect
from pypdf import PdfReader

from portal.extensions import db
from portal.models import (
    Application,
    ApplicationState,
    Das,
    DasState,
    FrameworkAgreement,
    Role,
    User,
)
from portal.services import calendar
from tests import factories
from tests.support.browser import log_in
from tests.support.smtp import SmtpSink

pytestmark = pytest.mark.only_postgresql

SLUG = "jeugdhulp-noord-limburg"
NAME = "Jeugdhulp Noord-Limburg"
REVIEWER_EMAIL = "ria@noord-limburg.nl"
REVIEWER_PASSWORD = "een-lang-wachtwoord"
WHO_CHOOSES = "De lokale toegang van de gemeente kiest samen met het gezin de aanbieder."
REQUEST = "De toegang vraagt de aanbieder per beveiligde e-mail om een plek."
NO_CAPACITY = "Heeft de aanbieder geen plek, dan meldt hij dat binnen twee werkdagen."
PRIVACY_TEXT = "Dossiers van jeugdigen blijven op servers binnen de Europese Unie."


def _status(page: Page):
    return page.get_by_role("status").first


def _create_the_das(page: Page, base: str) -> None:
    page.goto(f"{base}/beheer/das-overzicht")
    page.get_by_role("link", name="Nieuw aankoopsysteem").click()
    page.get_by_label("Naam", exact=True).fill(NAME)
    page.get_by_label("Korte naam voor het webadres").fill(SLUG)
    page.get_by_label("Kenmerk").fill("NL-JH")
    page.get_by_label("Korte omschrijving").fill("Ambulante jeugdhulp voor Noord-Limburg.")
    page.get_by_label("Wat wordt ingekocht").fill("Ambulante begeleiding van jeugdigen.")
    # Seed 003 §4.1: 1-1-2026 to 31-12-2029, twice three years (the form's default options);
    # four eyes stays off, so one reviewer decides. No contact point yet: the checklist says so.
    page.get_by_label("Begin van de looptijd").fill("2026-01-01")
    page.get_by_label("Einde van de looptijd (zonder verlengingen)").fill("2029-12-31")
    expect(page.get_by_label("Aantal verlengingsopties")).to_have_value("2")
    expect(
        page.get_by_label("Vier ogen: een tweede beoordelaar bevestigt elk besluit")
    ).not_to_be_checked()
    page.get_by_role("button", name="Aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)

    page.get_by_role("link", name="Gemeenten en penvoerder").click()
    page.get_by_label("Gemeenten").fill("Venlo; Noord-Limburg\nGM0984; Noord-Limburg")
    page.get_by_label("Penvoerende gemeente").fill("Venlo")
    page.get_by_role("button", name="Opslaan").click()
    expect(_status(page)).to_contain_text("De gemeenten zijn opgeslagen.")


def _publishing_is_refused(page: Page) -> None:
    """On the settings page: the checklist names what is missing, and publishing is refused."""
    checklist = page.locator(".missing")
    for missing in (
        "Ten minste één perceel met een product",
        "Uitsluitingsgronden",
        "Geschiktheidseisen",
        "Het contactpunt voor aanbieders",
        "De wijze van toewijzing van cliënten",
        "De privacyrol van de aanbieder",
        "Ten minste één beoordelaar",
        "Tarieven voor het eerste jaar van de looptijd",
    ):
        expect(checklist).to_contain_text(missing)
    expect(checklist).not_to_contain_text("De deelnemende gemeenten")
    expect(checklist).not_to_contain_text("De penvoerende gemeente")
    page.get_by_label("Ik heb de aankondiging gecontroleerd").check()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_role("alert").first).to_contain_text("er ontbreekt nog iets")
    expect(page.locator(".missing")).to_contain_text("Ten minste één beoordelaar")


def _lots_and_products(page: Page, base: str) -> None:
    page.goto(f"{base}/beheer/das/{SLUG}/instellingen")
    page.get_by_role("link", name="Percelen en producten").click()
    page.get_by_role("link", name="Perceel toevoegen").click()
    page.get_by_label("Perceelcode").fill("1")
    page.get_by_label("Naam", exact=True).fill("Ambulante begeleiding")
    page.get_by_role("button", name="Opslaan").click()
    expect(_status(page)).to_contain_text("Het perceel is opgeslagen.")
    page.get_by_role("link", name="Product toevoegen").click()
    page.get_by_label("Perceel", exact=True).select_option(label="1. Ambulante begeleiding")
    page.get_by_label("Productcode").fill("45A01")
    page.get_by_label("Naam", exact=True).fill("Begeleiding individueel")
    page.get_by_label("iJw-productcategorie").fill("45")
    page.get_by_role("button", name="Opslaan").click()
    expect(_status(page)).to_contain_text("Het product is toegevoegd.")


def _criteria(page: Page, base: str) -> None:
    page.goto(f"{base}/beheer/das/{SLUG}/instellingen")
    page.get_by_role("link", name="Uitsluitingsgronden en geschiktheidseisen").click()
    # An exclusion ground from the ESPD list.
    page.get_by_label("Uitsluitingsgrond toevoegen").select_option("fraud")
    page.get_by_role("button", name="Verder").first.click()
    expect(page.get_by_label("Titel", exact=True)).to_have_value("Fraude")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Eis U1 is toegevoegd.")).to_be_visible()
    # A suitability criterion of the region's own, requiring a quality certificate.
    page.get_by_label("Geschiktheidseis toevoegen").select_option("eigen")
    page.get_by_role("button", name="Verder").nth(1).click()
    page.get_by_label("Titel", exact=True).fill("Kwaliteitssysteem")
    page.get_by_label("Vraag aan de aanbieder").fill(
        "Heeft uw organisatie een gecertificeerd kwaliteitssysteem?"
    )
    page.get_by_label("Bewijs is verplicht bij de aanmelding").check()
    page.get_by_label("Kwaliteitscertificaat").check()
    page.get_by_label("Maximale ouderdom van het bewijs (maanden)").fill("12")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Eis G1 is toegevoegd.")).to_be_visible()


def _terms_and_kpi(page: Page, base: str) -> None:
    page.goto(f"{base}/beheer/das/{SLUG}/instellingen")
    page.get_by_role("link", name=re.compile("^Voorwaarden: SROI")).click()
    page.get_by_label("Gewicht OVA (%)").fill("80")
    page.get_by_label("Gewicht PPC (%)").fill("20")
    page.get_by_label(re.compile(r"^Eerste contractjaar")).fill("2027")
    page.get_by_label("SROI-drempel (omzet excl. btw)").fill("300.000,00")
    page.get_by_label("SROI-verplichting (% van die omzet)").fill("3")
    page.get_by_label("Peiljaar van de omzet").fill("2026")
    page.get_by_label("Wie kiest de jeugdhulpaanbieder?").fill(WHO_CHOOSES)
    page.get_by_label("Hoe wordt een jeugdhulpaanbieder gevraagd?").fill(REQUEST)
    page.get_by_label("Wat gebeurt er als de jeugdhulpaanbieder geen plek heeft?").fill(NO_CAPACITY)
    page.get_by_label("Zelfstandig verwerkingsverantwoordelijke").check()
    page.get_by_label("Aanvullende privacyafspraken van de regio (optioneel)").fill(PRIVACY_TEXT)
    page.get_by_role("button", name="Opslaan").click()
    expect(_status(page)).to_contain_text("De voorwaarden zijn opgeslagen.")

    # The region's own KPI (seed 002: the number of gezinshuizen, target 20).
    page.get_by_role("link", name=re.compile("^KPI's vaststellen")).click()
    page.get_by_label("Code", exact=True).fill("GEZINSHUIZEN")
    page.get_by_label("Naam", exact=True).fill("Aantal gezinshuizen")
    page.get_by_label("Eenheid", exact=True).fill("gezinshuizen")
    page.get_by_label("Beter is").select_option(label="hoger")
    page.get_by_label("Norm", exact=True).fill("20")
    page.get_by_label("Signaleringsgrens").fill("15")
    page.get_by_label("Rapportageperiode").select_option(label="jaar")
    page.get_by_label(re.compile("^Regiospecifieke KPI")).check()
    page.get_by_label(re.compile("^De norm geldt voor de regio")).check()
    page.get_by_role("button", name="Opslaan").click()
    expect(_status(page)).to_contain_text("De KPI is opgeslagen.")
    expect(page.get_by_role("cell", name="Aantal gezinshuizen")).to_be_visible()


def _base_tariffs(page: Page, base: str) -> None:
    page.goto(f"{base}/beheer/das/{SLUG}/instellingen")
    page.get_by_role("link", name="Tarieven", exact=True).click()
    page.get_by_label("Basisjaar").fill("2026")
    page.get_by_label("Begeleiding individueel").fill("84,50")
    page.get_by_role("button", name="Verder naar bevestigen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("bevestig de publicatie")
    expect(page.get_by_role("cell", name="€ 84,50")).to_be_visible()
    page.get_by_role("button", name="Ja, publiceer en mail de aanbieders").click()
    expect(_status(page)).to_contain_text("De basistarieven voor 2026 zijn gepubliceerd.")


def _invite_the_reviewer(page: Page, new_page: Callable[[], Page], base: str, mailbox) -> Page:
    """Invites a reviewer, who accepts in a browser of her own and sets up her second step;
    returns her page, logged in."""
    page.goto(f"{base}/beheer/das/{SLUG}/instellingen")
    page.get_by_role("link", name="Medewerkers").click()
    page.get_by_label("E-mailadres").fill(REVIEWER_EMAIL)
    page.get_by_label("Beoordelaar: beoordeelt aanmeldingen").check()
    page.get_by_role("button", name="Uitnodigen").click()
    expect(_status(page)).to_contain_text(REVIEWER_EMAIL)

    ria_page = new_page()
    ria_page.goto(mailbox.link_in(mailbox.last_to(REVIEWER_EMAIL)))
    ria_page.get_by_label("Uw naam").fill("Ria Jansen")
    ria_page.get_by_label("Nieuw wachtwoord", exact=True).fill(REVIEWER_PASSWORD)
    ria_page.get_by_label("Herhaal het nieuwe wachtwoord").fill(REVIEWER_PASSWORD)
    ria_page.get_by_role("button", name="Account aanmaken").click()
    ria_page.get_by_label("E-mailadres").fill(REVIEWER_EMAIL)
    ria_page.get_by_label("Wachtwoord").fill(REVIEWER_PASSWORD)
    ria_page.get_by_role("button", name="Inloggen").click()
    expect(ria_page.get_by_role("heading", level=1)).to_contain_text("twee stappen")
    # The secret her authenticator app would read from the QR code.
    ria = db.session.scalar(db.select(User).where(User.email == REVIEWER_EMAIL))
    assert ria is not None
    db.session.refresh(ria)
    ria_page.get_by_role("textbox", name="Code").fill(pyotp.TOTP(ria.totp_pending_secret).now())
    ria_page.get_by_role("button", name="Verificatie aanzetten").click()
    ria_page.get_by_role("link", name="Ik heb de codes bewaard, verder").click()
    return ria_page


def _contact_point(page: Page, base: str) -> None:
    page.goto(f"{base}/beheer/das/{SLUG}/instellingen")
    page.get_by_role("link", name="Contactpunt voor aanbieders", exact=True).click()
    page.get_by_label("Naam of afdeling").fill("Inkoopteam Jeugd Noord-Limburg")
    page.get_by_label("E-mailadres").fill("inkoop@noord-limburg.nl")
    page.get_by_role("button", name="Opslaan").click()
    expect(_status(page)).to_contain_text("Het contactpunt is opgeslagen.")


def _apply(page: Page, base: str, provider: User) -> None:
    log_in(page, base, provider.email)
    panel = page.locator("section.next-step")
    expect(panel).to_contain_text(f"{NAME} staat open")
    panel.get_by_role("button", name="Aanmelding starten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    page.get_by_role("link", name="Percelen en producten").click()
    page.get_by_label(re.compile("Begeleiding individueel")).check()
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitsluitingsgronden")
    page.get_by_label(
        "Geen van deze uitsluitingsgronden is op onze organisatie van toepassing"
    ).check()
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschiktheidseisen")
    section = page.locator("#criterium-G1")
    section.get_by_label("Ja", exact=True).check()
    section.get_by_label("Bestand").set_input_files(
        files=[
            FilePayload(
                name="hkz-certificaat.pdf",
                mimeType="application/pdf",
                buffer=factories.PDF_BYTES + b"% hkz\n",
            )
        ]
    )
    section.get_by_label("Datum van afgifte").fill((date.today() - timedelta(days=30)).isoformat())
    valid_until = section.get_by_label(re.compile("^Geldig tot"))
    if valid_until.count():
        valid_until.fill((date.today() + timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controleren en indienen")
    expect(page.get_by_text(re.compile(r"^hkz-certificaat\.pdf:"))).to_be_visible()
    page.get_by_label(re.compile("Ik verklaar dat de antwoorden")).check()
    page.get_by_role("button", name="Aanmelding indienen").click()
    expect(_status(page)).to_contain_text("Uw aanmelding is ingediend.")


def _admit(ria_page: Page, base: str, application: Application) -> None:
    ria_page.goto(f"{base}/beoordeling/")
    ria_page.get_by_role("link", name=application.reference).click()
    ria_page.get_by_label("Nee, ik heb geen belangenconflict").check()
    ria_page.get_by_role("button", name="Verklaring vastleggen").click()
    for verdict in ria_page.locator("fieldset.review-verdict").all():
        verdict.get_by_label("Voldoet", exact=True).check()
    ria_page.get_by_role("button", name="Beoordeling opslaan").click()
    expect(_status(ria_page)).to_contain_text("is opgeslagen")
    expect(ria_page.get_by_text("Alle eisen zijn beoordeeld.")).to_be_visible()
    (lot,) = application.lots
    ria_page.locator(f"#lot{lot.lot_id}_outcome-0").check()
    ria_page.get_by_label("Uw wachtwoord").fill(REVIEWER_PASSWORD)
    ria_page.get_by_role("button", name="Besluit vastleggen").click()
    # Four eyes is off: one reviewer's decision is final.
    expect(_status(ria_page)).to_contain_text(
        "Het besluit is vastgelegd en aan de aanbieder verstuurd."
    )


@pytest.mark.real_pdf
def test_a_region_goes_live_from_nothing(
    app: Flask, live_server: str, new_page: Callable[[], Page], mailbox: SmtpSink
) -> None:
    # The statutory holidays (the review clock counts working days): the portal's calendar,
    # not a setting of the DAS.
    calendar.ensure_statutory_holidays(range(2026, 2031))
    db.session.commit()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    page = new_page()
    log_in(page, live_server, admin.email)

    # 1. A concept DAS with its municipalities; publishing is refused with the checklist.
    _create_the_das(page, live_server)
    _publishing_is_refused(page)

    # 2. Every part, on its own page.
    _lots_and_products(page, live_server)
    _criteria(page, live_server)
    _terms_and_kpi(page, live_server)
    _base_tariffs(page, live_server)
    ria_page = _invite_the_reviewer(page, new_page, live_server, mailbox)
    _contact_point(page, live_server)

    # 3. Now complete: published, and on the public page.
    page.goto(f"{live_server}/beheer/das/{SLUG}/instellingen")
    expect(page.locator(".missing")).to_have_count(0)
    expect(page.get_by_text("Alle onderdelen zijn compleet.")).to_be_visible()
    page.get_by_label("Ik heb de aankondiging gecontroleerd").check()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Het aankoopsysteem is gepubliceerd.")).to_be_visible()
    das = db.session.scalar(db.select(Das).where(Das.slug == SLUG))
    assert das is not None and das.state is DasState.OPEN
    page.get_by_role("link", name="Bekijk de aankondiging").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(page.locator("main")).to_contain_text(WHO_CHOOSES)

    # 4. A provider applies for the lot with its evidence; the invited reviewer admits it.
    provider = factories.ProviderUserFactory(organisation__legal_name="Praktijk De Maas")
    provider_page = new_page()
    _apply(provider_page, live_server, provider)
    application = db.session.scalar(
        db.select(Application).where(Application.organisation_id == provider.organisation_id)
    )
    assert application is not None and application.state is ApplicationState.SUBMITTED
    _admit(ria_page, live_server, application)
    db.session.expire_all()
    assert application.state is ApplicationState.DECIDED
    agreement = db.session.scalar(
        db.select(FrameworkAgreement).where(
            FrameworkAgreement.organisation_id == provider.organisation_id
        )
    )
    assert agreement is not None and agreement.das_id == das.id

    # 5. The provider signs and downloads the agreement: it states the configured terms.
    provider_page.goto(f"{live_server}/aanbieder/")
    provider_page.get_by_role("link", name=agreement.reference).click()
    provider_page.get_by_label("Ik onderteken deze raamovereenkomst").check()
    provider_page.get_by_label("Uw wachtwoord").fill(factories.PASSWORD)
    provider_page.get_by_role("button", name="Ondertekenen").click()
    expect(_status(provider_page)).to_contain_text("U heeft de raamovereenkomst ondertekend")
    with provider_page.expect_download() as download:
        provider_page.get_by_role(
            "link", name=re.compile(r"vereenkomst downloaden \(PDF\)")
        ).click()
    with open(download.value.path(), "rb") as handle:
        content = handle.read()
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split()
    )
    assert "80% OVA" in text and "20% PPC" in text, text
    assert "eerste contractjaar is 2027" in text
    assert "GEZINSHUIZEN" in text and "Aantal gezinshuizen" in text
    assert "in 2026 hoger dan € 300.000,00" in text and "3% van die omzet" in text
    for allocation in (WHO_CHOOSES, REQUEST, NO_CAPACITY):
        assert allocation in text
    assert "zelfstandig verwerkingsverantwoordelijke" in text.lower()
    assert "artikel 4, onder 7, AVG" in text and PRIVACY_TEXT in text
