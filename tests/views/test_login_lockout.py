"""Lock-out as a weapon.

The attack: five wrong passwords for someone else's address locked the real user out for a
quarter of an hour, again and again. Now wrong passwords lock out only clients the account does
not know, with lock-outs that grow; the owner's browser, known from an earlier log-in by its
device cookie, still gets in, and a stolen device cookie has a small count of its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from portal.extensions import db, limiter
from tests import factories
from tests.support.app import IsolatedClient

WRONG = "fout-fout-fout"


def account():
    user = factories.ProviderUserFactory()
    db.session.commit()
    return user


@pytest.fixture()
def lockout(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Three failures per account, six per address, two per device; lock-outs of 1, 5 and 15
    minutes."""
    monkeypatch.setitem(app.config, "LOCKOUT_FAILURES_PER_ACCOUNT", 3)
    monkeypatch.setitem(app.config, "LOCKOUT_FAILURES_PER_ADDRESS", 6)
    monkeypatch.setitem(app.config, "LOCKOUT_FAILURES_PER_DEVICE", 2)
    monkeypatch.setitem(app.config, "LOCKOUT_MINUTES", "1, 5, 15")
    limiter.reset()
    yield
    limiter.reset()


def client_at(app: Flask, address: str) -> IsolatedClient:
    client = IsolatedClient(app)
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client: IsolatedClient, email: str, password: str = factories.PASSWORD):
    return client.post("/inloggen", data={"email": email, "password": password})


def known_device(app: Flask, email: str, address: str = "198.51.100.1") -> IsolatedClient:
    """The owner's browser: it logged in once and signed out, and kept its device cookie."""
    browser = client_at(app, address)
    assert log_in(browser, email).status_code == 302
    assert browser.get_cookie("das_device", path="/inloggen") is not None
    browser.post("/uitloggen")
    return browser


def test_an_attacker_locks_out_unknown_clients_but_the_owner_gets_in(
    app: Flask, lockout: None
) -> None:
    owner = account()
    browser = known_device(app, owner.email)

    attacker = client_at(app, "203.0.113.9")
    assert [log_in(attacker, owner.email, WRONG).status_code for _ in range(3)] == [200] * 3
    # Locked for clients the account does not know, even with the right password, from any
    # address; the page says how long and what else works.
    response = log_in(attacker, owner.email)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    page = response.get_data(as_text=True)
    assert "Te veel pogingen om in te loggen. Probeer het over 1 minuut opnieuw." in page
    assert "Wachtwoord vergeten" in page
    assert log_in(client_at(app, "192.0.2.200"), owner.email).status_code == 429

    # The owner's own browser is not held by it.
    response = log_in(browser, owner.email)
    assert response.status_code == 302 and response.location == "/aanbieder/"


def test_lock_outs_grow_longer(app: Flask, lockout: None) -> None:
    from portal.services import login_throttle  # (here: the attack runs on any code)

    owner = account()
    waits = []
    for n in range(4):
        attacker = client_at(app, f"203.0.113.{n}")  # a botnet: the account's count still grows
        for _ in range(3):
            assert log_in(attacker, owner.email, WRONG).status_code == 200
        response = log_in(attacker, owner.email, WRONG)
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        # The lock-out passes (as time would lift it); the failures stay counted.
        login_throttle.unlock_account(owner.email)
    assert 0 < waits[0] <= 60
    assert 240 < waits[1] <= 300
    assert 840 < waits[2] <= 900
    assert 840 < waits[3] <= 900  # the last length repeats


def test_one_address_guessing_many_accounts_is_locked_out(app: Flask, lockout: None) -> None:
    owner = account()
    browser = known_device(app, owner.email, address="203.0.113.9")
    attacker = client_at(app, "203.0.113.9")
    for n in range(6):
        assert log_in(attacker, f"iemand{n}@example.nl", WRONG).status_code == 200
    assert log_in(attacker, "nog-iemand@example.nl", WRONG).status_code == 429
    assert log_in(attacker, owner.email).status_code == 429
    # Another address is not held; nor is a known device behind the same address.
    assert log_in(client_at(app, "192.0.2.7"), "nog-iemand@example.nl", WRONG).status_code == 200
    assert log_in(browser, owner.email).status_code == 302


def test_a_stolen_device_cookie_does_not_allow_guessing(app: Flask, lockout: None) -> None:
    owner = account()
    browser = known_device(app, owner.email)
    thief = client_at(app, "203.0.113.9")
    thief.set_cookie(
        "das_device", browser.get_cookie("das_device", path="/inloggen").value, path="/inloggen"
    )
    assert [log_in(thief, owner.email, WRONG).status_code for _ in range(2)] == [200, 200]
    response = log_in(thief, owner.email)
    assert response.status_code == 429 and 0 < int(response.headers["Retry-After"]) <= 60
    # The device's own count: clients without the cookie were not counted against.
    assert log_in(client_at(app, "192.0.2.200"), owner.email).status_code == 302


def test_a_device_cookie_for_another_account_counts_for_nothing(app: Flask, lockout: None) -> None:
    owner, colleague = account(), account()
    browser = known_device(app, colleague.email)
    for _ in range(3):
        assert log_in(browser, owner.email, WRONG).status_code == 200
    assert log_in(browser, owner.email).status_code == 429
    assert log_in(browser, colleague.email).status_code == 302


def test_a_password_reset_lifts_the_lock_out(app: Flask, lockout: None, mailbox) -> None:
    owner = account()
    attacker = client_at(app, "203.0.113.9")
    for _ in range(3):
        log_in(attacker, owner.email, WRONG)
    new_device = client_at(app, "192.0.2.200")
    assert log_in(new_device, owner.email).status_code == 429

    new_device.post("/wachtwoord-vergeten", data={"email": owner.email})
    link = mailbox.link_in(mailbox.last_to(owner.email)).replace("http://localhost", "")
    new_password = "een-nieuw-lang-wachtwoord"
    response = new_device.post(
        link, data={"password": new_password, "password_repeat": new_password}
    )
    assert response.status_code == 302
    assert log_in(new_device, owner.email, new_password).status_code == 302


def test_with_the_rate_limits_off_logging_in_works_and_lock_outs_still_count(
    app: Flask, lockout: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator may turn the HTTP rate limits off (RATELIMIT_ENABLED; the page benchmark
    does): the limiter then has no storage, and a log-in failed with an AssertionError (found by
    `make bench`, issue 21). The lock-outs of accounts still count, in the process's memory."""
    owner = account()
    with monkeypatch.context() as patched:
        patched.setitem(app.config, "RATELIMIT_ENABLED", False)
        # As Flask-Limiter leaves itself when set up with the limits off: disabled, no storage.
        patched.setattr(limiter, "enabled", False)
        patched.setattr(limiter, "_storage", None)
        assert log_in(client_at(app, "198.51.100.7"), owner.email).status_code == 302
        attacker = client_at(app, "203.0.113.77")
        for _ in range(3):
            assert log_in(attacker, owner.email, WRONG).status_code == 200
        assert log_in(attacker, owner.email, WRONG).status_code == 429
