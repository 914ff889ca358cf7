"""Log-out ends a session on the server, not only in the browser.

The attack: a session cookie copied before `POST /uitloggen` (from a shared computer, a proxy
log, a stolen backup) still opened `/aanbieder/` and the data export afterwards, because the
signed cookie was all the server checked.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from portal.extensions import db
from portal.models import OrganisationRole, Role
from tests import factories
from tests.support.app import IsolatedClient, login

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)
EXPORT = "/aanbieder/organisatie/gegevens-downloaden"


def copy_of(app: Flask, client: IsolatedClient) -> IsolatedClient:
    """Another browser holding a copy of the client's session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    thief = IsolatedClient(app)
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def sent_to_log_in(client: IsolatedClient, url: str) -> bool:
    response = client.get(url)
    return response.status_code == 302 and response.location.startswith("/inloggen")


def test_a_cookie_copied_before_log_out_opens_nothing_after_it(app: Flask) -> None:
    owner = factories.ProviderUserFactory()
    db.session.commit()
    client = IsolatedClient(app)
    login(client, owner)
    thief = copy_of(app, client)
    assert thief.get("/aanbieder/").status_code == 200  # the copy works while the session lives

    assert client.post("/uitloggen").status_code == 302

    assert sent_to_log_in(thief, "/aanbieder/")
    assert sent_to_log_in(thief, EXPORT)
    assert sent_to_log_in(client, "/aanbieder/")
    from portal.models import UserSession  # (imported here: the attack above runs on any code)

    ended = db.session.scalars(db.select(UserSession.ended_at)).all()
    assert len(ended) == 1 and ended[0] is not None


@pytest.mark.parametrize(
    ("role", "home"), [(Role.PROVIDER, "/aanbieder/"), (Role.REVIEWER, "/beoordeling/")]
)
def test_log_out_on_all_other_devices(app: Flask, role: Role, home: str) -> None:
    if role is Role.PROVIDER:
        user = factories.ProviderUserFactory()
    else:
        user = factories.UserFactory(role=role)
    db.session.commit()
    laptop, phone = IsolatedClient(app), IsolatedClient(app)
    laptop.environ_base["HTTP_USER_AGENT"] = FIREFOX
    phone.environ_base.update({"HTTP_USER_AGENT": IPHONE, "REMOTE_ADDR": "192.0.2.44"})
    login(laptop, user)
    login(phone, user)
    thief = copy_of(app, phone)

    page = laptop.get("/account").get_data(as_text=True)
    # Both devices are listed, with what they are, where from and when; this one is marked.
    assert "Firefox, Linux <strong>(dit apparaat)</strong>" in page
    assert "Safari, iPhone" in page and "192.0.2.44" in page

    response = laptop.post("/account/sessies/uitloggen")
    assert response.status_code == 302 and response.location == "/account"
    page = laptop.get("/account").get_data(as_text=True)
    assert "U bent uitgelogd op alle andere apparaten" in page
    assert "Safari, iPhone" not in page

    assert sent_to_log_in(phone, home)
    assert sent_to_log_in(thief, home)
    # The session that asked goes on.
    assert laptop.get(home).status_code == 200


def test_one_other_device_is_logged_out_and_no_one_elses(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    stranger = factories.ProviderUserFactory()
    db.session.commit()
    laptop, phone, tablet = IsolatedClient(app), IsolatedClient(app), IsolatedClient(app)
    for client in (laptop, phone, tablet):
        login(client, user)
    elsewhere = IsolatedClient(app)
    login(elsewhere, stranger)

    forms = re.findall(r'action="/account/sessies/(\d+)/uitloggen"', laptop.get("/account").text)
    assert len(forms) == 2  # the two other devices; not this one
    # Another user's session is not found, and goes on.
    from portal.models import UserSession

    strangers = db.session.scalar(
        db.select(UserSession.id).where(UserSession.user_id == stranger.id)
    )
    assert laptop.post(f"/account/sessies/{strangers}/uitloggen").status_code == 404
    assert elsewhere.get("/aanbieder/").status_code == 200

    assert laptop.post(f"/account/sessies/{forms[0]}/uitloggen").status_code == 302
    still_in = [c.get("/aanbieder/").status_code == 200 for c in (laptop, phone, tablet)]
    assert sorted(still_in) == [False, True, True]


def test_a_password_change_ends_the_other_sessions_on_the_server_too(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    laptop, phone = IsolatedClient(app), IsolatedClient(app)
    login(laptop, user)
    login(phone, user)
    response = laptop.post(
        "/account/wachtwoord",
        data={
            "current_password": factories.PASSWORD,
            "password": "een-nieuw-lang-wachtwoord",
            "password_repeat": "een-nieuw-lang-wachtwoord",
        },
    )
    assert response.status_code == 302
    assert sent_to_log_in(phone, "/aanbieder/")
    assert laptop.get("/aanbieder/").status_code == 200
    from portal.models import UserSession

    live = db.session.scalar(
        db.select(db.func.count()).select_from(UserSession).where(UserSession.ended_at.is_(None))
    )
    assert live == 1  # the laptop's new session; the list on the account page agrees


def test_a_removed_colleague_is_signed_out_at_once(app: Flask) -> None:
    admin = factories.ProviderUserFactory()
    colleague = factories.ProviderUserFactory(
        organisation=admin.organisation, organisation_role=OrganisationRole.CONTRIBUTOR
    )
    db.session.commit()
    theirs, mine = IsolatedClient(app), IsolatedClient(app)
    login(theirs, colleague)
    login(mine, admin)
    assert theirs.get("/aanbieder/").status_code == 200
    assert mine.post(f"/aanbieder/collegas/{colleague.id}/intrekken").status_code == 302
    assert sent_to_log_in(theirs, "/aanbieder/")
