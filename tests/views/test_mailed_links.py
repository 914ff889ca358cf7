"""Mailed links: no link signs anyone in, the verification link only
confirms the address (once, and not after a password change), and every link is built on the
configured address, never on the Host or X-Forwarded-Host of the request."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from portal.config import DEVELOPMENT_SECRET_KEY
from portal.extensions import db
from portal.models import Role, User
from tests import factories
from tests.support.app import login
from tests.support.smtp import SmtpSink


def signed_in(client: FlaskClient) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


def verification_link(client: FlaskClient, mailbox: SmtpSink, user: User) -> str:
    client.post("/e-mail-bevestigen", data={"email": user.email})
    return mailbox.link_in(mailbox.last_to(user.email)).replace("http://localhost", "")


def test_a_forged_verification_link_for_the_administrator_signs_no_one_in(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attack: a server left on the public default key, and a verification token for the
    administrator signed with that key by an outsider."""
    monkeypatch.setitem(app.config, "SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    db.session.commit()
    forged = URLSafeTimedSerializer(DEVELOPMENT_SECRET_KEY, salt="das-portaal:verify-email").dumps(
        {"user": admin.id, "email": admin.email}
    )
    client.get(f"/e-mail-bevestigen/{forged}")
    assert not signed_in(client)
    response = client.get("/beheer/")
    assert response.status_code == 302 and response.location.startswith("/inloggen")


def test_the_verification_link_confirms_once_and_signs_no_one_in(
    app: Flask, client: FlaskClient, mailbox: SmtpSink
) -> None:
    user = factories.ProviderUserFactory(unverified=True)
    db.session.commit()
    link = verification_link(client, mailbox, user)

    response = client.get(link)
    assert response.status_code == 302 and response.location == "/inloggen"
    assert "Uw e-mailadres is bevestigd" in client.get("/inloggen").get_data(as_text=True)
    assert db.session.get(User, user.id).is_verified
    assert not signed_in(client)

    # Again: it says the address is already confirmed, and still signs no one in.
    response = client.get(link)
    assert response.status_code == 302 and response.location == "/inloggen"
    assert "al bevestigd" in client.get("/inloggen").get_data(as_text=True)
    assert not signed_in(client)
    # Logging in is the password's job.
    login(client, user)
    assert client.get("/aanbieder/").status_code == 200


def test_staff_confirm_and_then_log_in_with_both_steps(
    app: Flask, client: FlaskClient, mailbox: SmtpSink
) -> None:
    reviewer = factories.UserFactory(role=Role.REVIEWER, email_verified_at=None)
    db.session.commit()
    client.get(verification_link(client, mailbox, reviewer))
    assert db.session.get(User, reviewer.id).is_verified
    assert not signed_in(client)
    response = client.post(
        "/inloggen", data={"email": reviewer.email, "password": factories.PASSWORD}
    )
    assert response.location.startswith("/inloggen/")  # the second step
    assert not signed_in(client)


def test_the_verification_link_dies_with_a_password_change(
    app: Flask, client: FlaskClient, mailbox: SmtpSink
) -> None:
    user = factories.ProviderUserFactory(unverified=True)
    db.session.commit()
    link = verification_link(client, mailbox, user)
    user.set_password("een-heel-ander-wachtwoord")
    db.session.commit()

    page = client.get(link)
    assert page.status_code == 400
    assert "Deze link is al gebruikt" in page.get_data(as_text=True)
    assert not db.session.get(User, user.id).is_verified
    assert not signed_in(client)


HOSTILE_HEADERS = [
    {"Host": "evil.example"},
    {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"},
    {"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
]


@pytest.fixture()
def external_address(app: Flask, monkeypatch: pytest.MonkeyPatch) -> str:
    """The portal's configured address, and no SERVER_NAME (production has none: with it, the
    tests' `localhost` would stand in for the Host header and hide the attack)."""
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "https://das.example.nl")
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    return "https://das.example.nl"


@pytest.mark.parametrize("headers", HOSTILE_HEADERS)
def test_the_reset_link_is_on_the_configured_address_whatever_the_host(
    app: Flask, external_address: str, mailbox: SmtpSink, headers: dict[str, str]
) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    client = app.test_client()
    response = client.post("/wachtwoord-vergeten", data={"email": user.email}, headers=headers)
    assert response.status_code == 302
    link = mailbox.link_in(mailbox.last_to(user.email))
    assert link.startswith(f"{external_address}/wachtwoord-herstellen/")
    assert "evil.example" not in mailbox.body(mailbox.last_to(user.email))


def test_verification_and_invitation_links_are_on_the_configured_address(
    app: Flask, external_address: str, mailbox: SmtpSink
) -> None:
    unverified = factories.ProviderUserFactory(unverified=True)
    admin = factories.ProviderUserFactory()
    db.session.commit()
    client = app.test_client()
    client.post("/e-mail-bevestigen", data={"email": unverified.email}, headers=HOSTILE_HEADERS[0])
    link = mailbox.link_in(mailbox.last_to(unverified.email))
    assert link.startswith(f"{external_address}/e-mail-bevestigen/")

    login(client, admin)
    client.post(
        "/aanbieder/collegas",
        data={"email": "nieuw@example.nl", "organisation_role": "contributor"},
        headers=HOSTILE_HEADERS[1],  # (a Host of its own would lose the session cookie)
    )
    link = mailbox.link_in(mailbox.last_to("nieuw@example.nl"))
    assert link.startswith(f"{external_address}/uitnodiging/")
