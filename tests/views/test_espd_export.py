"""The ESPD downloads (issue 22): a published DAS's ESPD request for anyone, a submitted
application's ESPD response for its provider and for the reviewers who may open it; who is
refused, the headers, and the links to them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.infra import espd_xml
from portal.models import DasState, Role
from portal.services import calendar, review
from tests import factories
from tests.support.app import login

DAY = date(2027, 3, 1)
XML = "application/xml; charset=utf-8"


@pytest.fixture()
def das(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    return factories.DasFactory(reference="JZ-7")


@pytest.fixture()
def submitted(das):
    provider = factories.ProviderUserFactory()
    return factories.submitted_application(das, provider, DAY)


def assert_xml_download(response, filename: str, kind: Literal["request", "response"]) -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == XML
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert espd_xml.schema_errors(response.data, kind) == []


# --- the request ------------------------------------------------------------------------------


def test_anyone_downloads_a_published_das_request(das, client: FlaskClient) -> None:
    response = client.get(f"/das/{das.slug}/espd-verzoek.xml")
    assert_xml_download(response, "espd-verzoek-JZ-7.xml", "request")
    assert b"<cbc:ContractFolderID" in response.data and b">JZ-7<" in response.data
    # Public and the same for everyone: cacheable like the other public downloads.
    assert response.headers.get("Cache-Control") != "no-store"
    assert "ESPD-verzoek (XML)" in client.get(f"/das/{das.slug}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("state", "status"), [(DasState.CLOSED, 200), (DasState.ENDED, 200), (DasState.DRAFT, 404)]
)
def test_only_an_announced_das_has_a_request(app: Flask, client, state, status) -> None:
    das = factories.DasFactory(state=state)
    assert client.get(f"/das/{das.slug}/espd-verzoek.xml").status_code == status
    assert client.get(f"/das/{das.slug}").status_code == status  # as the announcement


def test_a_signed_in_visitor_gets_it_uncached(das, client) -> None:
    login(client, factories.ProviderUserFactory())
    response = client.get(f"/das/{das.slug}/espd-verzoek.xml")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


# --- the provider's response ------------------------------------------------------------------


def test_the_provider_downloads_its_submitted_application(submitted, client) -> None:
    provider = submitted.created_by
    login(client, provider)
    url = f"/aanbieder/aanmeldingen/{submitted.id}/espd.xml"
    response = client.get(url)
    assert_xml_download(response, f"espd-{submitted.reference}.xml", "response")
    assert response.headers["Cache-Control"] == "no-store"
    assert provider.organisation.legal_name.encode() in response.data
    page = client.get(f"/aanbieder/aanmeldingen/{submitted.id}").get_data(as_text=True)
    assert url in page
    # A colleague in the same organisation may too.
    colleague = factories.ProviderUserFactory(organisation=provider.organisation, contributor=True)
    login(client, colleague)
    assert client.get(url).status_code == 200


def test_a_draft_has_no_download_and_no_link(das, client) -> None:
    provider = factories.ProviderUserFactory()
    draft = factories.complete_draft(das, provider, DAY)
    login(client, provider)
    assert client.get(f"/aanbieder/aanmeldingen/{draft.id}/espd.xml").status_code == 404
    page = client.get(f"/aanbieder/aanmeldingen/{draft.id}").get_data(as_text=True)
    assert "espd.xml" not in page


def test_another_organisation_does_not_find_it(submitted, client) -> None:
    login(client, factories.ProviderUserFactory())
    assert client.get(f"/aanbieder/aanmeldingen/{submitted.id}/espd.xml").status_code == 404


def test_staff_use_the_review_address(submitted, client) -> None:
    reviewer = factories.UserFactory()
    factories.assign(reviewer, submitted.das)
    login(client, reviewer)
    assert client.get(f"/aanbieder/aanmeldingen/{submitted.id}/espd.xml").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(submitted, client) -> None:
    for url in (
        f"/aanbieder/aanmeldingen/{submitted.id}/espd.xml",
        f"/beoordeling/aanmeldingen/{submitted.id}/espd.xml",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/inloggen")


# --- the reviewer's response ------------------------------------------------------------------


def test_a_reviewer_of_the_das_downloads_it(submitted, client) -> None:
    reviewer = factories.UserFactory()
    factories.assign(reviewer, submitted.das)
    login(client, reviewer)
    url = f"/beoordeling/aanmeldingen/{submitted.id}/espd.xml"
    response = client.get(url)
    assert_xml_download(response, f"espd-{submitted.reference}.xml", "response")
    assert response.headers["Cache-Control"] == "no-store"
    assert url in client.get(f"/beoordeling/aanmeldingen/{submitted.id}").get_data(as_text=True)


def test_an_administrator_downloads_it(submitted, client) -> None:
    login(client, factories.UserFactory(role=Role.ADMINISTRATOR))
    response = client.get(f"/beoordeling/aanmeldingen/{submitted.id}/espd.xml")
    assert response.status_code == 200


def test_a_reviewer_of_another_das_does_not_find_it(submitted, client) -> None:
    reviewer = factories.UserFactory()
    factories.assign(reviewer, factories.DasFactory())
    login(client, reviewer)
    assert client.get(f"/beoordeling/aanmeldingen/{submitted.id}/espd.xml").status_code == 404


def test_a_conflict_of_interest_refuses_it(submitted, client) -> None:
    reviewer = factories.UserFactory()
    factories.assign(reviewer, submitted.das)
    review.declare_conflict(
        submitted, reviewer, True, "Mijn zus werkt daar", datetime(2027, 3, 2, 9, tzinfo=UTC)
    )
    login(client, reviewer)
    response = client.get(f"/beoordeling/aanmeldingen/{submitted.id}/espd.xml")
    assert response.status_code == 403
    assert b"QualificationApplicationResponse" not in response.data
    page = client.get(f"/beoordeling/aanmeldingen/{submitted.id}").get_data(as_text=True)
    assert "espd.xml" not in page


def test_staff_never_see_a_draft(das, client) -> None:
    draft = factories.complete_draft(das, factories.ProviderUserFactory(), DAY)
    reviewer = factories.UserFactory()
    factories.assign(reviewer, das)
    login(client, reviewer)
    assert client.get(f"/beoordeling/aanmeldingen/{draft.id}/espd.xml").status_code == 404
