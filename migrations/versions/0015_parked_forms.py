"""forms kept when a session or its form token had expired

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # What someone typed into a form that came back after their session or form token had run
    # out, kept for them until they open the page again (portal/models/parked.py).
    op.create_table('parked_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('browser_key', sa.String(length=64), nullable=True),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(user_id IS NULL) <> (browser_key IS NULL)', name=op.f('ck_parked_form_one_owner')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_parked_form_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parked_form')),
    sa.UniqueConstraint('browser_key', 'path', name=op.f('uq_parked_form_browser_key_path')),
    sa.UniqueConstraint('user_id', 'path', name=op.f('uq_parked_form_user_id_path'))
    )
    op.create_index(op.f('ix_parked_form_user_id'), 'parked_form', ['user_id'], unique=False)
    op.create_index(op.f('ix_parked_form_expires_at'), 'parked_form', ['expires_at'], unique=False)


def downgrade() -> None:
    op.drop_table('parked_form')
