"""Tampering with the audit trail as someone with database access would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from portal.extensions import db
from portal.models.audit import APPEND_ONLY_TRIGGERS, DROP_APPEND_ONLY_TRIGGERS


@contextmanager
def triggers_bypassed() -> Iterator[Connection]:
    """A connection that can change audit events, as someone with database access would get one:
    PostgreSQL: replication mode, in which ordinary triggers do not fire; SQLite: the triggers
    dropped (and put back afterwards)."""
    db.session.remove()
    with db.engine.begin() as connection:
        dialect = connection.dialect.name
        if dialect == "postgresql":
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            for statement in DROP_APPEND_ONLY_TRIGGERS[dialect]:
                connection.execute(sa.text(statement))
        yield connection
        if dialect == "sqlite":
            for statement in APPEND_ONLY_TRIGGERS[dialect]:
                connection.execute(sa.text(statement))
