"""The audit trail is append-only and hash-chained (an HMAC keyed with
AUDIT_KEY): the database refuses to change or remove events, and `flask audit verify` finds each kind of
tampering done by someone who got round that. Attacks by someone with write access (recomputing the chain,
changing decisions beside it, deleting back past an anchor) are in test_audit_attacks.py. Runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy.engine import Connection

from portal import create_app
from portal.config import Defaults
from portal.domain.audit_chain import (
    GENESIS_HASH,
    ChainedEvent,
    ProblemKind,
    event_hash,
    find_problems,
    recompute_hash,
    recompute_legacy_hash,
)
from portal.extensions import db
from portal.models import AuditEvent
from portal.models.audit import AuditChainHead
from portal.services import audit
from tests import factories
from tests.support.audit import triggers_bypassed

pytestmark = pytest.mark.usefixtures("app")  # an app context and a wiped database for each

events_table = cast(sa.Table, AuditEvent.__table__)  # a declarative class's table is a Table
KEY = Defaults.AUDIT_KEY.encode()  # the tests' app keeps the development key


def _record_events(count: int) -> list[int]:
    """`count` committed events about one DAS, by one user; their ids in chain order."""
    das = factories.DasFactory()
    actor = factories.UserFactory()
    ids = []
    for n in range(count):
        event = audit.record("test.step", das, actor, das_id=das.id, step=n, note="één")
        db.session.commit()
        ids.append(event.id)
    return ids


def _kinds() -> list[ProblemKind]:
    return [problem.kind for problem in audit.verify().problems]


def _row(connection: Connection, event_id: int) -> dict[str, Any]:
    row = connection.execute(sa.select(events_table).where(events_table.c.id == event_id)).one()
    return {k: v for k, v in row._asdict().items() if k != "id"}


def _set(connection: Connection, event_id: int, **values: Any) -> None:
    connection.execute(events_table.update().where(events_table.c.id == event_id).values(**values))


def _swap(connection: Connection, first: int, second: int, columns: set[str] | None) -> None:
    """Exchange the given columns (all but the id when None) of two events."""
    a, b = _row(connection, first), _row(connection, second)
    if columns is not None:
        a = {k: v for k, v in a.items() if k in columns}
        b = {k: v for k, v in b.items() if k in columns}
    if "sequence" in a:
        _set(connection, first, sequence=-1)  # sequence is unique, checked row by row
    _set(connection, second, **a)
    _set(connection, first, **b)


def test_events_chain() -> None:
    das = factories.DasFactory()
    actor = factories.UserFactory()
    first = audit.record("test.one", das, actor, das_id=das.id, items=(1, 2), text="één")
    db.session.commit()
    # Two in one transaction chain in the order they were recorded.
    second = audit.record("test.two", das, None)
    third = audit.record("test.three", das, actor, organisation_id=None, nested={"b": 1, "a": 2})
    db.session.commit()
    db.session.expire_all()  # read back what the database kept

    events = list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.sequence)))
    assert [e.id for e in events] == [first.id, second.id, third.id]
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].previous_hash == GENESIS_HASH
    assert [e.previous_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert len({e.hash for e in events}) == 3
    assert events[0].details == {"items": [1, 2], "text": "één"}
    for event in events:
        stored = ChainedEvent(**{n: getattr(event, n) for n in ChainedEvent.__dataclass_fields__})
        assert recompute_hash(KEY, stored) == event.hash  # round-trips through the database
    head = db.session.get(AuditChainHead, 1)
    assert (head.last_sequence, head.last_hash) == (3, events[-1].hash)
    result = audit.verify()
    assert result.intact and result.events == 3 and result.last_hash == events[-1].hash


def test_a_rolled_back_event_leaves_no_trace() -> None:
    _record_events(1)
    das = factories.DasFactory()
    audit.record("test.undone", das, None)
    db.session.rollback()
    _record_events(1)
    assert audit.verify().intact
    assert list(db.session.scalars(sa.select(AuditEvent.sequence).order_by("sequence"))) == [1, 2]


def test_concurrent_recorders_make_one_gapless_chain(app: Flask) -> None:
    das = factories.DasFactory()
    das_id = das.id
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def recorder(name: str) -> None:
        with app.app_context():
            try:
                own = db.session.get(type(das), das_id)
                barrier.wait()
                for n in range(4):
                    audit.record("test.concurrent", own, None, who=name, n=n)
                    time.sleep(0.02)  # hold the head a while: the other recorder must wait
                    audit.record("test.concurrent", own, None, who=name, n=n, second=True)
                    db.session.commit()
            except BaseException as error:  # noqa: BLE001  (reported below)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=recorder, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert audit.verify().problems == []
    events = list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.sequence)))
    assert [e.sequence for e in events] == list(range(1, 17))
    # Each transaction's two events are neighbours: the head was held until commit.
    for first, second in zip(events[::2], events[1::2], strict=True):
        assert first.details["who"] == second.details["who"]
        assert second.details.get("second") is True


def test_the_database_refuses_to_change_or_remove_events() -> None:
    (event_id,) = _record_events(1)
    statements: list[sa.Executable] = [
        events_table.update().where(events_table.c.id == event_id).values(action="x"),
        events_table.update().values(details={}),
        events_table.delete().where(events_table.c.id == event_id),
        events_table.delete(),
    ]
    if db.engine.dialect.name == "postgresql":
        statements.append(sa.text("TRUNCATE audit_event CASCADE"))
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    # Through the ORM too.
    event = db.session.get(AuditEvent, event_id)
    event.details = {"step": 99}
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event_id).details["step"] == 0
    assert audit.verify().intact


def _forge_next_event(connection: Connection, ids: list[int], _other_user: int) -> None:
    """Append a correctly hashed event (with the key) straight into the table, without moving
    the head."""
    last = connection.execute(
        sa.select(events_table.c.sequence, events_table.c.hash).order_by(
            events_table.c.sequence.desc()
        )
    ).first()
    content = {
        "sequence": last.sequence + 1,
        "occurred_at": datetime(2027, 1, 1, tzinfo=UTC),
        "actor_id": None,
        "action": "test.forged",
        "object_type": "das",
        "object_id": 1,
        "organisation_id": None,
        "das_id": None,
        "details": {},
    }
    digest = event_hash(KEY, last.hash, **content)
    connection.execute(
        events_table.insert().values(previous_hash=last.hash, hash=digest, **content)
    )


Tampering = Callable[[Connection, list[int], int], object]

TAMPERING: dict[str, tuple[Tampering, list[ProblemKind], str]] = {
    "changed detail": (
        lambda c, ids, _: _set(c, ids[1], details={"step": 1, "note": "anders"}),
        [ProblemKind.CHANGED],
        "Gewijzigd: de inhoud van gebeurtenis #2",
    ),
    "changed actor": (
        lambda c, ids, other_user: _set(c, ids[1], actor_id=other_user),
        [ProblemKind.CHANGED],
        "Gewijzigd: de inhoud van gebeurtenis #2",
    ),
    "changed time": (
        lambda c, ids, _: _set(c, ids[2], occurred_at=datetime(2020, 1, 1, tzinfo=UTC)),
        [ProblemKind.CHANGED],
        "Gewijzigd: de inhoud van gebeurtenis #3",
    ),
    "removed middle event": (
        lambda c, ids, _: c.execute(events_table.delete().where(events_table.c.id == ids[1])),
        [ProblemKind.REMOVED],
        "Verwijderd: #2 ontbreekt vóór gebeurtenis #3",
    ),
    "removed two middle events": (
        lambda c, ids, _: c.execute(events_table.delete().where(events_table.c.id.in_(ids[1:3]))),
        [ProblemKind.REMOVED],
        "Verwijderd: #2 t/m #3 ontbreken vóór gebeurtenis #4",
    ),
    "removed last event": (
        lambda c, ids, _: c.execute(events_table.delete().where(events_table.c.id == ids[-1])),
        [ProblemKind.TRUNCATED],
        "Verwijderd aan het eind: #4 ontbreekt.",
    ),
    "removed first event": (
        lambda c, ids, _: c.execute(events_table.delete().where(events_table.c.id == ids[0])),
        [ProblemKind.REMOVED],
        "Verwijderd: #1 ontbreekt vóór gebeurtenis #2",
    ),
    "all events removed": (
        lambda c, ids, _: c.execute(events_table.delete()),
        [ProblemKind.TRUNCATED],
        "Verwijderd aan het eind: #1 t/m #4 ontbreken.",
    ),
    "swapped contents": (
        lambda c, ids, _: _swap(c, ids[1], ids[2], {"action", "details", "occurred_at"}),
        [ProblemKind.CHANGED, ProblemKind.CHANGED],
        "Gewijzigd: de inhoud van gebeurtenis #3",
    ),
    "swapped sequence numbers": (
        lambda c, ids, _: _swap(c, ids[1], ids[2], {"sequence"}),
        [
            ProblemKind.CHANGED,  # #2 (was #3): its hash covered sequence 3
            ProblemKind.REORDERED,  # #2 names the old #2 as its predecessor, not #1
            ProblemKind.CHANGED,
            ProblemKind.REORDERED,
            ProblemKind.REORDERED,  # #4 names the old #3, which is no longer before it
        ],
        "Volgorde gewijzigd: gebeurtenis #2",
    ),
    "swapped whole events": (
        lambda c, ids, _: _swap(c, ids[1], ids[2], None),
        [ProblemKind.REORDERED],
        "Volgorde gewijzigd: gebeurtenis #3",
    ),
    "forged event appended": (
        _forge_next_event,
        [ProblemKind.HEAD],
        "past niet bij de laatste gebeurtenis #5",
    ),
    "head removed": (
        lambda c, ids, _: c.execute(sa.delete(AuditChainHead)),
        [ProblemKind.HEAD],
        "audit_chain_head) ontbreekt",
    ),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_verify_finds_tampering(app: Flask, name: str) -> None:
    tamper, expected, message = TAMPERING[name]
    ids = _record_events(4)
    other_user = factories.UserFactory().id
    runner = app.test_cli_runner()
    before = runner.invoke(args=["audit", "verify"])
    assert before.exit_code == 0, before.output
    assert "Audittrail intact: 4 gebeurtenissen." in before.output

    with triggers_bypassed() as connection:
        tamper(connection, ids, other_user)

    assert _kinds() == expected
    after = runner.invoke(args=["audit", "verify"])
    assert after.exit_code == 1, after.output
    assert message in after.output
    assert "Audittrail NIET intact" in after.output


def test_the_trail_stays_usable_after_a_test_that_tampered() -> None:
    """wipe() restores the triggers and the head; this runs after the tampering tests."""
    _record_events(2)
    assert audit.verify().intact
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        db.session.execute(events_table.delete())
    db.session.rollback()


# --- the migration chains the events recorded before it ----------------------------------------


def _legacy_problems() -> list[ProblemKind]:
    head, events = audit.read_chain()
    return [p.kind for p in find_problems(events, head, recompute_legacy_hash)]


@pytest.mark.parametrize("tampered", [False, True], ids=["intact", "tampered-before-keying"])
def test_the_migrations_chain_then_key_existing_events(
    target_url: str, tampered: bool, tmp_path: Path
) -> None:
    """0010 chains the events recorded before it with plain SHA-256; 0013 checks that chain and
    re-keys it with AUDIT_KEY, recording that it did and what it found."""
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "DATABASE_URL": target_url,
            "EVIDENCE_DIR": str(tmp_path / "evidence"),
        }
    )
    with other.app_context():
        try:
            upgrade(revision="0009")
            old_events = sa.table(
                "audit_event",
                sa.column("occurred_at", sa.DateTime(timezone=True)),
                sa.column("action", sa.String()),
                sa.column("object_type", sa.String()),
                sa.column("object_id", sa.Integer()),
                sa.column("details", sa.JSON()),
            )
            with db.engine.begin() as connection:
                connection.execute(
                    old_events.insert(),
                    [
                        {
                            "occurred_at": datetime(2026, 5, day, 9, 30, 1, 250, tzinfo=UTC),
                            "action": "test.old",
                            "object_type": "das",
                            "object_id": day,
                            "details": {"day": day, "note": "één"},
                        }
                        for day in (3, 1, 2)
                    ],
                )
            upgrade(revision="0012")
            assert _legacy_problems() == []
            chained = db.session.execute(
                sa.select(AuditEvent.id, AuditEvent.sequence, AuditEvent.hash).order_by(
                    AuditEvent.id
                )
            ).all()
            assert [c.sequence for c in chained] == [1, 2, 3]  # in insertion order
            if tampered:
                with triggers_bypassed() as connection:
                    _set(connection, chained[1].id, details={"day": 1, "note": "anders"})
            db.session.remove()

            upgrade()

            result = audit.verify()
            keyed = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.sequence)).all()
            assert result.events == 4 and keyed[-1].action == audit.CHAIN_KEYED
            assert keyed[-1].details["legacy_head_hash"] == chained[-1].hash
            assert keyed[-1].details["events"] == 3
            assert {e.hash for e in keyed[:3]}.isdisjoint(c.hash for c in chained)
            if tampered:
                # Re-keying does not launder what the old chain showed.
                assert [p.kind for p in result.problems] == [ProblemKind.LEGACY]
                assert keyed[-1].details["legacy_problems"] == [
                    {"kind": "changed", "sequence": 2, "event_id": chained[1].id, "missing": None}
                ]
                output = other.test_cli_runner().invoke(args=["audit", "verify"]).output
                assert "Bij het sleutelen van de keten (migratie 0013, gebeurtenis #4" in output
                # It stays on record, and the chain from here on can still be anchored.
                assert other.test_cli_runner().invoke(args=["audit", "anchor"]).exit_code == 0
                return
            assert result.problems == [] and keyed[-1].details["legacy_problems"] == []
            audit.record("test.new", SimpleNamespace(__tablename__="das", id=9), None)
            db.session.commit()
            assert audit.verify().events == 5 and audit.verify().intact
            with pytest.raises(sa.exc.DBAPIError, match="append-only"):
                db.session.execute(sa.delete(AuditEvent))
            db.session.rollback()
            db.session.remove()

            # And back: the downgrade leaves a plain chain that 0012 verifies.
            downgrade(revision="0012")
            assert _legacy_problems() == []
        finally:
            db.session.remove()
            db.engine.dispose()
