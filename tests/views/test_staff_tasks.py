"""The task pages ("Mijn taken"), the count in the site header and the digest setting on the
account page (issue 20)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Role, User
from portal.services import calendar, review
from tests import factories
from tests.support.app import login


@pytest.fixture()
def das(app: Flask):
    calendar.ensure_statutory_holidays(range(2026, 2029))
    db.session.commit()
    return factories.DasFactory()


def staff(role: Role, das=None) -> User:
    user = factories.UserFactory(role=role)
    if das is not None:
        factories.assign(user, das)
    return user


def test_the_header_counts_a_reviewers_tasks_and_links_to_the_list(
    client: FlaskClient, das
) -> None:
    reviewer = staff(Role.REVIEWER, das)
    login(client, reviewer)
    page = client.get("/beoordeling/").get_data(as_text=True)
    assert 'href="/beoordeling/taken">Mijn taken (0)</a>' in page
    empty = client.get("/beoordeling/taken").get_data(as_text=True)
    assert "0 taken wachten op u." in empty and "Er wacht niets op u." in empty

    application = factories.submitted_application(
        das, factories.ProviderUserFactory(), date(2026, 12, 14)
    )
    page = client.get("/beoordeling/").get_data(as_text=True)
    assert "Mijn taken (1)" in page
    tasks = client.get("/beoordeling/taken").get_data(as_text=True)
    assert "Aanmeldingen zonder beoordelaar (1)" in tasks
    assert f'href="/beoordeling/aanmeldingen/{application.id}"' in tasks
    assert application.organisation.legal_name in tasks

    review.assign(application, reviewer, staff(Role.ADMINISTRATOR))
    tasks = client.get("/beoordeling/taken").get_data(as_text=True)
    assert "Aanmeldingen zonder beoordelaar (0)" in tasks
    assert "Aan u toegewezen, nog geen besluit voorgesteld (1)" in tasks


def test_a_reviewer_of_another_das_sees_none_of_it(client: FlaskClient, das) -> None:
    factories.submitted_application(das, factories.ProviderUserFactory(), date(2026, 12, 14))
    login(client, staff(Role.REVIEWER, factories.DasFactory()))
    assert "Mijn taken (0)" in client.get("/beoordeling/taken").get_data(as_text=True)


def test_contract_managers_and_administrators(client: FlaskClient, das) -> None:
    provider = factories.ProviderUserFactory()
    factories.submitted_application(das, provider, date(2026, 12, 14))
    manager = staff(Role.CONTRACT_MANAGER, das)
    login(client, manager)
    page = client.get("/contracten/taken").get_data(as_text=True)
    assert 'href="/contracten/taken">Mijn taken (0)</a>' in page  # applications are not theirs
    assert "Te late KPI- en SROI-rapportages (0)" in page
    assert "Aanmeldingen zonder beoordelaar" not in page
    assert client.get("/beoordeling/taken").status_code == 403

    login(client, staff(Role.ADMINISTRATOR))
    for url in ("/beoordeling/taken", "/contracten/taken"):
        page = client.get(url).get_data(as_text=True)
        assert 'href="/beoordeling/taken">Mijn taken (1)</a>' in page
        assert "Aanmeldingen zonder beoordelaar (1)" in page
        assert "Overeenkomsten die wachten op medeondertekening (0)" in page


def test_providers_have_no_task_link(client: FlaskClient, das) -> None:
    login(client, factories.ProviderUserFactory())
    page = client.get("/aanbieder/").get_data(as_text=True)
    assert "Mijn taken" not in page


def digest_box(client: FlaskClient) -> str:
    """The digest's checkbox on the account page, as HTML."""
    page = client.get("/account").get_data(as_text=True)
    [box] = re.findall(r'<input[^>]*name="wants_daily_digest"[^>]*>', page)
    return box


def test_staff_turn_the_daily_digest_off_and_on(client: FlaskClient, das) -> None:
    reviewer = staff(Role.REVIEWER, das)
    login(client, reviewer)
    assert "checked" in digest_box(client)

    response = client.post("/account/dagelijks-overzicht", data={})
    assert response.status_code == 302
    db.session.refresh(reviewer)
    assert reviewer.wants_daily_digest is False
    assert "geen dagelijks overzicht" in client.get("/account").get_data(as_text=True)
    assert "checked" not in digest_box(client)

    client.post("/account/dagelijks-overzicht", data={"wants_daily_digest": "y"})
    db.session.refresh(reviewer)
    assert reviewer.wants_daily_digest is True


def test_providers_have_no_digest_setting(client: FlaskClient) -> None:
    provider = factories.ProviderUserFactory()
    login(client, provider)
    assert "wants_daily_digest" not in client.get("/account").get_data(as_text=True)
    assert client.post("/account/dagelijks-overzicht", data={}).status_code == 403
    db.session.refresh(provider)
    assert provider.wants_daily_digest is True
