"""security hardening: 64-bit amounts; the audit chain keyed with HMAC

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 18:15:00

"""
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from alembic import op
import sqlalchemy as sa

from portal.domain.audit_chain import (
    GENESIS_HASH,
    ChainedEvent,
    ChainHead,
    event_hash,
    find_problems,
    legacy_event_hash,
    recompute_hash,
    recompute_legacy_hash,
)
from portal.models.audit import APPEND_ONLY_TRIGGERS, DROP_APPEND_ONLY_TRIGGERS
from portal.services.audit import CHAIN_KEYED, chain_key


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

# Every amount in cents: 32 bits stop at EUR 21,474,836.47, and the region's yearly budget is
# EUR 51.1M (seed 003).
AMOUNT_COLUMNS = (
    ('tariff', 'amount_cents', False),
    ('tariff', 'previous_cents', True),
    ('lump_sum', 'base_cents', False),
    ('sroi_report', 'amount_cents', False),
    ('das', 'sroi_threshold_cents', False),
)


# The audit chain was plain SHA-256 (0010), which anyone with write access to the database can
# recompute. From here on each link is an HMAC with AUDIT_KEY, a setting kept outside the database.
# The chain recorded so far is checked as it was (plain SHA-256) and re-keyed once, in place, and
# an event "audit.chain_keyed" records that: how many events, the old head hash (so a head hash an
# operator kept from an earlier `flask audit verify` can still be compared), and what was wrong
# with the old chain if anything was. Re-keying is the only way to protect the history recorded so
# far with the key; what it cannot do is vouch for that history more than the plain chain did, so
# anything the check found stays visible: `flask audit verify` reports it for as long as the
# event exists. (A per-event scheme marker was the alternative; but someone who can write the
# database could then mark a rewritten event as old-style.) A database without events is left as
# it is. Restoring a backup taken before this revision, then `flask db upgrade`, keys it the same.
EVENTS = sa.table(
    'audit_event',
    sa.column('id', sa.Integer()),
    sa.column('sequence', sa.Integer()),
    sa.column('previous_hash', sa.String()),
    sa.column('hash', sa.String()),
    sa.column('occurred_at', sa.DateTime(timezone=True)),
    sa.column('actor_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('object_type', sa.String()),
    sa.column('object_id', sa.Integer()),
    sa.column('organisation_id', sa.Integer()),
    sa.column('das_id', sa.Integer()),
    sa.column('details', sa.JSON()),
)
HEAD = sa.table(
    'audit_chain_head',
    sa.column('id', sa.Integer()),
    sa.column('last_sequence', sa.Integer()),
    sa.column('last_hash', sa.String()),
)
CONTENT = (
    'sequence', 'occurred_at', 'actor_id', 'action', 'object_type', 'object_id',
    'organisation_id', 'das_id', 'details',
)


def _read_chain(connection: sa.Connection) -> tuple[ChainHead | None, list[ChainedEvent]]:
    head = connection.execute(sa.select(HEAD.c.last_sequence, HEAD.c.last_hash)).first()
    rows = connection.execute(
        sa.select(EVENTS).order_by(EVENTS.c.sequence, EVENTS.c.id)
    ).mappings().all()
    events = [ChainedEvent(**{name: row[name] for name in ChainedEvent.__dataclass_fields__})
              for row in rows]
    return (ChainHead(head.last_sequence, head.last_hash) if head else None), events


def _rechain(
    connection: sa.Connection, events: list[ChainedEvent], link: Callable[..., str]
) -> tuple[int, str]:
    """Give every event, in chain order, a new previous hash and hash made with `link`, and move
    the head to the last. The append-only triggers are off meanwhile, in this transaction."""
    dialect = connection.dialect.name
    for statement in DROP_APPEND_ONLY_TRIGGERS[dialect]:
        op.execute(statement)
    previous = GENESIS_HASH
    for event in events:
        digest = link(previous, **{name: getattr(event, name) for name in CONTENT})
        connection.execute(
            EVENTS.update().where(EVENTS.c.id == event.id)
            .values(previous_hash=previous, hash=digest)
        )
        previous = digest
    last_sequence = events[-1].sequence if events else 0
    connection.execute(HEAD.delete())
    connection.execute(HEAD.insert().values(id=1, last_sequence=last_sequence, last_hash=previous))
    for statement in APPEND_ONLY_TRIGGERS[dialect]:
        op.execute(statement)
    return last_sequence, previous


def _key_the_chain() -> None:
    connection = op.get_bind()
    head, events = _read_chain(connection)
    if not events:
        return
    key = chain_key()
    found = find_problems(events, head, recompute_legacy_hash)
    legacy_head = head.last_hash if head else None
    last_sequence, last_hash = _rechain(connection, events, partial(event_hash, key))
    content = {
        'sequence': last_sequence + 1,
        'occurred_at': datetime.now(UTC),
        'actor_id': None,
        'action': CHAIN_KEYED,
        'object_type': 'audit_chain_head',
        'object_id': 1,
        'organisation_id': None,
        'das_id': None,
        'details': {
            'scheme': 'hmac-sha256',
            'events': len(events),
            'legacy_head_hash': legacy_head,
            'legacy_problems': [
                {'kind': str(p.kind), 'sequence': p.sequence, 'event_id': p.event_id,
                 'missing': list(p.missing) if p.missing else None}
                for p in found
            ],
        },
    }
    digest = event_hash(key, last_hash, **content)
    connection.execute(EVENTS.insert().values(previous_hash=last_hash, hash=digest, **content))
    connection.execute(
        HEAD.update().values(last_sequence=content['sequence'], last_hash=digest)
    )


def _unkey_the_chain() -> None:
    """Back to plain SHA-256, if the keyed chain is whole (else refuse: the evidence stays). A
    chain that is plain already (a database that ran this revision before it keyed) stays."""
    connection = op.get_bind()
    head, events = _read_chain(connection)
    if not events or not find_problems(events, head, recompute_legacy_hash):
        return
    if find_problems(events, head, partial(recompute_hash, chain_key())):
        raise RuntimeError(
            'De audittrail is niet intact (flask audit verify); de migratie terug naar 0012 '
            'herberekent hem niet.'
        )
    _rechain(connection, events, legacy_event_hash)


def _amount_columns(from_type: sa.types.TypeEngine[int], to_type: sa.types.TypeEngine[int]) -> None:
    # SQLite's INTEGER holds 64 bits already; changing the declared type there would rebuild the
    # tables (batch mode), and dropping `das` while other tables refer to it fails with foreign
    # keys on. The models say so too (portal.models._base.Cents).
    if op.get_bind().dialect.name == 'sqlite':
        return
    for table, column, nullable in AMOUNT_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=from_type, type_=to_type, existing_nullable=nullable
            )


def upgrade() -> None:
    _amount_columns(sa.Integer(), sa.BigInteger())
    _key_the_chain()


def downgrade() -> None:
    _unkey_the_chain()
    _amount_columns(sa.BigInteger(), sa.Integer())
