"""Test set-up: one database per run (SQLite file, or a throwaway PostgreSQL server started here),
built by the migrations, wiped after every test.

    pytest                     # SQLite
    pytest --db postgresql     # a real PostgreSQL server in a temporary directory
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests import factories
from tests.support.smtp import SmtpSink

# The moto S3 server and the fixtures around it (s3_server, s3_endpoint, s3_bucket, s3_settings,
# s3_app): see tests/support/s3server.py.
pytest_plugins = ["tests.support.s3server"]

PASSWORD = factories.PASSWORD


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database to run the suite against",
    )


@pytest.fixture(scope="session")
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.config.getoption("--db") == "postgresql":
        from tests.support.pgserver import TemporaryPostgres

        with TemporaryPostgres() as server:
            yield server.url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, so its own `g` (the signed-in user) and its own
    database session, as in production; the test's own context stays as it was."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test reads what the request wrote
        return response


GENEROUS_LIMITS = {
    "LOGIN_LIMIT_PER_ADDRESS": "10000 per minute",
    "SECOND_STEP_FAILURES_PER_ACCOUNT": "10000 per minute",
    "LOCKOUT_FAILURES_PER_ACCOUNT": "10000",
    "LOCKOUT_FAILURES_PER_ADDRESS": "10000",
    "LOCKOUT_FAILURES_PER_DEVICE": "10000",
    "ACCOUNT_LIMIT_PER_ADDRESS": "10000 per minute",
    "INVITATION_LIMIT_PER_ORGANISATION": "10000 per minute",
    "INVITATION_LIMIT_PER_ADDRESS": "10000 per minute",
}


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that keeps what it receives."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture()
def mailbox(smtp_server: SmtpSink) -> SmtpSink:
    smtp_server.messages.clear()
    return smtp_server


@pytest.fixture(scope="session")
def app(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, smtp_server: SmtpSink
) -> Iterator[Flask]:
    evidence_dir = tmp_path_factory.mktemp("evidence")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": database_url,
            "EVIDENCE_DIR": str(evidence_dir),
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            # Mailed links are built on this address, whatever host a request names.
            "EXTERNAL_URL": "http://localhost",
            # Plain HTTP in tests. Rate limits stay on (Flask-Limiter's switch is global), high
            # enough for a test suite; tests/views/test_security.py lowers them where it tests them.
            "SESSION_COOKIE_SECURE": False,
            **GENEROUS_LIMITS,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_server.port,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def wipe(app: Flask) -> None:
    from sqlalchemy import text

    from portal.models.audit import (
        APPEND_ONLY_TRIGGERS,
        CHAIN_START,
        DROP_APPEND_ONLY_TRIGGERS,
        AuditChainHead,
    )

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            # The audit trail refuses DELETE and TRUNCATE (migration 0010): off while emptying.
            for statement in DROP_APPEND_ONLY_TRIGGERS[connection.dialect.name]:
                connection.execute(text(statement))
            # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE gives each of the
            # ~50 tables new files (150 ms a test on PostgreSQL; DELETE takes a tenth of that).
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
            if connection.dialect.name == "postgresql":
                # Ids start at 1 again, as they do on SQLite once a table is empty.
                connection.exec_driver_sql(
                    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relkind = 'S' AND n.nspname = current_schema()"
                )
            for statement in APPEND_ONLY_TRIGGERS[connection.dialect.name]:
                connection.execute(text(statement))
            connection.execute(AuditChainHead.__table__.insert().values(CHAIN_START))
    evidence_dir = Path(app.config["EVIDENCE_DIR"])
    shutil.rmtree(evidence_dir, ignore_errors=True)
    evidence_dir.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _context(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app runs inside an app context and leaves an empty database."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.remove()
    wipe(app)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(autouse=True)
def _fresh_mailbox(request: pytest.FixtureRequest) -> None:
    if "smtp_server" in request.fixturenames:
        request.getfixturevalue("smtp_server").messages.clear()


def login(client: FlaskClient, user: object, password: str = PASSWORD) -> None:
    client.post("/uitloggen")
    response = client.post("/inloggen", data={"email": user.email, "password": password})
    if response.status_code == 302 and response.location.startswith("/inloggen/code"):
        from tests.factories import current_code

        response = client.post("/inloggen/code", data={"code": current_code(user)})
    assert response.status_code == 302, "log-in failed"
