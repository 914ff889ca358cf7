"""The administrator's API-token pages (issue 23): the secret is shown once, on the page that
answers the POST that made it, and nowhere after; colleagues who are not the administrator, and
other organisations, cannot see or revoke the tokens."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import ApiScope, ApiToken, AuditEvent
from portal.services import api_tokens
from tests import factories
from tests.support.app import login

URL = "/aanbieder/api-sleutels"
SECRET = re.compile(r"dasp_[A-Za-z0-9_-]{43}")


def revoke_url(token_id: int) -> str:
    return f"{URL}/{token_id}/intrekken"


def tokens() -> list[ApiToken]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(ApiToken).order_by(ApiToken.id)))


@pytest.fixture()
def admin(app: Flask, client: FlaskClient):
    user = factories.ProviderUserFactory(name="Anna Beheerder")
    db.session.commit()
    login(client, user)
    return user


def test_a_new_token_is_shown_once_and_never_again(
    app: Flask, client: FlaskClient, admin, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    response = client.post(URL, data={"name": "Zorgsysteem Noord", "scopes": ["kpi", "sroi"]})
    assert response.status_code == 200  # the page itself: no redirect that could carry it
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    [secret] = SECRET.findall(page)
    [token] = tokens()
    assert api_tokens.token_hash(secret) == token.token_hash
    assert token.name == "Zorgsysteem Noord" and token.scopes == ["kpi", "sroi"]
    assert "U ziet hem hierna niet meer" in page
    assert "KPI-cijfers rapporteren" in page and "Social return (SROI) rapporteren" in page
    assert "/api/v1/openapi.json" in page
    # Not in the session cookie (no flash carries it), nor in any log line.
    cookies = " ".join(c.value for c in client._cookies.values())  # noqa: SLF001
    assert secret not in cookies and secret[12:] not in cookies
    assert all(secret[12:] not in r.getMessage() for r in caplog.records)
    # The list shows the token by its name and prefix only; a reload of the list, or any later
    # page, never shows the secret again.
    listing = client.get(URL)
    assert listing.headers["Cache-Control"] == "no-store"
    text = listing.get_data(as_text=True)
    assert "Zorgsysteem Noord" in text and token.prefix in text
    assert secret[12:] not in text
    for later in ("/aanbieder/", "/aanbieder/organisatie", "/aanbieder/collegas", "/account"):
        assert secret[12:] not in client.get(later).get_data(as_text=True)
    # The audit trail names the token and its scopes, not the secret.
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "api_token.created"))
    assert event is not None and event.actor_id == admin.id
    assert secret[5:] not in json.dumps(event.details)


def test_a_refused_token_keeps_what_was_typed_and_says_what_to_fix(
    app: Flask, client: FlaskClient, admin
) -> None:
    response = client.post(URL, data={"name": "Zorgsysteem"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Kies ten minste één onderdeel waarvoor de sleutel mag rapporteren." in page
    assert 'value="Zorgsysteem"' in page
    assert 'class="error-summary"' in page and 'href="#scopes-0"' in page
    assert not SECRET.search(page)

    response = client.post(URL, data={"scopes": ["waiting_times"]})
    page = response.get_data(as_text=True)
    assert "Geef de sleutel een naam" in page
    assert re.search(r'value="waiting_times"[^>]*checked|checked[^>]*value="waiting_times"', page)

    response = client.post(URL, data={"name": "x" * 101, "scopes": ["kpi"]})
    assert "hoogstens 100 tekens" in response.get_data(as_text=True)
    response = client.post(URL, data={"name": "Naam", "scopes": ["kpi", "beheer"]})
    assert "Kies alleen onderdelen uit de lijst." in response.get_data(as_text=True)
    assert tokens() == []


def test_a_second_live_token_of_the_same_name_is_refused_at_the_name(
    app: Flask, client: FlaskClient, admin
) -> None:
    client.post(URL, data={"name": "Zorgsysteem", "scopes": ["kpi"]})
    response = client.post(URL, data={"name": "zorgsysteem", "scopes": ["sroi"]})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Uw organisatie heeft al een sleutel met de naam" in page
    assert 'href="#name"' in page and 'value="zorgsysteem"' in page
    assert not SECRET.search(page)
    assert len(tokens()) == 1


def test_revoking_asks_first_then_stops_the_token(app: Flask, client: FlaskClient, admin) -> None:
    page = client.post(URL, data={"name": "Zorgsysteem", "scopes": ["kpi"]})
    [secret] = SECRET.findall(page.get_data(as_text=True))
    [token] = tokens()
    # The button on the list asks first: a page naming the token, nothing revoked yet.
    asked = client.post(revoke_url(token.id))
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "Zorgsysteem" in text and token.prefix in text and "Ja, sleutel intrekken" in text
    assert tokens()[0].revoked_at is None
    # "Nee, terug" goes back to the list; "Ja" revokes.
    response = client.post(revoke_url(token.id), data={"confirmed": "ja"})
    assert response.status_code == 302 and response.location.endswith(URL)
    [token] = tokens()
    assert token.revoked_at is not None and token.revoked_by_id == admin.id
    listing = client.get(URL).get_data(as_text=True)
    assert "De sleutel Zorgsysteem is ingetrokken." in listing
    assert "Ingetrokken op" in listing
    assert revoke_url(token.id) not in listing  # no button for a revoked token
    with app.test_request_context():
        assert api_tokens.authenticate(secret, token.created_at, "192.0.2.1") is None
    # Asking again about a revoked token goes back to the list.
    assert client.post(revoke_url(token.id)).status_code == 302


def test_another_organisations_token_is_not_found(app: Flask, client: FlaskClient) -> None:
    owner = factories.ProviderUserFactory()
    stranger = factories.ProviderUserFactory()
    db.session.commit()
    issued = api_tokens.create(
        owner, "Van de eigenaar", [ApiScope.KPI], factories.at(date(2027, 3, 1))
    )
    login(client, stranger)
    for data in ({}, {"confirmed": "ja"}):
        assert client.post(revoke_url(issued.token.id), data=data).status_code == 404
    assert client.post(
        revoke_url(issued.token.id + 1000), data={"confirmed": "ja"}
    ).status_code == (404)
    assert tokens()[0].revoked_at is None
    listing = client.get(URL).get_data(as_text=True)
    assert "Van de eigenaar" not in listing and issued.token.prefix not in listing


def test_a_colleague_who_is_not_the_administrator_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    owner = factories.ProviderUserFactory()
    colleague = factories.ProviderUserFactory(organisation=owner.organisation, contributor=True)
    db.session.commit()
    issued = api_tokens.create(owner, "Zorgsysteem", [ApiScope.KPI], factories.at(date(2027, 3, 1)))
    login(client, colleague)
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={"name": "Mijn eigen", "scopes": ["kpi"]}).status_code == 403
    assert client.post(revoke_url(issued.token.id), data={"confirmed": "ja"}).status_code == 403
    assert [t.name for t in tokens()] == ["Zorgsysteem"] and tokens()[0].revoked_at is None
    # The organisation page links to the tokens for its administrator only.
    assert URL not in client.get("/aanbieder/organisatie").get_data(as_text=True)


def test_the_organisation_page_links_to_the_tokens(app: Flask, client: FlaskClient, admin) -> None:
    assert URL in client.get("/aanbieder/organisatie").get_data(as_text=True)


def test_the_privacy_export_lists_the_tokens_without_their_secrets(
    app: Flask, client: FlaskClient, admin
) -> None:
    page = client.post(URL, data={"name": "Zorgsysteem", "scopes": ["kpi"]})
    [secret] = SECRET.findall(page.get_data(as_text=True))
    [token] = tokens()
    response = client.get("/aanbieder/organisatie/gegevens-downloaden")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    raw = archive.read("data.json").decode()
    data = json.loads(raw)
    [exported] = data["api_tokens"]
    assert exported["name"] == "Zorgsysteem" and exported["prefix"] == token.prefix
    assert exported["scopes"] == ["kpi"] and exported["created_by"]["name"] == "Anna Beheerder"
    assert "api_token.created" in [e["action"] for e in data["audit_events"]]
    assert token.token_hash not in raw and secret[12:] not in raw
