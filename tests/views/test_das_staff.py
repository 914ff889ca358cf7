"""The staff page and accepting a staff invitation (issue 19): invite, accept, set up the second
step, revoke; the revoked reviewer's next request for the DAS is refused."""

from __future__ import annotations

import pyotp
from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import Role, User
from tests import factories
from tests.support.app import login


def test_invite_accept_set_up_the_second_step_and_revoke(
    app: Flask, client: FlaskClient, mailbox
) -> None:
    das = factories.DasFactory()
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    login(client, admin)
    response = client.post(
        f"/beheer/das/{das.slug}/medewerkers", data={"email": "ria@regio.nl", "role": "reviewer"}
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "De uitnodiging is verstuurd naar ria@regio.nl." in page and "ria@regio.nl" in page
    link = mailbox.link_in(mailbox.last_to("ria@regio.nl"))
    assert "/uitnodiging/medewerker/" in link

    newcomer = app.test_client()
    path = link.split("://", 1)[1].partition("/")[2]
    page = newcomer.get("/" + path).get_data(as_text=True)
    assert das.name in page and "beoordelaar" in page
    response = newcomer.post(
        "/" + path,
        data={
            "name": "Ria Jansen",
            "password": "een-lang-wachtwoord",
            "password_repeat": "een-lang-wachtwoord",
        },
    )
    assert response.location == "/inloggen"
    response = newcomer.post(
        "/inloggen", data={"email": "ria@regio.nl", "password": "een-lang-wachtwoord"}
    )
    assert response.location.startswith("/inloggen/tweestapsverificatie")  # set up first
    newcomer.get(response.location)
    ria = db.session.scalar(db.select(User).where(User.email == "ria@regio.nl"))
    db.session.refresh(ria)
    code = pyotp.TOTP(ria.totp_pending_secret).now()
    response = newcomer.post("/inloggen/tweestapsverificatie", data={"code": code})
    assert response.status_code in (200, 302)
    queue = newcomer.get("/beoordeling/").get_data(as_text=True)
    assert das.name in queue

    page = client.get(f"/beheer/das/{das.slug}/medewerkers").get_data(as_text=True)
    assert "Ria Jansen" in page
    response = client.post(f"/beheer/das/{das.slug}/medewerkers/{ria.id}/intrekken")
    assert response.status_code == 302
    assert "De toegang van Ria Jansen is ingetrokken." in client.get(response.location).get_data(
        as_text=True
    )
    # Her next request for the DAS is refused; the queue no longer offers it.
    assert das.name not in newcomer.get("/beoordeling/").get_data(as_text=True)


def test_inviting_an_address_of_another_role_is_refused_in_dutch(
    app: Flask, client: FlaskClient
) -> None:
    das = factories.DasFactory()
    factories.UserFactory(role=Role.CONTRACT_MANAGER, email="cm@regio.nl")
    login(client, factories.UserFactory(role=Role.ADMINISTRATOR))
    response = client.post(
        f"/beheer/das/{das.slug}/medewerkers", data={"email": "cm@regio.nl", "role": "reviewer"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "een medewerker met de rol contractmanager" in page
    assert 'value="cm@regio.nl"' in page


def test_only_administrators_manage_staff(app: Flask, client: FlaskClient) -> None:
    das = factories.DasFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    login(client, reviewer)
    assert client.get(f"/beheer/das/{das.slug}/medewerkers").status_code == 403
    response = client.post(
        f"/beheer/das/{das.slug}/medewerkers", data={"email": "x@regio.nl", "role": "administrator"}
    )
    assert response.status_code == 403
    assert db.session.scalar(db.select(User).where(User.email == "x@regio.nl")) is None
