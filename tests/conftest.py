"""Test set-up: one database per pytest process (SQLite file, or a database on a throwaway
PostgreSQL server started here), built by the migrations, wiped after every test.

    pytest                          # SQLite, one process
    pytest --db postgresql          # a real PostgreSQL server in a temporary directory
    pytest --db postgresql -n 2     # two workers (pytest-xdist), each with its own database

Markers (pyproject.toml): `only_postgresql` and `only_sqlite` tests are deselected on the other
database (not skipped: a skip means something is missing); `real_pdf` tests get WeasyPrint,
every other test a stand-in PDF (tests/support/documents.py). `database_independent` is set here
on every test that does not ask for the database (the `database_url` fixture, directly or through
`app`, `client`, ...): `make test` runs those in its SQLite run only (scripts/test.sh). A test that
reaches a database by any other way (the `--db` option itself) must ask for `database_url`.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from portal.infra import seal  # so is its seal (`real_seal`)
from portal.services import documents  # its PDF renderer is what the fixtures stand in for
from tests import factories
from tests.support.app import (  # noqa: F401  (GENEROUS_LIMITS, login, wipe: used by importers)
    GENEROUS_LIMITS,
    IsolatedClient,
    app_settings,
    login,
    wipe,
)
from tests.support.smtp import SmtpSink

# The moto S3 server and the fixtures around it (s3_server, s3_endpoint, s3_bucket, s3_settings,
# s3_app): see tests/support/s3server.py; a second database for restores (target_url):
# tests/support/backups.py; the authorization grid's scenario and world (tests/support/grid.py).
pytest_plugins = ["tests.support.s3server", "tests.support.backups", "tests.support.grid"]

PASSWORD = factories.PASSWORD
POSTGRES_TEMPLATE = pytest.StashKey[str]()
REAL_RENDER_PDF = documents.render_pdf
REAL_SEAL_PDF = seal.seal_pdf


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="database to run the suite against",
    )


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by the markers set here
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that use no database `database_independent`; deselect the tests that are
    for the other database only."""
    for item in items:
        uses = getattr(item, "fixturenames", ())
        if "database_url" not in uses and not item.get_closest_marker("only_postgresql"):
            item.add_marker(pytest.mark.database_independent)
    other = "only_sqlite" if config.getoption("--db") == "postgresql" else "only_postgresql"
    deselected = [item for item in items if item.get_closest_marker(other)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(other)]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_setupnodes(config: pytest.Config, specs: list[object]) -> None:
    """Before the workers start: one PostgreSQL server and a migrated template for them all."""
    if config.getoption("--db") != "postgresql":
        return
    from tests.support.databases import migrated_template
    from tests.support.pgserver import TemporaryPostgres

    server = TemporaryPostgres(dbname="postgres").start()
    config.add_cleanup(server.stop)
    config.stash[POSTGRES_TEMPLATE] = migrated_template(server.url_for)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    template = node.config.stash.get(POSTGRES_TEMPLATE, None)
    if template is not None:
        node.workerinput["postgresql_template"] = template


@pytest.fixture(scope="session")
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.config.getoption("--db") == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    workerinput = getattr(request.config, "workerinput", {})
    if "postgresql_template" in workerinput:
        from tests.support.databases import copy_of_template

        yield copy_of_template(
            workerinput["postgresql_template"], f"test_{workerinput['workerid']}"
        )
        return
    from tests.support.pgserver import TemporaryPostgres

    with TemporaryPostgres() as server:
        yield server.url


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    """A real SMTP server on loopback that keeps what it receives (one per worker)."""
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
    app = create_app(app_settings(database_url, str(evidence_dir), smtp_server.port))
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


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


@pytest.fixture(scope="session", autouse=True)
def _stand_in_pdfs() -> Iterator[None]:
    """WeasyPrint takes a third of a second a document: only tests that read the PDF pay."""
    from tests.support.documents import stand_in_pdf

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(documents, "render_pdf", stand_in_pdf)
        # Sealing takes 16 ms a document, and most tests issue several: only tests that check
        # the seal (`real_seal`, and `real_pdf`) pay; the others store the document unsealed,
        # through the same path (portal/services/documents.py issue_pdf).
        patch.setattr(seal, "seal_pdf", _unsealed)
        yield


def _unsealed(content: bytes, *args: object, **kwargs: object) -> bytes:
    return content


@pytest.fixture(autouse=True)
def _real_pdf(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_pdf"):
        monkeypatch.setattr(documents, "render_pdf", REAL_RENDER_PDF)
    if request.node.get_closest_marker("real_pdf") or request.node.get_closest_marker("real_seal"):
        monkeypatch.setattr(seal, "seal_pdf", REAL_SEAL_PDF)


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(autouse=True)
def _fresh_mailbox(request: pytest.FixtureRequest) -> None:
    if "smtp_server" in request.fixturenames:
        request.getfixturevalue("smtp_server").messages.clear()
