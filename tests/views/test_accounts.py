"""Accounts: e-mail verification, password reset and change, colleagues."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Invitation, OrganisationRole, User
from tests import factories
from tests.support.app import login


def path(link: str) -> str:
    return link.replace("http://localhost", "")


def test_resend_verification_mails_a_new_link(app: Flask, client: FlaskClient, mailbox) -> None:
    user = factories.ProviderUserFactory(unverified=True)
    response = client.post("/e-mail-bevestigen", data={"email": user.email.upper()})
    assert response.status_code == 302
    assert mailbox.last_to(user.email)["Subject"].startswith("Bevestig uw e-mailadres")
    # An unknown or already verified address gets the same answer and no mail.
    client.post("/e-mail-bevestigen", data={"email": "onbekend@example.nl"})
    assert mailbox.to("onbekend@example.nl") == []


def test_verification_link_tampered_or_expired(app: Flask, client: FlaskClient, mailbox) -> None:
    user = factories.ProviderUserFactory(unverified=True)
    client.post("/e-mail-bevestigen", data={"email": user.email})
    link = path(mailbox.link_in(mailbox.last_to(user.email)))
    page = client.get(link[:-3] + "xyz")
    assert page.status_code == 400
    assert "Deze link is ongeldig" in page.get_data(as_text=True)
    app.config["EMAIL_VERIFICATION_MAX_AGE"] = -1
    try:
        page = client.get(link)
    finally:
        app.config["EMAIL_VERIFICATION_MAX_AGE"] = 3 * 24 * 3600
    assert "Deze link is verlopen" in page.get_data(as_text=True)
    assert not db.session.get(User, user.id).is_verified


def test_password_reset_link_works_once(app: Flask, client: FlaskClient, mailbox) -> None:
    user = factories.ProviderUserFactory()
    response = client.post("/wachtwoord-vergeten", data={"email": user.email})
    assert response.location == "/inloggen"
    message = mailbox.last_to(user.email)
    assert "een uur" in client.get("/wachtwoord-vergeten").get_data(as_text=True)
    link = path(mailbox.link_in(message))
    assert client.get(link).status_code == 200

    page = client.post(link, data={"password": "kort", "password_repeat": "kort"})
    assert "minstens 12 tekens" in page.get_data(as_text=True)

    new = "een-nieuw-lang-wachtwoord"
    response = client.post(link, data={"password": new, "password_repeat": new})
    assert response.location == "/inloggen"
    login(client, user, new)
    # The same link again: refused, because the password it was made for has changed.
    client.post("/uitloggen")
    page = client.get(link)
    assert page.status_code == 400
    assert "Deze link is al gebruikt" in page.get_data(as_text=True)


def test_password_reset_for_unknown_address_sends_nothing(
    app: Flask,
    client: FlaskClient,
    mailbox,
) -> None:
    response = client.post("/wachtwoord-vergeten", data={"email": "niemand@example.nl"})
    assert response.location == "/inloggen"
    assert mailbox.messages == []


def test_password_reset_link_expires(app: Flask, client: FlaskClient, mailbox) -> None:
    user = factories.ProviderUserFactory()
    client.post("/wachtwoord-vergeten", data={"email": user.email})
    link = path(mailbox.link_in(mailbox.last_to(user.email)))
    app.config["PASSWORD_RESET_MAX_AGE"] = 0
    try:
        time.sleep(1.1)
        page = client.get(link)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600
    assert page.status_code == 400
    assert "Deze link is verlopen" in page.get_data(as_text=True)


def test_change_password(app: Flask, client: FlaskClient) -> None:
    user = factories.ProviderUserFactory()
    login(client, user)
    page = client.post(
        "/account/wachtwoord",
        data={
            "current_password": "verkeerd-wachtwoord",
            "password": "nieuw-wachtwoord-123",
            "password_repeat": "nieuw-wachtwoord-123",
        },
    ).get_data(as_text=True)
    assert "Het huidige wachtwoord klopt niet." in page
    response = client.post(
        "/account/wachtwoord",
        data={
            "current_password": factories.PASSWORD,
            "password": "nieuw-wachtwoord-123",
            "password_repeat": "nieuw-wachtwoord-123",
        },
    )
    assert response.status_code == 302
    login(client, user, "nieuw-wachtwoord-123")


def test_invite_accept_and_remove_a_colleague(app: Flask, client: FlaskClient, mailbox) -> None:
    admin = factories.ProviderUserFactory()
    login(client, admin)
    page = client.post(
        "/aanbieder/collegas", data={"email": "geen-adres", "organisation_role": "contributor"}
    )
    assert "Vul een geldig e-mailadres in" in page.get_data(as_text=True)
    response = client.post(
        "/aanbieder/collegas", data={"email": "Piet@Example.nl", "organisation_role": "contributor"}
    )
    assert response.status_code == 302
    assert "piet@example.nl" in client.get("/aanbieder/collegas").get_data(as_text=True)
    link = path(mailbox.link_in(mailbox.last_to("piet@example.nl")))

    other = app.test_client()
    assert admin.organisation.display_name in other.get(link).get_data(as_text=True)
    response = other.post(
        link,
        data={
            "name": "Piet Pieters",
            "password": "pietjes-wachtwoord",
            "password_repeat": "pietjes-wachtwoord",
        },
    )
    # The link made the account; it signs no one in: Piet logs in with the new password.
    assert response.location == "/inloggen"
    assert other.get("/aanbieder/").status_code == 302
    piet = db.session.scalar(db.select(User).where(User.email == "piet@example.nl"))
    login(other, piet, "pietjes-wachtwoord")
    assert piet.organisation_id == admin.organisation_id
    assert piet.organisation_role is OrganisationRole.CONTRIBUTOR and not piet.may_submit
    # The invitation works once.
    assert other.get(link).status_code == 400

    # A contributor sees colleagues but cannot invite or remove.
    text = other.get("/aanbieder/collegas").get_data(as_text=True)
    assert "Uitnodiging versturen" not in text
    assert other.post(f"/aanbieder/collegas/{admin.id}/intrekken").status_code == 302
    assert db.session.get(User, admin.id).is_active_account

    client.post(f"/aanbieder/collegas/{piet.id}/intrekken")
    db.session.refresh(piet)
    assert not piet.is_active_account
    response = other.post("/inloggen", data={"email": piet.email, "password": "pietjes-wachtwoord"})
    assert response.status_code == 200  # refused
    assert other.get("/aanbieder/").status_code == 302  # and signed out


def test_cannot_remove_yourself(app: Flask, client: FlaskClient) -> None:
    admin = factories.ProviderUserFactory()
    login(client, admin)
    client.post(f"/aanbieder/collegas/{admin.id}/intrekken")
    assert db.session.get(User, admin.id).is_active_account


def test_revoked_invitation_cannot_be_used(app: Flask, client: FlaskClient, mailbox) -> None:
    admin = factories.ProviderUserFactory()
    login(client, admin)
    client.post(
        "/aanbieder/collegas",
        data={"email": "jan@example.nl", "organisation_role": "admin", "is_signatory": "y"},
    )
    invitation = db.session.scalar(db.select(Invitation))
    assert invitation.is_signatory
    link = path(mailbox.link_in(mailbox.last_to("jan@example.nl")))
    client.post(f"/aanbieder/collegas/uitnodigingen/{invitation.id}/intrekken")
    page = app.test_client().get(link)
    assert page.status_code == 400
    assert "Deze link is al gebruikt" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kvk_number", "123", "Een KvK-nummer bestaat uit 8 cijfers."),
        ("branch_number", "12345", "Een vestigingsnummer bestaat uit 12 cijfers."),
        ("agb_code", "1234567", "Een AGB-code bestaat uit 8 cijfers."),
        ("vat_number", "NL000099998B58", "Vul een geldig btw-identificatienummer in"),
        ("iban", "NL91ABNA0417164301", "Dit IBAN klopt niet."),
        ("postcode", "0123 AB", "Vul een geldige postcode in"),
        ("email", "info-at-praktijk", "Vul een geldig e-mailadres in"),
        ("legal_name", "", "Vul de naam in zoals die in het Handelsregister staat."),
    ],
)
def test_profile_errors_are_dutch_and_keep_input(
    app: Flask, client: FlaskClient, field: str, value: str, message: str
) -> None:
    admin = factories.ProviderUserFactory()
    login(client, admin)
    data = {
        "legal_name": "Praktijk De Bron",
        "kvk_number": admin.organisation.kvk_number,
        "size_class": "small",
        "city": "Weert",
        "iban": "NL91 ABNA 0417 1643 00",
        field: value,
    }
    page = client.post("/aanbieder/organisatie", data=data).get_data(as_text=True)
    assert message in page
    assert "Weert" in page
    assert db.session.get(type(admin.organisation), admin.organisation_id).city == "Roermond"


def test_profile_changes_are_normalised_recorded_and_shown_to_reviewers(
    app: Flask, client: FlaskClient
) -> None:
    from datetime import UTC, date, datetime

    from portal.services import applications

    das = factories.DasFactory()
    admin = factories.ProviderUserFactory()
    application = factories.complete_draft(das, admin, date(2026, 11, 1))
    applications.submit(application, admin, datetime(2026, 11, 2, 9, tzinfo=UTC))
    login(client, admin)
    response = client.post(
        "/aanbieder/organisatie",
        data={
            "legal_name": admin.organisation.legal_name,
            "kvk_number": admin.organisation.kvk_number,
            "size_class": "small",
            "vat_number": "nl 0000.99998.b57",
            "iban": "nl91abna0417164300",
            "postcode": "6041ab",
            "agb_code": "98765432",
        },
    )
    assert response.status_code == 302
    organisation = db.session.get(type(admin.organisation), admin.organisation_id)
    assert organisation.vat_number == "NL000099998B57"
    assert organisation.iban == "NL91ABNA0417164300"
    assert organisation.postcode == "6041 AB"

    reviewer = factories.UserFactory()
    factories.assign(reviewer, das)
    login(client, reviewer)
    page = client.get(f"/beoordeling/aanmeldingen/{application.id}").get_data(as_text=True)
    assert "Wijzigingen in de organisatiegegevens" in page
    assert "Btw-identificatienummer" in page and "NL000099998B57" in page
    assert "Micro (1 tot 9" not in page or "small" not in page


def test_contributor_cannot_edit_the_profile(app: Flask, client: FlaskClient) -> None:
    admin = factories.ProviderUserFactory()
    contributor = factories.ProviderUserFactory(organisation=admin.organisation, contributor=True)
    login(client, contributor)
    page = client.get("/aanbieder/organisatie").get_data(as_text=True)
    assert "Alleen de beheerder van uw organisatie kan ze wijzigen." in page
    response = client.post(
        "/aanbieder/organisatie",
        data={
            "legal_name": "Overgenomen",
            "kvk_number": admin.organisation.kvk_number,
            "size_class": "micro",
        },
    )
    assert response.status_code == 403
