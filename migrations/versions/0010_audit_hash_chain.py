"""audit hash chain: sequence and hashes on audit events, the chain head, append-only triggers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 14:00:00

"""
from alembic import op
import sqlalchemy as sa

# Plain SHA-256, as this revision chained; 0013 keys the chain with an HMAC.
from portal.domain.audit_chain import GENESIS_HASH, canonical_details
from portal.domain.audit_chain import legacy_event_hash as event_hash
from portal.models.audit import APPEND_ONLY_TRIGGERS, DROP_APPEND_ONLY_TRIGGERS


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    head = op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_sequence', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))

    # Chain the events recorded so far, in the order they were inserted.
    events = sa.table('audit_event',
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
    connection = op.get_bind()
    last_sequence, last_hash = 0, GENESIS_HASH
    for row in connection.execute(sa.select(events).order_by(events.c.id)).mappings().all():
        sequence = last_sequence + 1
        digest = event_hash(
            last_hash,
            sequence=sequence,
            occurred_at=row['occurred_at'],
            actor_id=row['actor_id'],
            action=row['action'],
            object_type=row['object_type'],
            object_id=row['object_id'],
            organisation_id=row['organisation_id'],
            das_id=row['das_id'],
            details=canonical_details(row['details']),
        )
        connection.execute(
            events.update().where(events.c.id == row['id'])
            .values(sequence=sequence, previous_hash=last_hash, hash=digest)
        )
        last_sequence, last_hash = sequence, digest
    op.bulk_insert(head, [{'id': 1, 'last_sequence': last_sequence, 'last_hash': last_hash}])

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('sequence', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('previous_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_sequence'), ['sequence'])

    # After the batch above: on SQLite it rebuilds the table, which would lose triggers. (Any later
    # batch_alter_table on audit_event must recreate them the same way.)
    for statement in APPEND_ONLY_TRIGGERS[connection.dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    connection = op.get_bind()
    for statement in DROP_APPEND_ONLY_TRIGGERS[connection.dialect.name]:
        op.execute(statement)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_sequence'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('previous_hash')
        batch_op.drop_column('sequence')

    op.drop_table('audit_chain_head')
