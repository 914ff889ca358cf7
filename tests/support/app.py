"""The portal as the tests run it: its settings, a client whose requests each get their own app
context, logging in, and emptying the database between tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from portal.extensions import db
from portal.models import User
from tests import factories

PASSWORD = factories.PASSWORD

GENEROUS_LIMITS = {
    "LOGIN_LIMIT_PER_ADDRESS": "10000 per minute",
    "SECOND_STEP_FAILURES_PER_ACCOUNT": "10000 per minute",
    "LOCKOUT_FAILURES_PER_ACCOUNT": "10000",
    "LOCKOUT_FAILURES_PER_ADDRESS": "10000",
    "LOCKOUT_FAILURES_PER_DEVICE": "10000",
    "ACCOUNT_LIMIT_PER_ADDRESS": "10000 per minute",
    "INVITATION_LIMIT_PER_ORGANISATION": "10000 per minute",
    "INVITATION_LIMIT_PER_ADDRESS": "10000 per minute",
    "API_FAILED_AUTH_LIMIT": "10000 per minute",
    "VERIFY_LIMIT_PER_ADDRESS": "10000 per minute",
}


def app_settings(database_url: str, evidence_dir: str, smtp_port: int) -> dict[str, Any]:
    """The settings of the suite's app (tests/conftest.py `app`)."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "EVIDENCE_DIR": evidence_dir,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        # Mailed links are built on this address, whatever host a request names.
        "EXTERNAL_URL": "http://localhost",
        # Plain HTTP in tests. Rate limits stay on (Flask-Limiter's switch is global), high
        # enough for a test suite; tests/views/test_security.py lowers them where it tests them.
        "SESSION_COOKIE_SECURE": False,
        **GENEROUS_LIMITS,
        # One PBKDF2 round instead of scrypt (tests/factories.py, FAST_HASH_METHOD).
        "PASSWORD_HASH_METHOD": factories.FAST_HASH_METHOD,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
    }


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, so its own `g` (the signed-in user) and its own
    database session, as in production; the test's own context stays as it was."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test reads what the request wrote
        return response


def wipe(app: Flask) -> None:
    """Empty every table (the audit trail too) and the evidence folder."""
    from sqlalchemy import insert, text

    from portal.models.audit import (
        APPEND_ONLY_TRIGGERS,
        CHAIN_START,
        DROP_APPEND_ONLY_TRIGGERS,
        AuditChainHead,
    )

    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # In one round trip, and without DDL: this transaction alone runs as a replica,
                # which fires no ordinary triggers (the audit trail's refusal of DELETE among
                # them, migration 0010, nor the foreign keys' checks). Dropping and creating the
                # audit triggers for every test, and a statement per table, cost the server more
                # than most tests do.
                connection.exec_driver_sql(
                    "; ".join(
                        [
                            "SET LOCAL session_replication_role = replica",
                            *(f'DELETE FROM "{table.name}"' for table in tables),
                            # Ids start at 1 again, as they do on SQLite once a table is empty.
                            "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE c.relkind = 'S' AND n.nspname = current_schema()",
                        ]
                    )
                )
            else:
                # The audit trail refuses DELETE (migration 0010): off while emptying.
                for statement in DROP_APPEND_ONLY_TRIGGERS[connection.dialect.name]:
                    connection.execute(text(statement))
                # DELETE, not TRUNCATE: a test leaves a few rows.
                for table in tables:
                    connection.execute(table.delete())
                for statement in APPEND_ONLY_TRIGGERS[connection.dialect.name]:
                    connection.execute(text(statement))
            connection.execute(insert(AuditChainHead).values(CHAIN_START))
    evidence_dir = Path(app.config["EVIDENCE_DIR"])
    shutil.rmtree(evidence_dir, ignore_errors=True)
    evidence_dir.mkdir(parents=True, exist_ok=True)


def login(client: FlaskClient, user: User, password: str = PASSWORD) -> None:
    """Log in through the form, with the second step for staff."""
    client.post("/uitloggen")
    response = client.post("/inloggen", data={"email": user.email, "password": password})
    if response.status_code == 302 and response.location.startswith("/inloggen/code"):
        response = client.post("/inloggen/code", data={"code": factories.current_code(user)})
    assert response.status_code == 302, "log-in failed"
