"""Staff log in with a password and a code from an authenticator app (TOTP) or a recovery code."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
import pytest
from flask import Flask

from portal.extensions import db, limiter
from portal.models import RecoveryCode, Role
from tests import factories
from tests.support.app import IsolatedClient


def password_step(client: IsolatedClient, email: str) -> str:
    response = client.post("/inloggen", data={"email": email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return response.location


def test_first_log_in_sets_up_the_app_and_shows_recovery_codes(app: Flask) -> None:
    reviewer = factories.UserFactory(role=Role.REVIEWER, totp_secret=None, totp_confirmed_at=None)
    db.session.commit()
    client = IsolatedClient(app)
    assert password_step(client, reviewer.email) == "/inloggen/tweestapsverificatie"
    page = client.get("/inloggen/tweestapsverificatie").get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")

    # Not yet signed in: staff pages are closed.
    assert client.get("/beoordeling/").status_code == 302

    response = client.post("/inloggen/tweestapsverificatie", data={"code": "000000"})
    assert "Deze code klopt niet" in response.get_data(as_text=True)
    db.session.refresh(reviewer)
    assert reviewer.totp_confirmed_at is None

    response = client.post(
        "/inloggen/tweestapsverificatie", data={"code": pyotp.TOTP(secret).now()}
    )
    page = response.get_data(as_text=True)
    codes = re.findall(r"<code>([0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4})</code>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.refresh(reviewer)
    assert reviewer.totp_secret == secret and reviewer.totp_confirmed_at is not None
    stored = db.session.scalars(db.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(c.replace("-", "") in stored for c in codes)
    assert client.get("/beoordeling/").status_code == 200


def test_a_code_works_once_and_a_recovery_code_once(app: Flask) -> None:
    admin = factories.UserFactory(role=Role.ADMINISTRATOR)
    db.session.commit()
    code = factories.current_code(admin)

    first = IsolatedClient(app)
    assert password_step(first, admin.email) == "/inloggen/code"
    response = first.post("/inloggen/code", data={"code": "123 456"})
    assert "Deze code klopt niet" in response.get_data(as_text=True)
    response = first.post("/inloggen/code", data={"code": code})
    assert response.status_code == 302 and response.location == "/beheer/"

    # The same code, replayed by someone who saw it, is refused.
    second = IsolatedClient(app)
    password_step(second, admin.email)
    response = second.post("/inloggen/code", data={"code": code})
    assert "Deze code is al gebruikt" in response.get_data(as_text=True)
    assert second.get("/beheer/").status_code == 302

    # A recovery code (typed in capitals, without dashes) lets you in, once.
    from portal.services import two_factor

    with app.test_request_context():
        codes = two_factor._new_recovery_codes(admin)
        db.session.commit()
    response = second.post("/inloggen/code", data={"code": codes[3].replace("-", "").upper()})
    assert response.status_code == 302
    third = IsolatedClient(app)
    password_step(third, admin.email)
    response = third.post("/inloggen/code", data={"code": codes[3]})
    assert "Deze code klopt niet" in response.get_data(as_text=True)


def test_the_second_step_must_follow_soon(app: Flask) -> None:
    manager = factories.UserFactory(role=Role.CONTRACT_MANAGER)
    db.session.commit()
    client = IsolatedClient(app)
    password_step(client, manager.email)
    with client.session_transaction() as session:
        session["pending_at"] -= 301
    response = client.post("/inloggen/code", data={"code": factories.current_code(manager)})
    assert response.status_code == 302 and response.location == "/inloggen"


def test_providers_log_in_with_their_password(app: Flask) -> None:
    provider = factories.ProviderUserFactory()
    db.session.commit()
    assert password_step(IsolatedClient(app), provider.email) == "/aanbieder/"


@pytest.fixture()
def strict_limits(app: Flask, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(app.config, "SECOND_STEP_FAILURES_PER_ACCOUNT", "3 per 15 minutes")
    limiter.reset()
    yield
    limiter.reset()


def test_guessing_codes_is_stopped(app: Flask, strict_limits: None) -> None:
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    db.session.commit()
    client = IsolatedClient(app)
    password_step(client, reviewer.email)
    statuses = [
        client.post("/inloggen/code", data={"code": f"{n:06d}"}).status_code for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_codes_from_the_previous_and_next_step_are_accepted(app: Flask) -> None:
    from portal.services import two_factor

    reviewer = factories.UserFactory(role=Role.REVIEWER)
    db.session.commit()
    moment = datetime(2026, 11, 25, 12, 0, 10, tzinfo=UTC)
    totp = pyotp.TOTP(factories.TOTP_SECRET)
    with app.test_request_context():
        two_factor.verify(reviewer, totp.at(moment.timestamp() - 30), moment)
        two_factor.verify(reviewer, totp.at(moment.timestamp() + 30), moment)
        with pytest.raises(Exception, match="totp_wrong_code"):
            two_factor.verify(reviewer, totp.at(moment.timestamp() + 90), moment)
