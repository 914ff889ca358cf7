"""Recording audit events, and checking that none was changed, removed or reordered since.

`record` is called inside a service's transaction; the service commits. Every event is chained to
the one before it (portal.domain.audit_chain); the database refuses to update or delete events
(triggers from migration 0010), and `verify` shows it if someone got round that.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.domain.audit_chain import (
    ChainedEvent,
    ChainHead,
    Problem,
    canonical_details,
    event_hash,
    find_problems,
)
from portal.extensions import db
from portal.models import AuditEvent, User
from portal.models._base import utcnow
from portal.models.audit import AuditChainHead
from portal.services.paging import Page, paginate_counted

_head = AuditChainHead.__table__


def record(
    action: str,
    obj: Any,
    actor: User | None = None,
    *,
    organisation_id: int | None = None,
    das_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    db.session.flush()  # the object needs its id
    # Update the head before reading it: the UPDATE takes the row lock (PostgreSQL) or the write
    # lock (SQLite) until this transaction ends, so concurrent recorders queue here and each reads
    # the head the previous one committed. RETURNING gives the newest committed row.
    head = db.session.execute(
        sa.update(_head)
        .where(_head.c.id == 1)
        .values(last_sequence=_head.c.last_sequence)
        .returning(_head.c.last_sequence, _head.c.last_hash)
    ).one_or_none()
    if head is None:
        raise RuntimeError("audit_chain_head has no row: the audit trail cannot be extended")
    sequence = head.last_sequence + 1
    # Python datetimes stop at microseconds, as both databases do: this value round-trips exactly.
    occurred_at = utcnow()
    details = canonical_details(details)
    content = {
        "sequence": sequence,
        "occurred_at": occurred_at,
        "actor_id": actor.id if actor is not None else None,
        "action": action,
        "object_type": obj.__tablename__,
        "object_id": obj.id,
        "organisation_id": organisation_id,
        "das_id": das_id,
        "details": details,
    }
    digest = event_hash(head.last_hash, **content)
    db.session.execute(
        sa.update(_head).where(_head.c.id == 1).values(last_sequence=sequence, last_hash=digest)
    )
    event = AuditEvent(previous_hash=head.last_hash, hash=digest, **content)
    db.session.add(event)
    db.session.flush()  # inserted now, so row ids rise with the sequence
    return event


def events_for(obj: Any, number: int, per_page: int) -> Page[AuditEvent]:
    """One page of an object's timeline, the latest event first. An application or agreement
    gathers events for as long as it lives (issue 10); the count rides along with the rows, so
    a timeline costs its page one statement."""
    return paginate_counted(
        db.select(AuditEvent)
        .options(joinedload(AuditEvent.actor))  # a timeline names each actor
        .where(AuditEvent.object_type == obj.__tablename__, AuditEvent.object_id == obj.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()),
        number,
        per_page,
    )


@dataclass(frozen=True)
class Verification:
    events: int
    last_hash: str | None  # of the last event: worth keeping outside the database
    problems: list[Problem]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify() -> Verification:
    """Recompute the whole chain from the stored events and compare it with the head."""
    # One statement, so the events and the head come from one snapshot even while others record:
    # the head row (or nulls) joined with every event (or nulls).
    one = sa.select(sa.literal(1).label("one")).subquery()
    event_columns = [getattr(AuditEvent, name) for name in ChainedEvent.__dataclass_fields__]
    rows = db.session.execute(
        sa.select(
            _head.c.last_sequence.label("head_sequence"),
            _head.c.last_hash.label("head_hash"),
            *event_columns,
        )
        .select_from(one.outerjoin(_head, _head.c.id == 1).outerjoin(AuditEvent, sa.true()))
        .order_by(AuditEvent.sequence, AuditEvent.id)
    ).all()
    first = rows[0]
    head = (
        ChainHead(first.head_sequence, first.head_hash) if first.head_sequence is not None else None
    )
    events = [
        ChainedEvent(**{name: getattr(row, name) for name in ChainedEvent.__dataclass_fields__})
        for row in rows
        if row.id is not None
    ]
    return Verification(
        len(events), events[-1].hash if events else None, find_problems(events, head)
    )
