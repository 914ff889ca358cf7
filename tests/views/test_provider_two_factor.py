"""Providers' own two-step verification: a provider turns it on from the
account page, an organisation's administrator requires it of every colleague, turning it off
asks for the password, and the secret being set up never travels in the session cookie."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pyotp
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from portal.extensions import db
from portal.models import OrganisationRole, RecoveryCode, Role, User
from tests import factories
from tests.support.app import IsolatedClient, login

SECRET_ON_PAGE = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')


def secret_on(page: str) -> str:
    return SECRET_ON_PAGE.search(page).group(1).replace(" ", "")


def cookie_contents(app: Flask, client: IsolatedClient) -> str:
    """What anyone holding the session cookie can read: it is signed, not encrypted."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return ""
    interface = app.session_interface
    assert isinstance(interface, SecureCookieSessionInterface)
    data = interface.get_signing_serializer(app).loads(cookie.value)
    return json.dumps(data)


def test_a_provider_turns_it_on_and_then_log_in_asks_for_a_code(app: Flask) -> None:
    provider = factories.ProviderUserFactory()
    db.session.commit()
    client = IsolatedClient(app)
    login(client, provider)
    assert "Verificatie in twee stappen aanzetten" in client.get("/account").text

    page = client.get("/account/tweestapsverificatie").get_data(as_text=True)
    secret = secret_on(page)
    assert "<svg" in page
    assert secret not in cookie_contents(app, client)
    # A reload shows the same secret (the app may have scanned it already).
    assert secret_on(client.get("/account/tweestapsverificatie").text) == secret

    response = client.post("/account/tweestapsverificatie", data={"code": "000000"})
    assert "Deze code klopt niet" in response.text
    response = client.post("/account/tweestapsverificatie", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code>", response.text)
    assert len(codes) == 10
    db.session.refresh(provider)
    assert provider.totp_secret == secret and provider.totp_confirmed_at is not None
    assert provider.totp_pending_secret is None
    assert secret not in cookie_contents(app, client)

    other = IsolatedClient(app)
    response = other.post(
        "/inloggen", data={"email": provider.email, "password": factories.PASSWORD}
    )
    assert response.location == "/inloggen/code"
    assert other.get("/aanbieder/").status_code == 302  # not signed in without the code
    response = other.post("/inloggen/code", data={"code": codes[0]})
    assert response.status_code == 302 and response.location == "/aanbieder/"


def test_the_secret_being_set_up_at_log_in_stays_on_the_server(app: Flask) -> None:
    reviewer = factories.UserFactory(role=Role.REVIEWER, totp_secret=None, totp_confirmed_at=None)
    db.session.commit()
    client = IsolatedClient(app)
    client.post("/inloggen", data={"email": reviewer.email, "password": factories.PASSWORD})
    secret = secret_on(client.get("/inloggen/tweestapsverificatie").text)
    contents = cookie_contents(app, client)
    assert "pending_user" in contents  # the cookie was read
    assert secret not in contents
    db.session.refresh(reviewer)
    assert reviewer.totp_pending_secret == secret
    response = client.post(
        "/inloggen/tweestapsverificatie", data={"code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 200 and "Uw herstelcodes" in response.text
    assert secret not in cookie_contents(app, client)


def test_an_organisation_administrator_requires_it_of_every_colleague(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    colleague = factories.ProviderUserFactory(
        organisation=admin.organisation, organisation_role=OrganisationRole.CONTRIBUTOR
    )
    db.session.commit()
    mine = IsolatedClient(app)
    login(mine, admin)

    # Only after turning it on for their own account.
    response = mine.post("/aanbieder/collegas/tweestapsverificatie", data={"required": "y"})
    assert response.status_code == 302
    assert "Zet eerst verificatie in twee stappen aan" in mine.get("/aanbieder/collegas").text
    assert not admin.organisation.requires_two_factor
    admin.totp_secret, admin.totp_confirmed_at = factories.TOTP_SECRET, admin.created_at
    db.session.commit()

    # A colleague who is no administrator cannot require it (nor lift it).
    theirs = IsolatedClient(app)
    login(theirs, colleague)
    theirs.post("/aanbieder/collegas/tweestapsverificatie", data={"required": "y"})
    db.session.refresh(admin.organisation)
    assert not admin.organisation.requires_two_factor

    response = mine.post("/aanbieder/collegas/tweestapsverificatie", data={"required": "y"})
    assert response.status_code == 302
    db.session.refresh(admin.organisation)
    assert admin.organisation.requires_two_factor

    # The colleague's next log-in goes through set-up first.
    theirs = IsolatedClient(app)
    response = theirs.post(
        "/inloggen", data={"email": colleague.email, "password": factories.PASSWORD}
    )
    assert response.location == "/inloggen/tweestapsverificatie"
    assert theirs.get("/aanbieder/").status_code == 302
    secret = secret_on(theirs.get("/inloggen/tweestapsverificatie").text)
    theirs.post("/inloggen/tweestapsverificatie", data={"code": pyotp.TOTP(secret).now()})
    assert theirs.get("/aanbieder/").status_code == 200

    # While the organisation requires it, the colleague cannot turn it off.
    theirs.post("/account/tweestapsverificatie/uitzetten", data={"password": factories.PASSWORD})
    assert (
        "Uw organisatie heeft verificatie in twee stappen verplicht" in theirs.get("/account").text
    )
    assert db.session.get(User, colleague.id).totp_confirmed_at is not None


def test_turning_it_off_needs_the_password(app: Flask) -> None:
    provider = factories.ProviderUserFactory(
        totp_secret=factories.TOTP_SECRET, totp_confirmed_at=datetime.now(UTC)
    )
    db.session.commit()
    client = IsolatedClient(app)
    login(client, provider)

    response = client.post("/account/tweestapsverificatie/uitzetten", data={"password": "raden"})
    assert response.status_code == 200 and "Dit wachtwoord klopt niet" in response.text
    response = client.post("/account/tweestapsverificatie/uitzetten", data={})
    assert response.status_code == 200 and "Vul uw wachtwoord in" in response.text
    db.session.refresh(provider)
    assert provider.totp_confirmed_at is not None

    response = client.post(
        "/account/tweestapsverificatie/uitzetten", data={"password": factories.PASSWORD}
    )
    assert response.status_code == 302
    db.session.refresh(provider)
    assert provider.totp_secret is None and provider.totp_confirmed_at is None
    assert db.session.scalar(db.select(db.func.count()).select_from(RecoveryCode)) == 0
    response = IsolatedClient(app).post(
        "/inloggen", data={"email": provider.email, "password": factories.PASSWORD}
    )
    assert response.location == "/aanbieder/"


def test_staff_cannot_turn_it_off(app: Flask) -> None:
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    db.session.commit()
    client = IsolatedClient(app)
    login(client, reviewer)
    assert "uitzetten" not in client.get("/account").text
    client.post("/account/tweestapsverificatie/uitzetten", data={"password": factories.PASSWORD})
    db.session.refresh(reviewer)
    assert reviewer.totp_confirmed_at is not None
