"""A second instance for backup and restore tests: the data to back up (`build_portal`), an
empty second database (the `target_url` fixture; tests/conftest.py loads this module as a
plugin), an app on it (`make_target`), and the two commands (`create_archive`, `restore`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, make_url, select
from sqlalchemy.engine import Engine

from portal import create_app
from portal.extensions import db
from portal.models import EvidenceType, OrganisationRole, Role
from portal.services import applications
from tests import factories

TODAY = date(2027, 3, 1)


def build_portal() -> None:
    """An organisation with two users, a submitted application with its answers and two
    different evidence files, a reviewer on the DAS."""
    das = factories.DasFactory()
    reviewer = factories.UserFactory(role=Role.REVIEWER)
    factories.assign(reviewer, das)
    admin = factories.ProviderUserFactory(name="Anna de Vries-Ĳsselmeer")
    factories.ProviderUserFactory(
        organisation=admin.organisation, organisation_role=OrganisationRole.CONTRIBUTOR
    )
    application = factories.complete_draft(das, admin, TODAY)
    factories.upload_pdf(
        admin,
        EvidenceType.OTHER,
        TODAY,
        content=factories.PDF_BYTES + b"% een tweede bestand\n",
    )
    applications.submit(application, admin, datetime(2027, 3, 1, 10, 0, tzinfo=UTC))


def rows_of(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, all columns, ordered by primary key."""
    metadata = MetaData()
    metadata.reflect(engine)
    result = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            order = list(table.primary_key.columns) or list(table.columns)
            result[name] = [
                tuple(row) for row in connection.execute(select(table).order_by(*order))
            ]
    return result


@pytest.fixture()
def target_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database: a new SQLite file, or a new database on the same PostgreSQL
    server (dropped afterwards)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'target.sqlite3'}"
        return
    name = f"backup_target_{uuid.uuid4().hex[:12]}"
    server = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def make_target(url: str, evidence_dir: Path, migrated: bool) -> Flask:
    target = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "DATABASE_URL": url,
            "EVIDENCE_DIR": str(evidence_dir),
            "MAIL_BACKEND": "console",
        }
    )
    if migrated:
        with target.app_context():
            upgrade()
    return target


def create_archive(app: Flask, path: Path) -> None:
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["backup", "create", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert "Back-up geschreven" in result.output


def restore(app: Flask, archive: Path, *extra: str):
    # The command runs in whatever app context is current (flask.cli.with_appcontext), and the
    # test's own is the source instance's.
    with app.app_context():
        return app.test_cli_runner().invoke(args=["backup", "restore", str(archive), *extra])
