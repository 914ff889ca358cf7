"""Outside development and tests the portal refuses to start with a public or short secret key or
without an https address of its own, and answers only to its own host names (a server left on
`dev-only-change-me` let anyone forge a link as the administrator)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from portal import create_app
from portal.config import (
    DEVELOPMENT_AUDIT_KEY,
    DEVELOPMENT_EXTERNAL_URL,
    DEVELOPMENT_SECRET_KEY,
    PLACEHOLDER_OCDS_PREFIX,
    Defaults,
    UnsafeSettings,
    open_data_configured,
    unsafe_settings,
)
from portal.extensions import db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 32
GOOD_AUDIT_KEY = "a" * 32
GOOD_URL = "https://das.example.nl"
GOOD_OCDS_PREFIX = "ocds-a1b2c3"
GOOD = {
    "SECRET_KEY": GOOD_KEY,
    "AUDIT_KEY": GOOD_AUDIT_KEY,
    "EXTERNAL_URL": GOOD_URL,
    "OCDS_PREFIX": GOOD_OCDS_PREFIX,
    # The seal (issue 24): a test PKCS#12 kept with the tests (tests/data/seal).
    "SEAL_PKCS12_PATH": str(PROJECT_ROOT / "tests" / "data" / "seal" / "production-test.p12"),
    "SEAL_PKCS12_PASSWORD": "test-zegel",
}


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"SECRET_KEY": ""}, "PORTAL_SECRET_KEY is not set"),
        ({"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "PORTAL_SECRET_KEY is not set"),
        ({"SECRET_KEY": "test-secret"}, "known, published value"),
        ({"SECRET_KEY": "k" * 31}, "PORTAL_SECRET_KEY is 31 bytes"),
        ({"SECRET_KEY": "é" * 15}, "PORTAL_SECRET_KEY is 30 bytes"),  # bytes, not characters
        ({"EXTERNAL_URL": ""}, "PORTAL_EXTERNAL_URL is not set"),
        ({"EXTERNAL_URL": DEVELOPMENT_EXTERNAL_URL}, "PORTAL_EXTERNAL_URL is not set"),
        ({"EXTERNAL_URL": "http://das.example.nl"}, "must be an https address"),
        ({"EXTERNAL_URL": "https://"}, "must be an https address"),
        ({"EXTERNAL_URL": "das.example.nl"}, "must be an https address"),
        # The audit chain's key (item 15): set, long, unpublished, and not the secret key.
        ({"AUDIT_KEY": ""}, "PORTAL_AUDIT_KEY is not set"),
        ({"AUDIT_KEY": DEVELOPMENT_AUDIT_KEY}, "PORTAL_AUDIT_KEY is not set"),
        ({"AUDIT_KEY": "change-me"}, "PORTAL_AUDIT_KEY is a known, published value"),
        ({"AUDIT_KEY": "a" * 31}, "PORTAL_AUDIT_KEY is 31 bytes"),
        ({"AUDIT_KEY": GOOD_KEY}, "not the same as PORTAL_SECRET_KEY"),
        ({"SESSION_COOKIE_SECURE": False}, "PORTAL_SESSION_COOKIE_SECURE is off"),
        # The suite's cheap hash never in production.
        ({"PASSWORD_HASH_METHOD": "pbkdf2:sha256:1"}, "passwords must be hashed with scrypt"),
        # A malformed ocid prefix (issue 23; without one the portal publishes no open data).
        ({"OCDS_PREFIX": "ocds-a1b2c"}, "six letters or digits"),
        ({"OCDS_PREFIX": "ocds-a1b2c3d"}, "six letters or digits"),
        ({"OCDS_PREFIX": "ocds-a1-b2c"}, "six letters or digits"),
        ({"OCDS_PREFIX": "a1b2c3"}, "six letters or digits"),
        # The seal's PKCS#12 (issue 24): set, present, and opened by its password.
        ({"SEAL_PKCS12_PATH": ""}, "PORTAL_SEAL_PKCS12_PATH is not set"),
        ({"SEAL_PKCS12_PATH": "/nonexistent/seal.p12"}, "cannot be read"),
        ({"SEAL_PKCS12_PASSWORD": "wrong"}, "cannot be read"),
        ({"SEAL_PKCS12_PATH": __file__}, "cannot be read"),  # not a PKCS#12 at all
    ],
)
def test_unsafe_settings_name_each_problem(settings: dict[str, str], problem: str) -> None:
    problems = unsafe_settings({**GOOD, **settings})
    assert len(problems) == 1 and problem in problems[0]


def test_good_settings_have_no_problems() -> None:
    assert unsafe_settings(GOOD) == []
    assert unsafe_settings({**GOOD, "PASSWORD_HASH_METHOD": Defaults.PASSWORD_HASH_METHOD}) == []
    assert unsafe_settings({**GOOD, "PASSWORD_HASH_METHOD": "scrypt:65536:8:1"}) == []
    assert unsafe_settings({**GOOD, "EXTERNAL_URL": GOOD_URL + "/das/"}) == []


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({}, "PORTAL_SECRET_KEY is not set"),  # nothing set: the default key
        ({"SECRET_KEY": DEVELOPMENT_SECRET_KEY}, "PORTAL_SECRET_KEY is not set"),
        ({"SECRET_KEY": "k" * 31}, "PORTAL_SECRET_KEY is 31 bytes"),
        ({"SECRET_KEY": GOOD_KEY}, "PORTAL_EXTERNAL_URL is not set"),
        (
            {"SECRET_KEY": GOOD_KEY, "EXTERNAL_URL": "http://das.example.nl"},
            "must be an https address",
        ),
        ({**GOOD, "OCDS_PREFIX": "ocds-a1b2c"}, "six letters or digits"),
    ],
)
def test_a_production_app_refuses_to_start_with_unsafe_settings(
    settings: dict[str, str], problem: str
) -> None:
    with pytest.raises(UnsafeSettings, match=problem) as refused:
        create_app(settings)
    assert "PORTAL_DEVELOPMENT=1" in str(refused.value)  # and says what development sets


def test_a_flask_command_refuses_to_start_and_says_why() -> None:
    """What an operator sees: `flask --app portal ...` (and gunicorn, which calls the same
    create_app) stops with the reasons on stderr."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    # Empty, so a developer's instance/config.py cannot make the command start.
    env.update(PORTAL_SECRET_KEY="", PORTAL_EXTERNAL_URL="", PORTAL_DEVELOPMENT="0")
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "flask", "--app", "portal", "routes"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "refuses to start" in done.stderr
    assert "PORTAL_SECRET_KEY is not set" in done.stderr
    assert "PORTAL_EXTERNAL_URL is not set" in done.stderr
    assert "PORTAL_AUDIT_KEY is not set" in done.stderr


@pytest.fixture()
def production(app: Flask) -> Iterator[Any]:
    """A production-mode app (no TESTING, no DEVELOPMENT) on the test database."""
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        made.append(
            create_app(
                {
                    **GOOD,
                    "DATABASE_URL": app.config["DATABASE_URL"],
                    "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
                    **settings,
                }
            )
        )
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def test_a_production_app_starts_and_answers_only_to_its_own_host(production: Any) -> None:
    client = production().test_client()
    assert client.get("/healthz", headers={"Host": "das.example.nl"}).status_code == 200
    refused = client.get("/healthz", headers={"Host": "evil.example"})
    assert refused.status_code == 400
    assert "hoort niet bij het DAS-portaal" in refused.get_data(as_text=True)
    refused = client.post("/wachtwoord-vergeten", headers={"Host": "evil.example"})
    assert refused.status_code == 400


def test_extra_trusted_hosts_and_forwarded_hosts(production: Any) -> None:
    # Behind one proxy, X-Forwarded-Host is the host the client asked for: checked the same way.
    portal = production(EXTRA_TRUSTED_HOSTS="10.0.0.5, portal.intern", PROXY_COUNT=1)
    client = portal.test_client()
    for host in ("das.example.nl", "10.0.0.5", "portal.intern"):
        assert client.get("/healthz", headers={"Host": host}).status_code == 200, host
    forwarded = {"Host": "das.example.nl", "X-Forwarded-Host": "evil.example"}
    assert client.get("/healthz", headers=forwarded).status_code == 400


def test_without_a_registered_prefix_only_development_publishes() -> None:
    # The placeholder or nothing: the portal starts, and publishes no open data.
    assert unsafe_settings({**GOOD, "OCDS_PREFIX": PLACEHOLDER_OCDS_PREFIX}) == []
    assert unsafe_settings({**GOOD, "OCDS_PREFIX": ""}) == []
    assert not open_data_configured({"OCDS_PREFIX": ""})
    assert open_data_configured({"DEVELOPMENT": True, "OCDS_PREFIX": PLACEHOLDER_OCDS_PREFIX})
    assert not open_data_configured({"OCDS_PREFIX": PLACEHOLDER_OCDS_PREFIX})
    assert not open_data_configured({"OCDS_PREFIX": "ocds-abc"})
    assert open_data_configured({"OCDS_PREFIX": GOOD_OCDS_PREFIX})
