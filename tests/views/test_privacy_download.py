"""The provider's download of all its data (portal.supplier.privacy_views)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import (
    AuditEvent,
    EvidenceType,
    KpiDefinition,
    KpiValue,
    LotOutcome,
    ReportingPeriod,
    Role,
    SroiReport,
)
from portal.services import agreements, applications, evidence, review
from tests import factories
from tests.support.app import login

URL = "/aanbieder/organisatie/gegevens-downloaden"
KEYS = {
    "format",
    "organisation",
    "users",
    "invitations",
    "applications",
    "declaration_requests",
    "evidence",
    "agreements",
    "kpi_values",
    "sroi_reports",
    "questions",  # about a DAS's announcement (issue 20)
    "messages",  # and complaints, on its applications and agreements (issue 20)
    "espd_imports",  # ESPD responses read into its drafts (issue 22)
    "api_tokens",  # its API tokens, without their secrets (issue 23)
    "audit_events",
}


def store(user, content: bytes, name: str):
    return factories.upload_pdf(
        user, EvidenceType.OTHER, date(2027, 3, 1), content=content, filename=name
    )


@pytest.fixture()
def world(app: Flask):
    das = factories.DasFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    owner = factories.ProviderUserFactory(name="Anna Eigenaar")
    colleague = factories.ProviderUserFactory(organisation=owner.organisation, contributor=True)
    other = factories.ProviderUserFactory(name="Bert Ander")

    application = factories.complete_draft(das, owner, date(2027, 3, 1))
    applications.submit(application, owner, datetime(2027, 3, 1, 9, tzinfo=UTC))
    factories.decide(
        application,
        {al.lot_id: review.LotDecision(LotOutcome.ADMITTED, "") for al in application.lots},
        reviewer,
        datetime(2027, 3, 2, 9, tzinfo=UTC),
    )
    # Two documents with the same name, and one with characters a file system refuses.
    store(owner, factories.PDF_BYTES + b"% een\n", "verklaring.pdf")
    store(owner, factories.PDF_BYTES + b"% twee\n", "verklaring.pdf")
    store(owner, factories.PDF_BYTES + b"% drie\n", 'ra:re*naam?"<>.pdf')
    agreement = agreements.agreement_of(das.id, owner.organisation_id)
    definition = KpiDefinition(
        das_id=das.id,
        code="OMZET",
        name="Omzet",
        unit="euro",
        higher_is_better=True,
        target=Decimal(1),
        threshold=Decimal(0),
        period=ReportingPeriod.YEAR,
    )
    db.session.add(definition)
    db.session.flush()
    db.session.add_all(
        [
            KpiValue(
                agreement_id=agreement.id,
                definition_id=definition.id,
                period_start=date(2026, 1, 1),
                value=Decimal("1234.50"),
                reported_by_id=owner.id,
            ),
            SroiReport(
                agreement_id=agreement.id,
                year=2026,
                activity="Stageplaatsen",
                amount_cents=500_000,
                reported_by_id=owner.id,
            ),
        ]
    )
    db.session.commit()

    other_application = factories.complete_draft(das, other, date(2027, 3, 1))
    store(other, factories.PDF_BYTES + b"% van bert\n", "bert.pdf")
    return {
        "owner": owner,
        "colleague": colleague,
        "other": other,
        "application": application,
        "other_application": other_application,
    }


def download(client: FlaskClient) -> tuple[dict, zipfile.ZipFile]:
    response = client.get(URL)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".zip" in disposition
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    return json.loads(archive.read("data.json")), archive


def test_the_administrator_downloads_everything(world, client: FlaskClient) -> None:
    owner = world["owner"]
    login(client, owner)
    data, archive = download(client)

    assert set(data) == KEYS
    assert data["organisation"]["kvk_number"] == owner.organisation.kvk_number
    assert {u["email"] for u in data["users"]} == {owner.email, world["colleague"].email}
    assert all("password_hash" not in u for u in data["users"])
    everything = archive.read("data.json").decode()
    assert owner.password_hash not in everything
    assert world["colleague"].password_hash.split("$")[-1] not in everything
    [application] = data["applications"]
    assert application["id"] == world["application"].id
    assert {lot["outcome"] for lot in application["lots"]} == {"admitted"}
    assert {a["kind"] for a in application["answers"]} == {"exclusion", "suitability"}
    assert application["submitted_snapshot"]["answers"]
    [agreement] = data["agreements"]
    assert agreement["lots"] and agreement["state"] == "awaiting_signature"
    assert [v["value"] for v in data["kpi_values"]] == ["1234.50"]
    assert [s["activity"] for s in data["sroi_reports"]] == ["Stageplaatsen"]
    actions = {e["action"] for e in data["audit_events"]}
    assert {"application.submitted", "evidence.uploaded", "application.decided"} <= actions
    assert "conflict.declared" not in actions
    # The reviewers appear without their names.
    assert all(
        e["actor"] in (None, {"staff": True}) or e["actor"]["user_id"] == owner.id
        for e in data["audit_events"]
    )

    # Every document's bytes, under a safe and unique name.
    names = [d["file_in_archive"] for d in data["evidence"]]
    assert len(names) == len(set(names)) == 5  # two from the application, three uploads
    assert "evidence/verklaring.pdf" in names and "evidence/verklaring (2).pdf" in names
    assert "evidence/ra_re_naam_.pdf" in names
    for document in data["evidence"]:
        with open(evidence.path_for(document["sha256"]), "rb") as stored:
            assert archive.read(document["file_in_archive"]) == stored.read()
    assert sorted(archive.namelist()) == sorted(["README.txt", "data.json", *names])
    readme = archive.read("README.txt").decode("utf-8")
    assert "strafrechtelijke veroordelingen" in readme and owner.organisation.legal_name in readme

    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "organisation.data_exported")
    )
    assert event.actor_id == owner.id and event.organisation_id == owner.organisation_id
    assert event.details == {"documents": 5}


def test_another_organisation_sees_only_its_own(world, client: FlaskClient) -> None:
    owner, other = world["owner"], world["other"]
    login(client, other)
    data, archive = download(client)
    raw = archive.read("data.json").decode("utf-8")
    assert data["organisation"]["id"] == other.organisation_id
    assert [u["email"] for u in data["users"]] == [other.email]
    assert [a["id"] for a in data["applications"]] == [world["other_application"].id]
    assert data["agreements"] == [] and data["kpi_values"] == [] and data["sroi_reports"] == []
    for secret in (owner.organisation.kvk_number, owner.organisation.legal_name, owner.email):
        assert secret not in raw
    own_shas = {d.sha256 for d in evidence.documents_of(owner.organisation_id)} - {
        d.sha256 for d in evidence.documents_of(other.organisation_id)
    }
    assert own_shas and not any(sha in raw for sha in own_shas)
    assert all(
        e["object_type"] != "application" or e["object_id"] == world["other_application"].id
        for e in data["audit_events"]
    )
    assert "evidence/bert.pdf" in archive.namelist()
    assert not any(name.startswith("evidence/verklaring") for name in archive.namelist())


def test_a_colleague_without_the_admin_role_is_refused(world, client: FlaskClient) -> None:
    login(client, world["colleague"])
    assert client.get(URL).status_code == 403
    assert "gegevens-downloaden" not in client.get("/aanbieder/organisatie").get_data(as_text=True)
    assert not db.session.scalar(
        db.select(AuditEvent.id).where(AuditEvent.action == "organisation.data_exported")
    )


def test_the_administrator_finds_the_button(world, client: FlaskClient) -> None:
    login(client, world["owner"])
    page = client.get("/aanbieder/organisatie").get_data(as_text=True)
    assert URL in page


def test_anonymous_is_sent_to_log_in(world, client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response.location.startswith("/inloggen")


def test_staff_are_refused(world, client: FlaskClient) -> None:
    login(client, factories.UserFactory(role=Role.ADMINISTRATOR))
    assert client.get(URL).status_code == 403
