"""Audit events: who did what, when, to which object. Append-only and hash-chained
(portal.domain.audit_chain): each event's `hash` covers its content and the previous event's hash,
and `audit_chain_head` holds the last sequence number and hash."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain.audit_chain import GENESIS_HASH
from portal.extensions import Model
from portal.models._base import Timestamp, utcnow
from portal.models.users import User


class AuditEvent(Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 1, 2, 3 ... without gaps, in the order the events were recorded (portal.services.audit).
    sequence: Mapped[int] = mapped_column(unique=True)
    previous_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))
    occurred_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    das_id: Mapped[int | None] = mapped_column(sa.ForeignKey("das.id"))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor: Mapped[User | None] = relationship()

    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)


class AuditChainHead(Model):
    """The one row (id 1) that says where the chain ends. Recording an event updates it first,
    which serialises concurrent recorders until they commit (portal.services.audit.record)."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_sequence: Mapped[int]
    last_hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)


# The head of an empty chain; the migration inserts it.
CHAIN_START = {"id": 1, "last_sequence": 0, "last_hash": GENESIS_HASH}

# The database refuses to change or remove audit events, whoever asks. Created by migration 0010;
# the test suite's wipe drops and recreates them around emptying the tables.
_REFUSAL = "audit_event is append-only"
APPEND_ONLY_TRIGGERS: dict[str, tuple[str, ...]] = {
    "postgresql": (
        f"""CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{_REFUSAL}: % refused', TG_OP;
        END
        $$""",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
        " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event"
        " FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ),
    "sqlite": (
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event"
        f" BEGIN SELECT RAISE(ABORT, '{_REFUSAL}: UPDATE refused'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event"
        f" BEGIN SELECT RAISE(ABORT, '{_REFUSAL}: DELETE refused'); END",
    ),
}
DROP_APPEND_ONLY_TRIGGERS: dict[str, tuple[str, ...]] = {
    "postgresql": (
        "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
        "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_append_only()",
    ),
    "sqlite": (
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ),
}
