"""The suite's databases: one per pytest process, built by the migrations.

SQLite: a file in the process's own temporary directory (pytest-xdist gives each worker one).

PostgreSQL: one throwaway server (tests/support/pgserver.py) for the whole run. With workers
(`pytest -n N`), the controlling process starts it before the workers and migrates a template
database once (`migrated_template`); each worker then copies it with `CREATE DATABASE ... TEMPLATE`
(`copy_of_template`). Without workers the one process starts its own server.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

TEMPLATE_DATABASE = "portal_template"


def migrate(database_url: str) -> None:
    """Bring an empty database to the newest schema with the migrations (never create_all)."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "migrate", "DATABASE_URL": database_url})
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()  # a template may have no connections when it is copied


def migrated_template(server_url_for: Callable[[str], str]) -> str:
    """Create and migrate the template database on a running server; returns its URL.

    Runs in the controlling process, whose output is not captured: Alembic's log of every
    migration is kept back, and shown only when a migration fails."""
    url = server_url_for(TEMPLATE_DATABASE)
    _execute(server_url_for("postgres"), f'CREATE DATABASE "{TEMPLATE_DATABASE}"')
    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log):
            migrate(url)
    except Exception:
        sys.stderr.write(log.getvalue())
        raise
    return url


def copy_of_template(template_url: str, name: str) -> str:
    """A new database `name` on the template's server, a copy of the migrated template."""
    template = make_url(template_url)
    _execute(
        template.set(database="postgres").render_as_string(hide_password=False),
        f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"',
    )
    return template.set(database=name).render_as_string(hide_password=False)


def _execute(url: str, statement: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()
