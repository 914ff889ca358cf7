"""The audit trail as a keyed hash chain: each event carries an HMAC of its own content and of the
event before it, so changing, removing or reordering an event breaks the chain where it happened,
and nobody without the key can write a chain that verifies.

Why: audit events are append-only and each carries a hash of its content and of the previous
event, so a change or a deletion shows; the chain is keyed with a secret kept outside the
database, so someone who can write to the database cannot recompute it. The
construction is the usual one for tamper-evident logs (Schneier & Kelsey, "Secure audit logs to
support computer forensics", 1999; Crosby & Wallach, "Efficient data structures for tamper-evident
logging", 2009), with HMAC-SHA256 (RFC 2104) as the link. The key is never in the database, so
someone who can write the database can still delete the newest events and set the head back;
anchors (the head, with a time and an HMAC, written outside the database by `flask audit anchor`)
show that too, back to the last anchor.

Chains recorded before migration 0013 used plain SHA-256 (`legacy_event_hash`); that migration
checks such a chain and re-keys it once.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
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
    canonical: dict[str, Any] = json.loads(json.dumps(details))
    return canonical


def _serialised(
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
) -> bytes:
    """A canonical JSON form of the previous hash and the event's content. `occurred_at` counts
    as UTC when naive (SQLite gives stored UTC back without a zone)."""
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
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode(
        "ascii"
    )


def event_hash(key: bytes, previous_hash: str, **content: Any) -> str:
    """HMAC-SHA256 (hex) with `key` over the previous hash and the event's content (the keyword
    arguments of `_serialised`)."""
    return hmac.new(key, _serialised(previous_hash, **content), hashlib.sha256).hexdigest()


def legacy_event_hash(previous_hash: str, **content: Any) -> str:
    """Plain SHA-256, as the chain was recorded from migration 0010 until migration 0013 keyed it.
    Only those two migrations use it."""
    return hashlib.sha256(_serialised(previous_hash, **content)).hexdigest()


def _content(event: ChainedEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "organisation_id": event.organisation_id,
        "das_id": event.das_id,
        "details": event.details,
    }


def recompute_hash(key: bytes, event: ChainedEvent) -> str:
    return event_hash(key, event.previous_hash, **_content(event))


def recompute_legacy_hash(event: ChainedEvent) -> str:
    return legacy_event_hash(event.previous_hash, **_content(event))


class ProblemKind(enum.StrEnum):
    CHANGED = "changed"  # the content no longer matches the event's hash
    REMOVED = "removed"  # a gap in the sequence
    REORDERED = "reordered"  # links or row order disagree with the sequence
    DUPLICATE = "duplicate"  # two events with one sequence number
    TRUNCATED = "truncated"  # the head says there were more events than there are
    HEAD = "head"  # the head is missing or does not match the last event
    # Anchors (written outside the database by `flask audit anchor`):
    ANCHOR_CHANGED = "anchor_changed"  # the anchored event no longer has the anchored hash
    ANCHOR_TRUNCATED = "anchor_truncated"  # the chain ends before the last anchored event
    ANCHOR_INVALID = "anchor_invalid"  # an anchor that is unreadable or whose HMAC is wrong
    # Found by migration 0013 in the chain recorded before it was keyed (details of the event
    # "audit.chain_keyed"): the re-keyed chain is whole, but what came before was not.
    LEGACY = "legacy"


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    sequence: int | None = None  # the event where it shows
    event_id: int | None = None
    # For REMOVED, TRUNCATED and ANCHOR_TRUNCATED: the missing sequence numbers, first and last.
    missing: tuple[int, int] | None = None
    anchor: str = ""  # for the ANCHOR_ kinds: which anchor (its name in the store)


@dataclass(frozen=True)
class ChainHead:
    last_sequence: int
    last_hash: str


def find_problems(
    events: Iterable[ChainedEvent],
    head: ChainHead | None,
    expected_hash: Callable[[ChainedEvent], str],
) -> list[Problem]:
    """Everything wrong with a chain, given its events in sequence order, the stored head and
    the hash each event should carry (`functools.partial(recompute_hash, key)`)."""
    problems: list[Problem] = []
    previous: ChainedEvent | None = None
    for event in events:
        if not hmac.compare_digest(expected_hash(event), event.hash):
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


# --- anchors ---------------------------------------------------------------------------------

ANCHOR_FORMAT = 1


@dataclass(frozen=True)
class Anchor:
    """The head of the chain at a moment, sealed with the key: written where the database's
    users cannot change it (the file store, append-only), so that the chain can be held to it."""

    sequence: int
    hash: str
    anchored_at: datetime  # aware, UTC
    mac: str
    name: str = ""  # where it is kept (the store's key), for messages


def anchor_mac(key: bytes, sequence: int, last_hash: str, anchored_at: datetime) -> str:
    # "kind" keeps an anchor's MAC from ever equalling an event's: events have no such field.
    content = {
        "kind": "audit-anchor",
        "sequence": sequence,
        "hash": last_hash,
        "anchored_at": anchored_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }
    serialised = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, serialised.encode("ascii"), hashlib.sha256).hexdigest()


def make_anchor(key: bytes, head: ChainHead, anchored_at: datetime) -> Anchor:
    moment = anchored_at.astimezone(UTC)
    return Anchor(
        head.last_sequence,
        head.last_hash,
        moment,
        anchor_mac(key, head.last_sequence, head.last_hash, moment),
    )


def anchor_bytes(anchor: Anchor) -> bytes:
    """The anchor as it is stored: small JSON that a person can read."""
    document = {
        "format": ANCHOR_FORMAT,
        "sequence": anchor.sequence,
        "hash": anchor.hash,
        "anchored_at": anchor.anchored_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "hmac_sha256": anchor.mac,
    }
    return json.dumps(document, indent=2, sort_keys=True).encode("ascii") + b"\n"


def read_anchor(content: bytes, name: str) -> Anchor:
    """The anchor stored under `name`; ValueError when it is not one."""
    try:
        document = json.loads(content)
        if document["format"] != ANCHOR_FORMAT:
            raise ValueError(f"unknown anchor format {document['format']!r}")
        anchored_at = datetime.fromisoformat(document["anchored_at"])
        if anchored_at.tzinfo is None:
            raise ValueError("anchored_at has no time zone")
        sequence, last_hash, mac = document["sequence"], document["hash"], document["hmac_sha256"]
        if (
            not isinstance(sequence, int)
            or not isinstance(last_hash, str)
            or not isinstance(mac, str)
        ):
            raise ValueError("wrong types")
    except (KeyError, TypeError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not an anchor: {error}") from error
    return Anchor(sequence, last_hash, anchored_at.astimezone(UTC), mac, name)


def anchor_problems(
    key: bytes, anchors: Iterable[Anchor], hashes: Mapping[int, str]
) -> list[Problem]:
    """Where the chain (`hashes`: the stored hash of each sequence number) departs from the
    anchors: an anchored event whose hash changed, a chain that ends before the furthest anchor,
    and anchors that are not sealed with the key. An anchored event that is missing from the
    middle of the chain is already a gap (REMOVED) in `find_problems`."""
    problems: list[Problem] = []
    last_sequence = max(hashes, default=0)
    furthest: Anchor | None = None
    for anchor in anchors:
        expected = anchor_mac(key, anchor.sequence, anchor.hash, anchor.anchored_at)
        if not hmac.compare_digest(expected, anchor.mac):
            problems.append(Problem(ProblemKind.ANCHOR_INVALID, anchor=anchor.name))
            continue
        if anchor.sequence > last_sequence:
            if furthest is None or anchor.sequence > furthest.sequence:
                furthest = anchor
        elif anchor.sequence in hashes and hashes[anchor.sequence] != anchor.hash:
            problems.append(
                Problem(ProblemKind.ANCHOR_CHANGED, anchor.sequence, anchor=anchor.name)
            )
    if furthest is not None:
        problems.append(
            Problem(
                ProblemKind.ANCHOR_TRUNCATED,
                missing=(last_sequence + 1, furthest.sequence),
                anchor=furthest.name,
            )
        )
    return problems
