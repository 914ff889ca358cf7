"""An administrator creates a DAS from nothing on the pages (issue 19): basics, then the
municipalities from the CBS list; publishing is refused with the checklist; once the parts
other pages own are there, it is published. Axe audits every page the test leaves."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from portal.extensions import db
from portal.models import (
    Criterion,
    CriterionKind,
    Das,
    DasState,
    EvidenceType,
    IjwUnit,
    Lot,
    PrivacyRole,
    Product,
    Role,
    User,
)
from portal.services import tariffs
from tests import factories
from tests.support.browser import log_in

pytestmark = pytest.mark.only_postgresql


def _complete_the_other_parts(das: Das, admin: User) -> None:
    """What the criteria, terms, staff and catalogue pages (other parts of issue 19) add."""
    lot = Lot(das_id=das.id, code="1", name="Individuele begeleiding", position=1)
    lot.products.append(
        Product(code="45A01", name="Begeleiding", ijw_category="45", unit=IjwUnit.HOUR)
    )
    db.session.add(lot)
    db.session.add_all(
        [
            Criterion(
                das_id=das.id,
                kind=CriterionKind.EXCLUSION,
                code="U1",
                title="Fraude",
                question="Veroordeeld voor fraude?",
                passing_answer=False,
                position=1,
            ),
            Criterion(
                das_id=das.id,
                kind=CriterionKind.SUITABILITY,
                code="G1",
                title="Kwaliteit",
                question="Kwaliteitssysteem?",
                passing_answer=True,
                evidence_type=EvidenceType.QUALITY_CERTIFICATE,
                evidence_required=True,
                position=2,
            ),
        ]
    )
    das.allocation_who_chooses = "De toegang."
    das.allocation_request = "Per e-mail."
    das.allocation_no_capacity = "De volgende aanbieder."
    das.privacy_role = PrivacyRole.PROCESSOR
    das.first_index_year = 2026
    db.session.commit()
    factories.assign(factories.UserFactory(role=Role.REVIEWER), das)
    db.session.refresh(das)
    tariffs.publish_base(
        admin,
        das,
        2026,
        {p.id: 10_000 for lot in das.lots for p in lot.products},
        factories.at(date(2025, 12, 1)),
    )


def test_an_administrator_sets_up_and_publishes_a_das(
    app: Flask, live_server: str, page: Page
) -> None:
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    log_in(page, live_server, admin.email)

    page.goto(f"{live_server}/beheer/das-overzicht")
    page.get_by_role("link", name="Nieuw aankoopsysteem").click()
    page.get_by_label("Naam", exact=True).fill("Jeugdhulp Noord-Limburg")
    page.get_by_label("Korte naam voor het webadres").fill("jeugdhulp-noord-limburg")
    page.get_by_label("Kenmerk").fill("NL-JH")
    page.get_by_label("Korte omschrijving").fill("Jeugdhulp voor Noord-Limburg.")
    page.get_by_label("Wat wordt ingekocht").fill("Ambulante jeugdhulp.")
    page.get_by_label("Begin van de looptijd").fill("2026-01-01")
    # Inverted dates: refused, and what was typed stays.
    page.get_by_label("Einde van de looptijd (zonder verlengingen)").fill("2025-12-31")
    page.get_by_label("Contactpunt: naam of afdeling").fill("Inkoop Noord-Limburg")
    page.get_by_role("button", name="Aanmaken").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "De einddatum moet na de begindatum van de looptijd liggen."
    )
    expect(page.get_by_label("Naam", exact=True)).to_have_value("Jeugdhulp Noord-Limburg")
    page.get_by_label("Einde van de looptijd (zonder verlengingen)").fill("2029-12-31")
    page.get_by_role("button", name="Aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jeugdhulp Noord-Limburg")

    # The municipalities, from the CBS list; an unknown one is named by its line.
    page.get_by_role("link", name="De deelnemende gemeenten").click()
    page.get_by_label("Gemeenten").fill(
        "Venlo; Noord-Limburg\nVenray; Noord-Limburg\nNergenshuizen"
    )
    page.get_by_label("Penvoerende gemeente").fill("Venlo")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Regel 3: 'Nergenshuizen'")
    page.get_by_label("Gemeenten").fill("Venlo; Noord-Limburg\nGM0984; Noord-Limburg")
    page.get_by_role("button", name="Opslaan").click()

    # Publishing is refused with the checklist of what is missing.
    checklist = page.locator(".missing")
    expect(checklist).to_contain_text("Ten minste één perceel met een product")
    expect(checklist).to_contain_text("Ten minste één beoordelaar")
    expect(checklist).not_to_contain_text("De deelnemende gemeenten")
    page.get_by_label("Ik heb de aankondiging gecontroleerd").check()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_role("alert").first).to_contain_text("er ontbreekt nog iets")

    das = db.session.scalar(db.select(Das).where(Das.slug == "jeugdhulp-noord-limburg"))
    assert das is not None and das.state is DasState.DRAFT
    _complete_the_other_parts(das, admin)
    page.reload()
    expect(page.get_by_text("Alle onderdelen zijn compleet.")).to_be_visible()
    page.get_by_label("Ik heb de aankondiging gecontroleerd").check()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Het aankoopsysteem is gepubliceerd.")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Das, das.id).state is DasState.OPEN
    page.get_by_role("link", name="Bekijk de aankondiging").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jeugdhulp Noord-Limburg")
