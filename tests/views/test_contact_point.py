"""The DAS's contact point: set by an administrator, shown on the provider's pages about that
DAS (the open ones on pages about none in particular)."""

from __future__ import annotations

import re
from datetime import date

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import AuditEvent, Das, Role
from portal.services import applications
from tests import factories
from tests.support.app import login


def _contact(page: str) -> str:
    found = re.search(r'<aside class="contact-point".*?</aside>', page, re.S)
    return found.group(0) if found else ""


def _with_contact(contact: str, email: str, phone: str = "", **kwargs: object) -> Das:
    return factories.DasFactory(
        contact_name=contact, contact_email=email, contact_phone=phone, **kwargs
    )


def test_an_administrator_sets_the_contact_point(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(client, admin)
    assert f"/beheer/das/{das.slug}/contactpunt" in client.get("/beheer/").get_data(as_text=True)
    url = f"/beheer/das/{das.slug}/contactpunt"
    page = client.post(url, data={"name": "Inkoop", "email": "geen-adres"}).get_data(as_text=True)
    assert "Vul een geldig e-mailadres in" in page
    assert 'value="Inkoop"' in page
    response = client.post(
        url,
        data={"name": " Inkoopteam Jeugd ", "email": "inkoop@gemeente.nl", "phone": "0475 123 456"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Das, das.id)
    assert saved is not None
    assert (saved.contact_name, saved.contact_email, saved.contact_phone) == (
        "Inkoopteam Jeugd",
        "inkoop@gemeente.nl",
        "0475 123 456",
    )
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == "das.contact_point_changed")
    )
    assert event is not None and event.actor_id == admin.id and event.das_id == das.id
    page = client.get(url).get_data(as_text=True)
    assert 'value="inkoop@gemeente.nl"' in page


def test_only_an_administrator_sets_it(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    login(client, reviewer)
    url = f"/beheer/das/{das.slug}/contactpunt"
    assert client.post(url, data={"name": "Ik", "email": "ik@example.nl"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Das, das.id).contact_name == ""


def test_provider_pages_show_the_contact_point_of_their_das(
    app: Flask, client: FlaskClient
) -> None:
    youth = _with_contact("Inkoopteam Jeugd", "jeugd@gemeente.nl", "0475 123 456", name="Jeugd")
    _with_contact("Inkoop Dyslexie", "dyslexie@gemeente.nl", name="Dyslexie")
    provider = factories.ProviderUserFactory()
    draft = applications.start_application(youth, provider)
    login(client, provider)

    # The dashboard: the open DAS instances.
    block = _contact(client.get("/aanbieder/").get_data(as_text=True))
    assert "Vragen?" in block
    assert "jeugd@gemeente.nl" in block and "dyslexie@gemeente.nl" in block
    assert 'href="tel:0475123456"' in block

    # A page about one DAS: only its contact point.
    for url in (
        f"/aanbieder/aanmeldingen/{draft.id}",
        f"/aanbieder/aanmeldingen/{draft.id}/percelen",
    ):
        block = _contact(client.get(url).get_data(as_text=True))
        assert "Neem contact op met" in block and "Inkoopteam Jeugd" in block, url
        assert 'href="mailto:jeugd@gemeente.nl"' in block
        assert "dyslexie" not in block.lower(), url
    # Pages about no DAS in particular show the open ones.
    assert "Inkoop Dyslexie" in _contact(client.get("/aanbieder/documenten").get_data(as_text=True))


def test_the_agreement_page_shows_its_das_contact_point(app: Flask, client: FlaskClient) -> None:
    das = _with_contact("Contractbeheer", "contract@gemeente.nl")
    factories.DasFactory()  # another open DAS, without a contact point
    provider = factories.ProviderUserFactory()
    agreement = factories.admit(das, provider, date(2026, 6, 1))
    login(client, provider)
    block = _contact(client.get(f"/aanbieder/overeenkomsten/{agreement.id}").get_data(as_text=True))
    assert "contract@gemeente.nl" in block


def test_no_block_without_a_contact_point_and_nothing_of_others(
    app: Flask, client: FlaskClient
) -> None:
    das = factories.DasFactory()
    provider = factories.ProviderUserFactory()
    login(client, provider)
    assert _contact(client.get("/aanbieder/").get_data(as_text=True)) == ""
    # Another organisation's application: not found, and its DAS's contact point is not shown.
    other_das = _with_contact("Geheim", "geheim@gemeente.nl", state=das.state)
    other = factories.ProviderUserFactory()
    theirs = applications.start_application(other_das, other)
    response = client.get(f"/aanbieder/aanmeldingen/{theirs.id}/percelen")
    assert response.status_code == 404
    assert "geheim@gemeente.nl" not in response.get_data(as_text=True)
