"""Log-in security: password rules, rate limits, session lifetime and invalidation, cookies and
headers (OWASP ASVS 4.0 level 2, chapters 2, 3 and 14)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal.extensions import db, limiter
from portal.models import User
from tests import factories
from tests.support.app import IsolatedClient, login


def registration(password: str) -> dict[str, str]:
    return {
        "legal_name": "Praktijk De Kleine Stap",
        "kvk_number": "69599084",
        "size_class": "micro",
        "name": "Sanne Jansen",
        "email": "sanne@kleinestap.nl",
        "password": password,
        "password_repeat": password,
    }


def test_a_common_password_is_refused_and_what_was_typed_stays(app: Flask) -> None:
    client = IsolatedClient(app)
    response = client.post("/registreren", data=registration("Welkom12345678!"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "lijsten van veelgebruikte of uitgelekte wachtwoorden" in page
    assert 'value="Praktijk De Kleine Stap"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0

    response = client.post("/registreren", data=registration("kleinestap2026"))
    assert "te makkelijk te raden" in response.get_data(as_text=True)


@pytest.fixture()
def strict_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "8 per minute")
    monkeypatch.setitem(app.config, "LOCKOUT_FAILURES_PER_ACCOUNT", 3)
    monkeypatch.setitem(app.config, "ACCOUNT_LIMIT_PER_ADDRESS", "2 per minute")
    limiter.reset()
    yield
    limiter.reset()


def test_failed_log_ins_lock_the_account_for_a_while(app: Flask, strict_limits: None) -> None:
    user = factories.ProviderUserFactory()
    other = factories.ProviderUserFactory()
    db.session.commit()
    client = IsolatedClient(app)
    for _ in range(3):
        response = client.post(
            "/inloggen", data={"email": user.email, "password": "fout-fout-fout"}
        )
        assert response.status_code == 200
    # The fourth attempt is refused even with the right password; the page says what to do.
    response = client.post("/inloggen", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "Te veel pogingen" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    # Upper case or spaces make no new account key.
    response = client.post(
        "/inloggen", data={"email": f" {user.email.upper()} ", "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    # Another account from the same address can still log in.
    response = client.post("/inloggen", data={"email": other.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def test_one_address_cannot_try_many_accounts(app: Flask, strict_limits: None) -> None:
    client = IsolatedClient(app)
    statuses = [
        client.post(
            "/inloggen", data={"email": f"iemand{n}@example.nl", "password": "fout-fout-fout"}
        ).status_code
        for n in range(9)
    ]
    assert statuses == [200] * 8 + [429]
    # Another address is not affected.
    elsewhere = IsolatedClient(app)
    response = elsewhere.post(
        "/inloggen",
        data={"email": "iemand@example.nl", "password": "x"},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 200


def test_password_reset_requests_are_limited(app: Flask, strict_limits: None) -> None:
    client = IsolatedClient(app)
    statuses = [
        client.post("/wachtwoord-vergeten", data={"email": "a@example.nl"}).status_code
        for _ in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_an_idle_session_ends(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    client = IsolatedClient(app)
    login(client, user)
    assert client.get("/aanbieder/").status_code == 200
    with client.session_transaction() as session:
        session["seen_at"] -= 31 * 60
    response = client.get("/aanbieder/")
    assert response.status_code == 302 and response.location.startswith("/inloggen")
    page = client.get(response.location).get_data(as_text=True)
    assert "niet actief en bent uitgelogd" in page
    assert client.get("/aanbieder/").status_code == 302


def test_no_session_outlives_its_maximum(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    client = IsolatedClient(app)
    login(client, user)
    with client.session_transaction() as session:
        session["auth_at"] -= 13 * 3600
    assert client.get("/aanbieder/").status_code == 302


def test_a_password_change_ends_the_other_sessions(app: Flask) -> None:
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
    assert laptop.get("/aanbieder/").status_code == 200  # this session goes on
    response = phone.get("/aanbieder/")
    assert response.status_code == 302 and response.location.startswith("/inloggen")


def test_the_session_cookie_is_new_at_log_in(app: Flask) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    client = IsolatedClient(app)
    client.get("/inloggen")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, user)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_cookies_and_headers(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    user = factories.ProviderUserFactory()
    db.session.commit()
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    client = IsolatedClient(app)
    response = client.post(
        "/inloggen",
        data={"email": user.email, "password": factories.PASSWORD},
        base_url="https://localhost",
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")

    response = client.get("/")
    policy = dict(
        part.strip().split(" ", 1)
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS
