"""A provider admitted in one region applies to a second region's DAS for one lot: from the log-in
page to the receipt in Chromium, counting page loads and typed fields (issue 22: at most 6 and 5).
Its declaration and documents come along from the first region; it answers only what the second
region asks on its own, checks what came along, and submits."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import (
    ApplicationState,
    CriterionKind,
    CriterionOrigin,
    Das,
    ReuseSource,
)
from portal.services import applications, calendar
from tests import factories
from tests.support.browser import Journey
from tests.support.smtp import SmtpSink

# Browser tests run once, on PostgreSQL: what they check does not depend on the database.
pytestmark = pytest.mark.only_postgresql

MAX_PAGE_LOADS = 6
MAX_TYPED_FIELDS = 5


def region_das(name: str, municipality: str) -> Das:
    """A DAS of its own municipality, with the factory's lots and criteria named by ESPD codes,
    and the national Bibob ground."""
    authority = factories.AuthorityFactory(name=municipality)
    das = factories.DasFactory(name=name, lead_authority=authority, authorities=[authority])
    codes = {"G1": "qu-certif-indep", "G4": "trade-regist"}
    for criterion in das.criteria:
        criterion.espd_codes = codes.get(criterion.code, criterion.espd_codes)
    factories.add_criterion(
        das,
        "U3",
        origin=CriterionOrigin.NATIONAL,
        espd_codes="nati-ground",
        title="Weigering op grond van de Wet Bibob",
        question="Is een vergunning of opdracht geweigerd op grond van de Wet Bibob?",
        position=3,
    )
    db.session.commit()
    db.session.refresh(das)
    return das


def test_admitted_in_one_region_applies_in_another(
    app: Flask, live_server: str, page: Page, mailbox: SmtpSink
) -> None:
    today = date.today()
    calendar.ensure_statutory_holidays(range(today.year - 1, today.year + 2))
    db.session.commit()
    first = region_das("Jeugdhulp Noord-Limburg", "Gemeente Venlo")
    second = region_das("Jeugdhulp Zuid-Limburg", "Gemeente Maastricht")
    # Only the second region asks this.
    factories.add_criterion(
        second,
        "G9",
        CriterionKind.SUITABILITY,
        title="Vestiging in Zuid-Limburg",
        question="Heeft uw organisatie een vestiging in Zuid-Limburg?",
        position=9,
    )
    db.session.commit()
    provider = factories.ProviderUserFactory()
    admitted_on = today - timedelta(days=30)
    factories.admit(first, provider, admitted_on, live=True)
    earlier = applications.latest_decided(first, provider.organisation_id)
    assert earlier is not None and earlier.reference

    journey = Journey(page)
    journey.log_in(live_server, provider.email)
    page.get_by_role(
        "button", name=re.compile(rf"^(Aanmelding starten|Aanmelden of verder).*{second.name}")
    ).first.click()
    # The declaration came along: the start leads to the lots, saying what came from where.
    expect(page.get_by_role("heading", level=1)).to_have_text("Percelen en producten")
    source = f"uw aanmelding voor {first.name} ({earlier.reference}) van {admitted_on:%d-%m-%Y}"
    expect(
        page.get_by_text(
            f"3 van 3 uitsluitingsgronden en 2 van 3 geschiktheidseisen zijn overgenomen uit "
            f"{source}."
        )
    ).to_be_visible()

    page.get_by_label(re.compile("45A01 Individuele begeleiding")).check()
    page.get_by_role("button", name="Opslaan en verder").click()
    # Everything else came along complete: only the second region's own question is left.
    expect(page.get_by_role("heading", level=1)).to_have_text("Geschiktheidseisen")
    expect(page.locator("#criterium-G4")).to_contain_text(f"Overgenomen uit {source}.")
    page.locator("#criterium-G9").get_by_label("Ja", exact=True).check()
    page.get_by_role("button", name="Opslaan en verder").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Controleren en indienen")
    carried = page.locator("section.reuse")
    for code in ("U1", "U2", "U3", "G1", "G4"):
        expect(carried.get_by_role("link", name=re.compile(rf"^{code}\. "))).to_be_visible()
    expect(carried).not_to_contain_text("G9.")
    page.get_by_label(
        "Ik heb de overgenomen antwoorden en documenten gecontroleerd; ze zijn juist en actueel."
    ).check()
    page.get_by_label(re.compile("Ik verklaar dat de antwoorden")).check()
    page.get_by_role("button", name="Aanmelding indienen").click()
    expect(page.get_by_role("status").first).to_contain_text("Uw aanmelding is ingediend.")

    assert journey.page_loads <= MAX_PAGE_LOADS, journey.summary()
    assert journey.typed_fields <= MAX_TYPED_FIELDS, journey.summary()

    db.session.expire_all()
    application = applications.open_application(second, provider.organisation_id)
    assert application is not None
    assert application.state is ApplicationState.SUBMITTED
    assert [al.lot.code for al in application.lots] == ["1"]
    assert application.snapshot is not None
    sources = {a["code"]: a["reused_from"] for a in application.snapshot["answers"]}
    for code in ("U1", "U2", "U3", "G1", "G4"):
        assert sources[code]["source"] == ReuseSource.OTHER_DAS.value
        assert sources[code]["application_id"] == earlier.id
    assert sources["G9"] is None
    assert sorted(application.snapshot["carried_confirmation"]["criteria"]) == [
        "G1",
        "G4",
        "U1",
        "U2",
        "U3",
    ]
    # The documents came along with their answers.
    documents = {a["code"]: a["documents"] for a in application.snapshot["answers"]}
    assert documents["G1"] and documents["G4"]
    expect(page.get_by_text(application.reference or "", exact=True)).to_be_visible()
    assert application.reference in mailbox.body(mailbox.last_to(provider.email))
