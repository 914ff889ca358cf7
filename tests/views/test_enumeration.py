"""No page tells an outsider or another organisation whether an address has an account (issue
15, item 7): registration and invitations answer the same either way and mail the owner instead,
log-in costs one password check either way, and invitations are limited."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.config import Defaults
from portal.extensions import db, limiter
from portal.models import Invitation, Organisation, OrganisationRole, User
from portal.services import accounts
from tests import factories
from tests.support.app import login
from tests.support.smtp import SmtpSink


@pytest.fixture()
def password_checks(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts scrypt runs (Werkzeug's password hash): one per hash made or checked. The suite
    hashes cheaply elsewhere; here passwords are hashed and checked the production way."""
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", Defaults.PASSWORD_HASH_METHOD)
    accounts.authenticate("warm-up@example.invalid", "x")  # the dummy hash is made once
    calls: list[int] = []
    scrypt = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    return calls


def test_registering_a_known_address_looks_like_a_new_registration(
    app: Flask, client: FlaskClient, mailbox: SmtpSink, password_checks: list[int]
) -> None:
    owner = factories.ProviderUserFactory(email="anna@debron.nl")
    db.session.commit()
    new = client.post("/registreren", data=dict(factories.REGISTRATION, email="nieuw@debron.nl"))
    work_for_new = len(password_checks)
    password_checks.clear()
    known = app.test_client().post(
        "/registreren", data=dict(factories.REGISTRATION, kvk_number="12345678")
    )
    assert (known.status_code, known.location) == (new.status_code, new.location)
    assert known.location == "/registreren/controleer-uw-e-mail"
    assert len(password_checks) == work_for_new == 1
    # Nothing was made for the known address; its owner was told, without a link to confirm.
    organisations = db.session.scalars(db.select(Organisation.kvk_number)).all()
    assert "12345678" not in organisations
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 2
    notice = mailbox.last_to(owner.email)
    assert notice["Subject"] == "Registratie met uw e-mailadres op het DAS-portaal"
    body = mailbox.body(notice)
    assert "http://localhost/inloggen" in body and "http://localhost/wachtwoord-vergeten" in body
    assert "/e-mail-bevestigen/" not in body


def test_log_in_checks_one_password_whether_or_not_the_account_exists(
    app: Flask, client: FlaskClient, password_checks: list[int]
) -> None:
    user = factories.ProviderUserFactory(scrypt_hash=True)
    removed = factories.ProviderUserFactory(scrypt_hash=True, is_active_account=False)
    db.session.commit()
    for email in ("niemand@example.nl", user.email, removed.email):
        password_checks.clear()
        page = client.post("/inloggen", data={"email": email, "password": "fout-fout-fout"})
        assert "Het e-mailadres of het wachtwoord klopt niet." in page.get_data(as_text=True)
        assert len(password_checks) == 1, email


def invite(client: FlaskClient, email: str, role: str = "contributor"):
    return client.post("/aanbieder/collegas", data={"email": email, "organisation_role": role})


def test_inviting_an_address_with_an_account_elsewhere_looks_the_same(
    app: Flask, client: FlaskClient, mailbox: SmtpSink
) -> None:
    admin = factories.ProviderUserFactory()
    elsewhere = factories.ProviderUserFactory()
    db.session.commit()
    login(client, admin)
    answers = []
    for email in ("nieuw@example.nl", elsewhere.email):
        response = invite(client, email)
        page = client.get(response.location).get_data(as_text=True)
        answers.append((response.status_code, response.location))
        assert f"De uitnodiging is verstuurd naar {email}." in page
        assert email in page  # listed as an open invitation, as every invitation is
    assert answers[0] == answers[1]
    # The owner of the existing account is told why it cannot be used; no link to accept.
    body = mailbox.body(mailbox.last_to(elsewhere.email))
    assert "al een account" in body and "/uitnodiging/" not in body
    assert admin.organisation.display_name in body
    assert "/uitnodiging/" in mailbox.body(mailbox.last_to("nieuw@example.nl"))
    # Only a colleague already in the organisation's own list is refused.
    colleague = factories.ProviderUserFactory(organisation=admin.organisation)
    db.session.commit()
    page = invite(client, colleague.email).get_data(as_text=True)
    assert "heeft al een account bij uw organisatie" in page


def test_one_open_invitation_per_address(
    app: Flask, client: FlaskClient, mailbox: SmtpSink
) -> None:
    """Inviting the same address again sends the open invitation again, with the new role."""
    admin = factories.ProviderUserFactory()
    db.session.commit()
    login(client, admin)
    assert invite(client, "Piet@Example.nl").status_code == 302
    assert invite(client, "piet@example.nl", role="admin").status_code == 302
    invitations = db.session.scalars(db.select(Invitation)).all()
    assert len(invitations) == 1
    assert invitations[0].organisation_role is OrganisationRole.ADMIN
    assert len(mailbox.to("piet@example.nl")) == 2


@pytest.fixture()
def invitation_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(app.config, "INVITATION_LIMIT_PER_ADDRESS", "2 per day")
    monkeypatch.setitem(app.config, "INVITATION_LIMIT_PER_ORGANISATION", "3 per day")
    limiter.reset()
    yield
    limiter.reset()


def test_invitations_are_limited_per_address_and_per_organisation(
    app: Flask, invitation_limits: None, mailbox: SmtpSink
) -> None:
    first, second = factories.ProviderUserFactory(), factories.ProviderUserFactory()
    db.session.commit()
    client, other = app.test_client(), app.test_client()
    login(client, first)
    login(other, second)
    statuses = [invite(client, email).status_code for email in ("a@x.nl", "a@x.nl", "a@x.nl")]
    assert statuses == [302, 302, 429]  # the address has had its two mails today
    assert invite(client, "b@x.nl").status_code == 302
    assert invite(client, "c@x.nl").status_code == 429  # the organisation's three
    # Another organisation: the address is still limited, other addresses are not.
    assert invite(other, "a@x.nl").status_code == 429
    assert invite(other, "d@x.nl").status_code == 302
    assert len(mailbox.to("a@x.nl")) == 2
    # A refused form (a wrong address) does not count.
    assert invite(other, "geen-adres").status_code == 200
