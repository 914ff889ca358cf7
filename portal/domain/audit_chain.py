"""The audit trail as a hash chain: each event carries the hash of its own content and of the event
before it, so changing, removing or reordering an event breaks the chain where it happened.

Source: issue 9 ("Audit events are append-only; each carries a hash of its content and of the
previous event"). The construction is the usual one for tamper-evident logs (Schneier & Kelsey,
"Secure audit logs to support computer forensics", 1999; Crosby & Wallach, "Efficient data
structures for tamper-evident logging", 2009), without a secret key: it shows tampering by anyone
who does not also rewrite every later hash and the head, so the head hash that `flask audit verify`
prints is worth keeping somewhere outside the database.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The previous hash of the first event.
GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainedEvent:
    """One stored event, as plain values. `id` is the row's primary key: it is not hashed, but
    rows are inserted in chain order, so ids must rise with the sequence."""

    id: int
    sequence: int
    previous_hash: str
    hash: str
    occurred_at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: int
    organisation_id: int | None
    das_id: int | None
    details: dict[str, Any]


def canonical_details(details: dict[str, Any]) -> dict[str, Any]:
    """`details` as it comes back from a JSON column (tuples become lists, keys strings), so the
    hash computed before storing equals the one computed after reading."""
    return json.loads(json.dumps(details))


def event_hash(
    previous_hash: str,
    *,
    sequence: int,
    occurred_at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: int,
    organisation_id: int | None,
    das_id: int | None,
    details: dict[str, Any],
) -> str:
    """sha256 (hex) over a canonical JSON form of the previous hash and the event's content.
    `occurred_at` counts as UTC when naive (SQLite gives stored UTC back without a zone)."""
    moment = occurred_at.replace(tzinfo=UTC) if occurred_at.tzinfo is None else occurred_at
    content = {
        "previous_hash": previous_hash,
        "sequence": sequence,
        "occurred_at": moment.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "organisation_id": organisation_id,
        "das_id": das_id,
        "details": details,
    }
    serialised = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(serialised.encode("ascii")).hexdigest()


def recompute_hash(event: ChainedEvent) -> str:
    return event_hash(
        event.previous_hash,
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        organisation_id=event.organisation_id,
        das_id=event.das_id,
        details=event.details,
    )


class ProblemKind(enum.StrEnum):
    CHANGED = "changed"  # the content no longer matches the event's hash
    REMOVED = "removed"  # a gap in the sequence
    REORDERED = "reordered"  # links or row order disagree with the sequence
    DUPLICATE = "duplicate"  # two events with one sequence number
    TRUNCATED = "truncated"  # the head says there were more events than there are
    HEAD = "head"  # the head is missing or does not match the last event


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    sequence: int | None = None  # the event where it shows
    event_id: int | None = None
    # For REMOVED and TRUNCATED: the missing sequence numbers, first and last.
    missing: tuple[int, int] | None = None


@dataclass(frozen=True)
class ChainHead:
    last_sequence: int
    last_hash: str


def find_problems(events: Iterable[ChainedEvent], head: ChainHead | None) -> list[Problem]:
    """Everything wrong with a chain, given its events in sequence order and the stored head."""
    problems: list[Problem] = []
    previous: ChainedEvent | None = None
    for event in events:
        if recompute_hash(event) != event.hash:
            problems.append(Problem(ProblemKind.CHANGED, event.sequence, event.id))
        expected_sequence = previous.sequence + 1 if previous else 1
        expected_previous_hash = previous.hash if previous else GENESIS_HASH
        if previous is not None and event.sequence == previous.sequence:
            problems.append(Problem(ProblemKind.DUPLICATE, event.sequence, event.id))
        elif event.sequence > expected_sequence:
            problems.append(
                Problem(
                    ProblemKind.REMOVED,
                    event.sequence,
                    event.id,
                    missing=(expected_sequence, event.sequence - 1),
                )
            )
        elif event.previous_hash != expected_previous_hash:
            problems.append(Problem(ProblemKind.REORDERED, event.sequence, event.id))
        elif previous is not None and event.id < previous.id:
            # A valid chain in the wrong rows: whole events (with their hashes) were swapped.
            problems.append(Problem(ProblemKind.REORDERED, event.sequence, event.id))
        previous = event

    last_sequence = previous.sequence if previous else 0
    last_hash = previous.hash if previous else GENESIS_HASH
    if head is None:
        problems.append(Problem(ProblemKind.HEAD))
    elif head.last_sequence > last_sequence:
        problems.append(
            Problem(ProblemKind.TRUNCATED, missing=(last_sequence + 1, head.last_sequence))
        )
    elif head.last_sequence != last_sequence or head.last_hash != last_hash:
        problems.append(
            Problem(
                ProblemKind.HEAD,
                previous.sequence if previous else None,
                previous.id if previous else None,
            )
        )
    return problems
