"""Line breaks and other control characters in one-line input: a trade name
`Evil\\r\\nBcc: ...` was saved and then failed the request with a 500 when a mail was built.
Forms refuse such values with a Dutch message and keep what was typed; mail never fails on them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from wtforms import EmailField, PasswordField, StringField, TextAreaField

from portal.extensions import db
from portal.infra import mail
from portal.models import Invitation, Organisation, User
from portal.pages.forms import PortalForm
from tests import factories
from tests.support.app import login
from tests.support.smtp import SmtpSink

MESSAGE = "Gebruik geen regeleinden of andere stuurtekens."
HOSTILE_NAME = "Evil\r\nBcc: x@evil.example"
HOSTILE_EMAIL = "piet@example.nl\r\nBcc: x@evil.example"
PORTAL = Path(__file__).resolve().parents[2] / "portal"


def counts() -> tuple[int, ...]:
    return tuple(
        db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()
        for model in (Organisation, User, Invitation)
    )


def refused_and_kept(page: str, value: str) -> None:
    assert MESSAGE in page
    assert page.count(MESSAGE) == 2  # in the error summary and at the field
    assert f'value="{value}"' in page


@pytest.mark.parametrize(
    ("field", "value"),
    [("legal_name", HOSTILE_NAME), ("name", "Anna\nde Vries"), ("email", HOSTILE_EMAIL)],
)
def test_registration_refuses_control_characters(
    app: Flask, client: FlaskClient, field: str, value: str
) -> None:
    before = counts()
    response = client.post("/registreren", data=dict(factories.REGISTRATION, **{field: value}))
    assert response.status_code == 200
    refused_and_kept(response.get_data(as_text=True), value)
    assert counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("trade_name", HOSTILE_NAME), ("legal_name", "De Bron\x00"), ("city", "Weert\u2028")],
)
def test_the_organisation_profile_refuses_control_characters(
    app: Flask, client: FlaskClient, field: str, value: str
) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    login(client, admin)
    data = {
        "legal_name": "Praktijk De Bron",
        "kvk_number": admin.organisation.kvk_number,
        "size_class": "small",
        field: value,
    }
    response = client.post("/aanbieder/organisatie", data=data)
    if "\x00" in value:  # NUL is refused before any form sees it (portal/web/register.py)
        assert response.status_code == 400
    else:
        assert response.status_code == 200
        refused_and_kept(response.get_data(as_text=True), value)
    organisation = db.session.get(Organisation, admin.organisation_id)
    assert organisation.trade_name is None and organisation.city == "Roermond"  # the factory's
    assert organisation.legal_name != "Praktijk De Bron"


def test_the_invitation_refuses_control_characters(app: Flask, client: FlaskClient) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    login(client, admin)
    before = counts()
    response = client.post(
        "/aanbieder/collegas", data={"email": HOSTILE_EMAIL, "organisation_role": "contributor"}
    )
    assert response.status_code == 200
    refused_and_kept(response.get_data(as_text=True), HOSTILE_EMAIL)
    assert counts() == before


def test_accepting_an_invitation_refuses_control_characters_in_the_name(
    app: Flask, client: FlaskClient, mailbox: SmtpSink
) -> None:
    admin = factories.ProviderUserFactory()
    db.session.commit()
    login(client, admin)
    client.post(
        "/aanbieder/collegas", data={"email": "piet@example.nl", "organisation_role": "admin"}
    )
    link = mailbox.link_in(mailbox.last_to("piet@example.nl")).replace("http://localhost", "")
    before = counts()
    password = "pietjes-wachtwoord"
    response = app.test_client().post(
        link, data={"name": HOSTILE_NAME, "password": password, "password_repeat": password}
    )
    assert response.status_code == 200
    refused_and_kept(response.get_data(as_text=True), HOSTILE_NAME)
    assert counts() == before


def test_a_name_stored_before_the_check_does_not_break_the_mail(
    app: Flask, client: FlaskClient, mailbox: SmtpSink
) -> None:
    """The attack of the issue, with the trade name already in the database: the invitation's
    subject names the organisation. No 500, no extra header, one recipient."""
    admin = factories.ProviderUserFactory()
    admin.organisation.trade_name = HOSTILE_NAME
    db.session.commit()
    login(client, admin)
    response = client.post(
        "/aanbieder/collegas", data={"email": "piet@example.nl", "organisation_role": "admin"}
    )
    assert response.status_code == 302
    [message] = mailbox.messages
    assert message["Subject"] == "Uitnodiging voor het DAS-portaal van Evil Bcc: x@evil.example"
    assert message["Bcc"] is None
    assert str(message["To"]) == "piet@example.nl"


def test_mail_makes_header_values_one_line_and_refuses_a_broken_address(
    app: Flask, mailbox: SmtpSink
) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    message = mail.build(
        user.email,
        "Over\r\nBcc: x@evil.example\x85",
        "reset_password",
        user=user,
        link="",
        minutes=1,
    )
    assert message["Subject"] == "Over Bcc: x@evil.example"
    assert message["Bcc"] is None
    # An address with a line break is never sent to, and the caller hears so (no exception).
    assert (
        mail.send(HOSTILE_EMAIL, "Onderwerp", "reset_password", user=user, link="", minutes=1)
        is False
    )
    assert mailbox.messages == []


class Example(PortalForm):
    class Meta:
        csrf = False

    name = StringField()
    email = EmailField()
    password = PasswordField()
    note = TextAreaField()


@pytest.mark.parametrize("character", ["\r", "\n", "\t", "\x1b", "\x7f", "\x85", "\u2028"])
def test_one_line_fields_refuse_control_characters_and_textareas_keep_line_breaks(
    app: Flask, character: str
) -> None:
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(method="POST"):
        for field in ("name", "email", "password"):
            form = Example(formdata=MultiDict({field: f"a{character}b"}))
            assert not form.validate()
            assert form.errors == {field: [MESSAGE]}
        form = Example(formdata=MultiDict({"name": "Anna de Vries", "note": "Eén\r\ntwee"}))
        assert form.validate(), form.errors


def test_every_form_is_a_portal_form() -> None:
    """Every form class in portal/ derives from PortalForm, so none forgets the check."""
    offenders = []
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name != "PortalForm":
                bases = {getattr(base, "id", getattr(base, "attr", "")) for base in node.bases}
                if bases & {"FlaskForm", "Form", "BaseForm"}:
                    offenders.append(f"{path.relative_to(PORTAL.parent)}: {node.name}")
    assert offenders == []
