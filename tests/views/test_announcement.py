"""The announcement a provider reads before applying (issue 19): every setting of the DAS on its
public page, the pending-tariffs notice, the initial round, the change notices and the model
agreement as a PDF."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from portal.extensions import db
from portal.models import (
    AuthorityKind,
    ContractingAuthority,
    DasChange,
    DasState,
    EvidenceType,
    KpiDefinition,
    PrivacyRole,
    ReportingPeriod,
    Role,
)
from portal.public import views
from portal.services import documents, tariffs
from tests import factories

TODAY = datetime(2026, 11, 22, 10, tzinfo=UTC)


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The public pages' clock, set to a moment the test chooses (22 November 2026 at first)."""
    moment = [TODAY]
    monkeypatch.setattr(views, "now", lambda: moment[0])
    return moment


@pytest.fixture()
def das(app: Flask):
    subregion = ContractingAuthority(name="Testregio Oost", kind=AuthorityKind.SUBREGION)
    lead = ContractingAuthority(
        name="Roermond", kind=AuthorityKind.MUNICIPALITY, cbs_code="GM0957", parent=subregion
    )
    other = ContractingAuthority(
        name="Echt-Susteren", kind=AuthorityKind.MUNICIPALITY, cbs_code="GM1711", parent=subregion
    )
    das = factories.DasFactory(
        ova_weight=Decimal("0.85"),
        ppc_weight=Decimal("0.15"),
        first_index_year=2026,
        sroi_threshold_cents=300_000_00,
        sroi_percent=Decimal("4.5"),
        sroi_reference_year=2025,
        allocation_who_chooses="De jeugdconsulent kiest samen met het gezin.",
        allocation_request="De gemeente vraagt de aanbieder via een iJw-bericht.",
        allocation_no_capacity="Zonder plek binnen 5 werkdagen vraagt de gemeente een ander.",
        privacy_role=PrivacyRole.INDEPENDENT_CONTROLLER,
        privacy_text="Ieder is zelf verantwoordelijk voor de eigen verwerking.",
        extra_cpv_codes="85311300-5",
        first_round_closes_on=date(2025, 3, 31),
        joint_decision_on=date(2025, 7, 1),
        contact_name="Inkoopteam Jeugd",
        contact_email="inkoop@example.nl",
    )
    das.authorities = [lead, other]
    das.lead_authority = lead
    criterion = next(c for c in das.criteria if c.code == "G1")
    criterion.extra_evidence_types = [EvidenceType.OTHER.value]
    criterion.max_evidence_age_months = 12
    db.session.add(
        KpiDefinition(
            das_id=das.id,
            code="GEZINSHUIS",
            name="Aantal gezinshuizen",
            unit="gezinshuizen",
            higher_is_better=True,
            target=Decimal(20),
            threshold=Decimal(15),
            period=ReportingPeriod.YEAR,
        )
    )
    db.session.add(
        DasChange(
            das_id=das.id,
            version=2,
            published_at=datetime(2026, 5, 4, 9, tzinfo=UTC),
            summary="De SROI-drempel is verhoogd.",
            changes={"SROI-drempel": ["250000", "300000"]},
        )
    )
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    db.session.commit()
    amounts = {p.id: 7_000 + p.id for lot in das.lots for p in lot.products}
    tariffs.publish_base(admin, das, 2025, amounts, datetime(2024, 12, 1, 9, tzinfo=UTC))
    return das


def page_of(client: FlaskClient, das) -> str:
    response = client.get(f"/das/{das.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_announcement_shows_every_setting(client: FlaskClient, das, clock) -> None:
    html = page_of(client, das)
    text = text_of(html)
    # Authorities by subregion, the lead named, with their CBS codes.
    assert "Testregio Oost" in text
    assert "Penvoerder: gemeente Roermond" in text
    assert "CBS-code GM1711" in text
    # Term and options, with the common end date.
    assert "01-01-2026 tot en met 31-12-2029" in text
    assert "2 maal 3 jaar; nog 2 beschikbaar" in text
    assert "85000000-9, 85311300-5" in text
    # Criteria with the evidence that counts, its age and whether it is required.
    assert "Kwaliteitscertificaat (niet ouder dan 12 maanden)" in text
    assert "Overig document (niet ouder dan 12 maanden)" in text
    assert "ja, bij de aanmelding" in text
    # The indexation rule with the configured weights, never a hard-coded 90/10.
    assert "85% OVA" in text and "15% PPC" in text
    assert "90% OVA" not in text and "10% PPC" not in text
    # KPIs with targets, the SROI rule, client allocation and privacy.
    assert "Aantal gezinshuizen" in text and "20 gezinshuizen" in text
    assert "in 2025 hoger dan € 300.000,00 (excl. btw), dan besteedt hij 4,5% van die omzet" in text
    assert "De jeugdconsulent kiest samen met het gezin." in text
    assert "Zonder plek binnen 5 werkdagen vraagt de gemeente een ander." in text
    assert "Rol van de aanbieder: Zelfstandig verwerkingsverantwoordelijke" in text
    assert "Ieder is zelf verantwoordelijk voor de eigen verwerking." in text
    # The change notice: dated, versioned, what changed.
    assert "Versie 2, gepubliceerd op 04-05-2026" in text
    assert "De SROI-drempel is verhoogd." in text and "SROI-drempel 250000 300000" in text
    # The model agreement and a short table of contents.
    assert f'href="/das/{das.slug}/modelovereenkomst.pdf"' in html
    assert 'href="#eisen"' in html and 'id="eisen"' in html


def test_pending_tariffs_are_announced(client: FlaskClient, das, clock) -> None:
    text = text_of(page_of(client, das))
    assert (
        "De tarieven voor 2026 zijn nog niet gepubliceerd; hieronder de tarieven van 2025." in text
    )
    product = das.lots[0].products[0]
    assert f"{(7_000 + product.id) // 100},{(7_000 + product.id) % 100:02d}" in text
    # In 2025 the 2025 sheet is this year's: no notice.
    clock[0] = datetime(2025, 6, 2, 10, tzinfo=UTC)
    text = text_of(page_of(client, das))
    assert "nog niet gepubliceerd" not in text
    assert "Hieronder de tarieven van 2025." in text
    # The products page says it too.
    clock[0] = TODAY
    products = text_of(client.get(f"/das/{das.slug}/producten").get_data(as_text=True))
    assert "De tarieven voor 2026 zijn nog niet gepubliceerd" in products


def test_the_initial_round_before_and_after(client: FlaskClient, das, clock) -> None:
    clock[0] = datetime(2025, 3, 3, 10, tzinfo=UTC)
    text = text_of(page_of(client, das))
    assert "Aanmeldingen die uiterlijk 31-03-2025 binnen zijn, horen bij de eerste ronde" in text
    assert "op 01-07-2025" in text
    assert "eerste ronde is afgesloten" not in text
    clock[0] = TODAY
    text = text_of(page_of(client, das))
    assert "De eerste ronde is afgesloten; u kunt zich doorlopend aanmelden." in text


def test_a_das_without_a_round_shows_none(client: FlaskClient, app: Flask, clock) -> None:
    das = factories.DasFactory()
    text = text_of(page_of(client, das))
    assert "Eerste ronde" not in text
    assert "Nog niet beschreven." in text  # no allocation text yet


@pytest.mark.real_pdf  # reads the PDF
def test_the_model_agreement_pdf_has_the_configured_terms(
    client: FlaskClient, das, clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = client.get(f"/das/{das.slug}/modelovereenkomst.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "modelovereenkomst-" in response.headers["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "[naam van de jeugdhulpaanbieder]" in text
    assert "85% OVA" in text and "15% PPC" in text
    assert "90% OVA" not in text
    assert "Aantal gezinshuizen" in text
    assert "De jeugdconsulent kiest samen met het gezin." in text
    assert "Ieder is zelf verantwoordelijk voor de eigen verwerking." in text
    # A public download must not cost a rendering each time: the second comes from the store.
    monkeypatch.setattr(documents, "render_pdf", lambda html: pytest.fail("rendered again"))
    assert client.get(f"/das/{das.slug}/modelovereenkomst.pdf").data == response.data


def test_a_concept_das_has_no_announcement_and_no_model_agreement(
    client: FlaskClient, app: Flask, clock
) -> None:
    das = factories.DasFactory(state=DasState.DRAFT)
    assert client.get(f"/das/{das.slug}").status_code == 404
    assert client.get(f"/das/{das.slug}/modelovereenkomst.pdf").status_code == 404


def test_an_ended_das_stays_readable_but_is_not_listed(
    client: FlaskClient, app: Flask, clock
) -> None:
    das = factories.DasFactory(state=DasState.ENDED)
    assert client.get(f"/das/{das.slug}").status_code == 200
    assert client.get(f"/das/{das.slug}/ocds.json").status_code == 200
    assert das.name not in client.get("/").get_data(as_text=True)
