"""Fixtures for the reliability tests: the portal as a separate server process on the test
database. The check that the database and EVIDENCE_DIR agree is tests/support/consistency.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.support.app import GENEROUS_LIMITS


@pytest.fixture()
def server_settings(app: Flask, tmp_path: Path) -> dict[str, str]:
    """PORTAL_* settings (without the prefix) for a server process on the test database."""
    return {
        "DEVELOPMENT": "1",  # a test server on loopback: the public defaults are fine
        "DATABASE_URL": app.config["DATABASE_URL"],
        "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
        "SECRET_KEY": "reliability",
        "WTF_CSRF_ENABLED": "0",
        "SESSION_COOKIE_SECURE": "0",
        "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        # A job runs in the request that enqueued it (no worker), unless a test starts workers.
        "JOBS_BACKEND": "immediate",
        **GENEROUS_LIMITS,
    }
