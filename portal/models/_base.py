"""Column helpers shared by the models."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store an enum by its value as plain VARCHAR: the same on SQLite and PostgreSQL, and adding a
    member later needs no ALTER TYPE."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


# Timestamps are stored with a time zone; SQLite keeps them as text and gives them back naive,
# so readers compare them through portal.infra.timeutil.as_utc.
Timestamp = sa.DateTime(timezone=True)

# Amounts in cents: 64-bit (migration 0013; 32 bits stop at EUR 21,474,836.47). SQLite's INTEGER
# holds 64 bits already, so there the columns keep their declared type: changing it would
# rebuild `das`, which other tables refer to.
Cents = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def one_current(name: str, *columns: str, condition: str) -> sa.Index:
    """At most one row per `columns` that is `is_current` and meets `condition`: a partial unique
    index, one per combination of nullable breakdown columns (a NULL would make two rows distinct
    in a plain unique index). Used by rows that keep their history (KPI figures, waiting times)."""
    where = sa.text(f"is_current AND {condition}")
    return sa.Index(name, *columns, unique=True, sqlite_where=where, postgresql_where=where)
