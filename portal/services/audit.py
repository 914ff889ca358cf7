"""Recording audit events. Called inside a service's transaction; the service commits."""

from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.models import AuditEvent, User


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
    event = AuditEvent(
        action=action,
        object_type=obj.__tablename__,
        object_id=obj.id,
        actor_id=actor.id if actor is not None else None,
        organisation_id=organisation_id,
        das_id=das_id,
        details=details,
    )
    db.session.add(event)
    return event


def events_for(obj: Any) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.object_type == obj.__tablename__, AuditEvent.object_id == obj.id)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
