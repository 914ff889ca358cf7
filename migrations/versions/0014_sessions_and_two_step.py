"""server-side sessions and providers' two-step verification

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per signed-in browser: the cookie names it, log-out ends it.
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ip_address', sa.String(length=45), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_session_token_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)

    # The secret being set up lives here, not in the readable session cookie (item 16).
    op.add_column('user', sa.Column('totp_pending_secret', sa.String(length=64), nullable=True))

    # An organisation administrator may require two-step verification of every colleague. A plain
    # ADD COLUMN with a literal default: an expression (sa.false()) would make SQLite rebuild the
    # table, and dropping the old `organisation` fails on the rows that refer to it.
    op.add_column('organisation', sa.Column('requires_two_factor', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no rebuild of tables others refer to.
    op.drop_column('organisation', 'requires_two_factor')
    op.drop_column('user', 'totp_pending_secret')
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
    op.drop_table('user_session')
