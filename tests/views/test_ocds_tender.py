"""The OCDS tender carries the announcement (issue 19): lots and their products as items, the
criteria with the evidence asked, the term with its options, the initial round as milestones,
change notices as amendments, the model agreement as a document, and the terms OCDS has no field
for in the description; the package still validates against OCDS 1.1 with its extensions."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import DasChange, DasState, PrivacyRole
from tests import factories
from tests.views.test_contracts import package_validator


def tender_of(client: FlaskClient, slug: str) -> dict:
    package = client.get(f"/das/{slug}/ocds.json").get_json()
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    return package["releases"][0]["tender"]


def test_the_tender_carries_the_announcement(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(
        ova_weight=Decimal("0.8"),
        ppc_weight=Decimal("0.2"),
        extra_cpv_codes="85311300-5",
        first_round_closes_on=date(2025, 3, 31),
        joint_decision_on=date(2025, 7, 1),
        allocation_who_chooses="De jeugdconsulent kiest.",
        privacy_role=PrivacyRole.PROCESSOR,
        sroi_percent=Decimal(3),
    )
    db.session.add(
        DasChange(
            das_id=das.id,
            version=2,
            published_at=datetime(2026, 5, 4, 9, tzinfo=UTC),
            summary="Looptijd verduidelijkt.",
            changes={"Omschrijving": ["oud", "nieuw"]},
        )
    )
    db.session.commit()
    tender = tender_of(client, das.slug)

    items = {item["id"]: item for item in tender["items"]}
    assert items["1"]["additionalClassifications"] == [{"scheme": "CPV", "id": "85311300"}]
    product = das.lots[1].products[0]
    assert items[f"2-{product.code}"]["relatedLot"] == "2"
    assert "Kwaliteitsborging" in tender["eligibilityCriteria"]
    assert "Kwaliteitscertificaat" in tender["eligibilityCriteria"]
    assert tender["contractPeriod"] == {
        "startDate": "2026-01-01T00:00:00Z",
        "endDate": "2029-12-31T00:00:00Z",
        "maxExtentDate": "2035-12-31T00:00:00Z",  # twice three years
    }
    assert [m["dueDate"] for m in tender["milestones"]] == [
        "2025-03-31T00:00:00Z",
        "2025-07-01T00:00:00Z",
    ]
    assert [a["id"] for a in tender["amendments"]] == [f"{das.reference}-v2"]
    assert "Omschrijving: oud -> nieuw" in tender["amendments"][0]["description"]
    documents = {d["documentType"]: d for d in tender["documents"]}
    assert documents["contractDraft"]["url"].endswith(f"/das/{das.slug}/modelovereenkomst.pdf")
    assert documents["tenderNotice"]["url"].endswith(f"/das/{das.slug}")
    description = tender["description"]
    assert "80% OVA" in description and "20% PPC" in description
    assert "3% van die omzet" in description
    assert "De jeugdconsulent kiest." in description
    assert "Verwerker" in description
    assert "gezamenlijk besluit op 01-07-2025" in description
    assert "<" not in description  # plain text, not the macros' HTML


def test_an_ended_das_is_a_complete_tender(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory(state=DasState.ENDED, extension_options_total=0)
    tender = tender_of(client, das.slug)
    assert tender["status"] == "complete"
    assert "milestones" not in tender and "amendments" not in tender
    assert tender["contractPeriod"]["maxExtentDate"] == tender["contractPeriod"]["endDate"]
