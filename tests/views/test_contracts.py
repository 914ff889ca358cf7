"""Contract register, signing pages, official report and OCDS open data."""

from __future__ import annotations

import copy
import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft4Validator
from openpyxl import load_workbook
from pypdf import PdfReader
from referencing import Registry
from referencing.jsonschema import DRAFT4

from portal.extensions import db
from portal.models import AgreementState, Application, Role
from portal.services import agreements, calendar
from tests import factories
from tests.factories import admit, at
from tests.support.app import IsolatedClient, login

OCDS = Path(__file__).parent.parent / "data" / "ocds"


def merge_patch(target: object, patch: object) -> object:
    """RFC 7386 JSON Merge Patch, as OCDS applies its extensions."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def package_validator() -> Draft4Validator:
    release = json.loads((OCDS / "release-schema.json").read_text())
    for extension in ("techniques", "lots"):
        release = merge_patch(
            release,
            json.loads((OCDS / "extensions" / extension / "release-schema.json").read_text()),
        )
    package = json.loads((OCDS / "release-package-schema.json").read_text())
    registry = Registry().with_resource(release["id"], DRAFT4.create_resource(release))
    return Draft4Validator(package, registry=registry)


@pytest.fixture()
def contracts(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2030))
    db.session.commit()
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    live = admit(das, provider, date(2027, 3, 15))
    agreements.sign(live, provider, factories.PASSWORD, "1.1.1.1", at(date(2027, 3, 16)))
    agreements.countersign(live, admin, factories.PASSWORD, "2.2.2.2", at(date(2027, 3, 16)))
    waiting = admit(das, factories.ProviderUserFactory(), date(2027, 4, 6), lots=[das.lots[1]])
    return das, provider, admin, live, waiting


def test_ocds_release_package_validates(app: Flask, client: FlaskClient, contracts) -> None:
    das, *_ = contracts
    response = client.get(f"/das/{das.slug}/ocds.json")
    package = response.get_json()
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    release = package["releases"][0]
    assert release["tender"]["techniques"]["hasDynamicPurchasingSystem"] is True
    assert [lot["id"] for lot in release["tender"]["lots"]] == ["1", "2"]
    assert len(release["awards"]) == 2
    assert {c["status"] for c in release["contracts"]} == {"active", "pending"}
    assert release["ocid"].endswith(das.reference)


def test_an_invalid_package_is_caught_by_the_validator(
    app: Flask,
    client: FlaskClient,
    contracts,
) -> None:
    das, *_ = contracts
    package = client.get(f"/das/{das.slug}/ocds.json").get_json()
    package["releases"][0]["tender"]["techniques"]["hasDynamicPurchasingSystem"] = "ja"
    assert list(package_validator().iter_errors(package))


def test_register_filters_and_exports(app: Flask, client: FlaskClient, contracts) -> None:
    das, provider, admin, live, waiting = contracts
    login(client, admin)
    page = client.get("/contracten/?state=live").get_data(as_text=True)
    assert live.reference in page and waiting.reference not in page
    page = client.get(f"/contracten/?lot={das.lots[1].id}").get_data(as_text=True)
    assert waiting.reference in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/contracten/export.csv?state=awaiting_signature").get_data(as_text=True)
            )
        )
    )
    assert rows[0][0] == "kenmerk" and [r[0] for r in rows[1:]] == [waiting.reference]
    workbook = load_workbook(io.BytesIO(client.get("/contracten/export.xlsx").data))
    assert sorted(
        str(r[0]) for r in workbook.active.iter_rows(min_row=2, values_only=True)
    ) == sorted([live.reference, waiting.reference])


def test_sign_through_the_page_needs_the_password(
    app: Flask, client: FlaskClient, contracts
) -> None:
    das, provider, admin, live, waiting = contracts
    other = waiting.organisation.users[0]
    login(client, other)
    url = f"/aanbieder/overeenkomsten/{waiting.id}"
    page = client.post(f"{url}/ondertekenen", data={"agree": "y", "password": "fout"})
    assert "Het huidige wachtwoord klopt niet." in page.get_data(as_text=True)
    response = client.post(
        f"{url}/ondertekenen", data={"agree": "y", "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    db.session.refresh(waiting)
    assert waiting.provider_signed_at is not None and waiting.provider_signed_ip == "127.0.0.1"
    assert client.get(f"{url}/pdf").data[:5] == b"%PDF-"
    # The administrator countersigns.
    login(client, admin)
    assert (
        client.post(
            f"/contracten/{waiting.id}/medeondertekenen", data={"password": factories.PASSWORD}
        ).status_code
        == 302
    )
    db.session.refresh(waiting)
    assert waiting.state is AgreementState.LIVE


@pytest.mark.real_pdf  # reads the PDF
def test_official_report(app: Flask, client: FlaskClient, contracts) -> None:
    das, provider, admin, live, waiting = contracts
    agreements.exercise_option(admin, das, date(2027, 5, 1), at(date(2027, 5, 1)))
    login(client, admin)
    response = client.get(
        f"/contracten/das/{das.slug}/proces-verbaal?start=2027-01-01&end=2027-12-31"
    )
    assert response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "Proces-verbaal" in text
    assert live.organisation.legal_name in text and waiting.organisation.legal_name in text
    assert "Optie 1 gelicht op 01-05-2027" in text
    form = client.get(f"/contracten/das/{das.slug}/proces-verbaal?start=nee").get_data(as_text=True)
    assert "Er is een probleem" in form


def test_staff_reach_only_the_das_instances_assigned_to_them(app: Flask, contracts) -> None:
    """A reviewer or contract manager of another region sees none of this DAS's applications,
    agreements or figures: every such page is a 404, and lists leave them out."""
    das, provider, _admin, live, _waiting = contracts
    elsewhere = factories.DasFactory()
    application = db.session.scalar(
        db.select(Application).where(Application.organisation_id == provider.organisation_id)
    )
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    for user in (reviewer, manager):
        factories.assign(user, elsewhere)
    reviewer_client, manager_client = IsolatedClient(app), IsolatedClient(app)
    login(reviewer_client, reviewer)
    login(manager_client, manager)
    for path in (
        f"/beoordeling/aanmeldingen/{application.id}",
        f"/beoordeling/aanmeldingen/{application.id}/besluitbrief",
    ):
        assert reviewer_client.get(path).status_code == 404, path
    assert application.reference not in reviewer_client.get("/beoordeling/").get_data(as_text=True)
    for path in (
        f"/contracten/{live.id}",
        f"/contracten/{live.id}/pdf",
        f"/contracten/{live.id}/kpi",
        f"/contracten/das/{das.slug}/overzicht",
        f"/contracten/das/{das.slug}/opties",
    ):
        assert manager_client.get(path).status_code == 404, path
    assert live.reference not in manager_client.get("/contracten/").get_data(as_text=True)
    # Assigned, the same people see it.
    factories.assign(manager, das)
    assert manager_client.get(f"/contracten/{live.id}").status_code == 200
