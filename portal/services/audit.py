"""Recording audit events, anchoring the chain outside the database, and checking that no event
was changed, removed or reordered since and that the decisions beside them still say the same.

`record` is called inside a service's transaction; the service commits. Every event is chained to
the one before it with an HMAC whose key (AUDIT_KEY) is not in the database
(portal.domain.audit_chain); the database refuses to update or delete events (triggers from
migration 0010), and `verify` shows it if someone got round that. `anchor` writes the head to the
file store (portal/infra/storage.py) under `audit-anchors/`, one new object each time, never
overwritten; `verify` holds the chain to every anchor, and replays the trail against the lot
outcomes, agreements and tariff sheets (portal.domain.audit_facts).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from portal.domain import audit_facts
from portal.domain.audit_chain import (
    Anchor,
    ChainedEvent,
    ChainHead,
    Problem,
    ProblemKind,
    anchor_bytes,
    anchor_problems,
    canonical_details,
    event_hash,
    find_problems,
    make_anchor,
    read_anchor,
    recompute_hash,
)
from portal.extensions import db
from portal.infra.storage import get_storage
from portal.models import (
    ApplicationLot,
    AuditEvent,
    FrameworkAgreement,
    Tariff,
    TariffSheet,
    User,
)
from portal.models._base import utcnow
from portal.models.audit import AuditChainHead
from portal.services.paging import Page, paginate_counted

# The row the chain's head is kept in, updated with Core (a declarative class's __table__ is a Table).
_head = cast(sa.Table, AuditChainHead.__table__)
# Where anchors are kept in the store: `audit-anchors/<UTC time>-<sequence>-<random>`, so the
# keys sort by time.
ANCHOR_PREFIX = "audit-anchors/"
# The event with which migration 0013 keyed a chain recorded with plain SHA-256.
CHAIN_KEYED = "audit.chain_keyed"


# The API token a request came in with (issue 23): every event recorded while it is set says so,
# so the trail tells what a provider's software did from what its people did on the pages.
_api_token_id: ContextVar[int | None] = ContextVar("audit_api_token_id", default=None)


@contextmanager
def through_api_token(token_id: int) -> Iterator[None]:
    """Record the events of the enclosed work as done with API token `token_id`."""
    reset = _api_token_id.set(token_id)
    try:
        yield
    finally:
        _api_token_id.reset(reset)


def chain_key(config: Mapping[str, Any] | None = None) -> bytes:
    """The HMAC key of the chain and its anchors (the AUDIT_KEY setting)."""
    settings = current_app.config if config is None else config
    return str(settings["AUDIT_KEY"]).encode("utf-8")


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
    if (token_id := _api_token_id.get()) is not None:
        details = {**details, "api_token_id": token_id}
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
    digest = event_hash(chain_key(), head.last_hash, **content)
    db.session.execute(
        sa.update(_head).where(_head.c.id == 1).values(last_sequence=sequence, last_hash=digest)
    )
    event = AuditEvent(previous_hash=head.last_hash, hash=digest, **content)
    db.session.add(event)
    db.session.flush()  # inserted now, so row ids rise with the sequence
    return event


def events_for(obj: Any, number: int, per_page: int) -> Page[AuditEvent]:
    """One page of an object's timeline, the latest event first. An application or agreement
    gathers events for as long as it lives; the count rides along with the rows, so
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
    last_hash: str | None  # of the last event
    problems: list[Problem]  # of the chain and its anchors
    mismatches: list[audit_facts.Mismatch] = field(default_factory=list)  # of the facts beside it
    anchors: int = 0
    last_sequence: int = 0
    head: ChainHead | None = None
    last_anchor: Anchor | None = None

    @property
    def intact(self) -> bool:
        return not self.problems and not self.mismatches


def read_chain() -> tuple[ChainHead | None, list[ChainedEvent]]:
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
    return head, events


def anchors() -> tuple[list[Anchor], list[str]]:
    """The anchors in the store, oldest first, and the names of objects there that are not
    readable anchors."""
    storage = get_storage()
    found: list[Anchor] = []
    unreadable: list[str] = []
    for name in sorted(info.key for info in storage.list(ANCHOR_PREFIX)):
        try:
            found.append(read_anchor(storage.read_bytes(name), name))
        except (ValueError, FileNotFoundError):
            unreadable.append(name)
    return found, unreadable


def _legacy_problems(events: list[ChainedEvent]) -> list[Problem]:
    """What migration 0013 found wrong with the chain it keyed (recorded in its event)."""
    return [
        Problem(ProblemKind.LEGACY, event.sequence, event.id)
        for event in events
        if event.action == CHAIN_KEYED and event.details.get("legacy_problems")
    ]


def _chain_problems(
    head: ChainHead | None, events: list[ChainedEvent], found: list[Anchor], key: bytes
) -> list[Problem]:
    problems = find_problems(events, head, partial(recompute_hash, key))
    hashes: dict[int, str] = {}
    for event in events:
        hashes.setdefault(event.sequence, event.hash)
    return problems + anchor_problems(key, found, hashes) + _legacy_problems(events)


def current_facts() -> tuple[
    list[audit_facts.LotFact], list[audit_facts.AgreementFact], list[audit_facts.SheetFact]
]:
    """The decisive facts as the database holds them now."""
    lots = [
        audit_facts.LotFact(row.application_id, row.lot_id, str(row.outcome))
        for row in db.session.execute(
            sa.select(ApplicationLot.application_id, ApplicationLot.lot_id, ApplicationLot.outcome)
        )
    ]
    agreements = [
        audit_facts.AgreementFact(row.id, str(row.state), row.end_date)
        for row in db.session.execute(
            sa.select(FrameworkAgreement.id, FrameworkAgreement.state, FrameworkAgreement.end_date)
        )
    ]
    amounts: dict[int, dict[int, int]] = {}
    for row in db.session.execute(
        sa.select(Tariff.sheet_id, Tariff.product_id, Tariff.amount_cents)
    ):
        amounts.setdefault(row.sheet_id, {})[row.product_id] = row.amount_cents
    sheets = [
        audit_facts.SheetFact(
            row.id,
            row.year,
            row.corrects_id,
            amounts.get(row.id, {}),
            sheet_files(row),
        )
        for row in db.session.execute(
            sa.select(
                TariffSheet.id,
                TariffSheet.year,
                TariffSheet.corrects_id,
                TariffSheet.csv_sha256,
                TariffSheet.xlsx_sha256,
                TariffSheet.pdf_sha256,
            )
        )
    ]
    return lots, agreements, sheets


def sheet_files(sheet: Any) -> dict[str, str]:
    """A tariff sheet's published files by kind, as its audit event records them."""
    return {"csv": sheet.csv_sha256, "xlsx": sheet.xlsx_sha256, "pdf": sheet.pdf_sha256}


def verify(*, facts: bool = True) -> Verification:
    """Recompute the whole chain from the stored events with the key, compare it with the head
    and with every anchor in the store, and (unless `facts` is False) replay it against the
    decisive facts."""
    head, events = read_chain()
    found, unreadable = anchors()
    problems = [Problem(ProblemKind.ANCHOR_INVALID, anchor=name) for name in unreadable]
    problems += _chain_problems(head, events, found, chain_key())
    mismatches = audit_facts.compare(events, *current_facts()) if facts else []
    return Verification(
        len(events),
        events[-1].hash if events else None,
        problems,
        mismatches,
        len(found) + len(unreadable),
        events[-1].sequence if events else 0,
        head,
        found[-1] if found else None,
    )


class AnchorRefused(Exception):
    """The chain is not intact: an anchor now would vouch for a head that cannot be trusted."""

    def __init__(self, verification: Verification) -> None:
        super().__init__("the audit chain is not intact")
        self.verification = verification


@dataclass(frozen=True)
class Anchoring:
    anchor: Anchor
    written: bool  # False: the head had not moved since the last anchor


def anchor(now: datetime) -> Anchoring:
    """Write the chain's head, with the time and an HMAC over both, to the store as a new
    object. Refused (AnchorRefused) when the chain or an earlier anchor shows a problem (except
    one migration 0013 recorded: that stays in the history, and the chain after it still wants
    anchoring); nothing is written when the last anchor already holds this head."""
    verification = verify(facts=False)
    blocking = [p for p in verification.problems if p.kind is not ProblemKind.LEGACY]
    if blocking or verification.head is None:
        raise AnchorRefused(verification)
    head, last = verification.head, verification.last_anchor
    if last is not None and (last.sequence, last.hash) == (head.last_sequence, head.last_hash):
        return Anchoring(last, written=False)
    sealed = make_anchor(chain_key(), head, now)
    moment = sealed.anchored_at.astimezone(UTC)
    name = f"{ANCHOR_PREFIX}{moment:%Y%m%dT%H%M%S%fZ}-{head.last_sequence:012d}-{uuid.uuid4().hex[:12]}"
    storage = get_storage()
    if storage.exists(name):  # never overwrite an anchor (the random part makes this unlikely)
        raise FileExistsError(storage.location(name))
    storage.put_bytes(name, anchor_bytes(sealed))
    return Anchoring(
        Anchor(sealed.sequence, sealed.hash, sealed.anchored_at, sealed.mac, name), written=True
    )
