"""waiting-time register and API tokens (issue 23)

Revision ID: 0036
Revises: 0035
Create Date: 2026-11-29 05:47:09.941337

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0036'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_used_ip', sa.String(length=45), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_api_token_created_by_id_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_api_token_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user.id'], name=op.f('fk_api_token_revoked_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_token_token_hash'))
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('api_idempotency_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('request_sha256', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_api_idempotency_key_token_id_api_token'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_key')),
    sa.UniqueConstraint('token_id', 'key', name=op.f('uq_api_idempotency_key_token_id_key'))
    )
    with op.batch_alter_table('api_idempotency_key', schema=None) as batch_op:
        batch_op.create_index('ix_api_idempotency_key_created_at', ['created_at'], unique=False)

    op.create_table('waiting_time_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['framework_agreement.id'], name=op.f('fk_waiting_time_reminder_agreement_id_framework_agreement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiting_time_reminder')),
    sa.UniqueConstraint('agreement_id', 'month', name=op.f('uq_waiting_time_reminder_agreement_id_month'))
    )
    op.create_table('waiting_time',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('authority_id', sa.Integer(), nullable=True),
    sa.Column('weeks_to_intake', sa.Integer(), nullable=False),
    sa.Column('weeks_to_treatment', sa.Integer(), nullable=False),
    sa.Column('accepts_new_clients', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('confirmed_unchanged', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('api_token_id', sa.Integer(), nullable=True),
    sa.Column('is_current', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint('weeks_to_intake >= 0 AND weeks_to_treatment >= weeks_to_intake', name=op.f('ck_waiting_time_weeks_in_order')),
    sa.ForeignKeyConstraint(['agreement_id'], ['framework_agreement.id'], name=op.f('fk_waiting_time_agreement_id_framework_agreement')),
    sa.ForeignKeyConstraint(['api_token_id'], ['api_token.id'], name=op.f('fk_waiting_time_api_token_id_api_token')),
    sa.ForeignKeyConstraint(['authority_id'], ['contracting_authority.id'], name=op.f('fk_waiting_time_authority_id_contracting_authority')),
    sa.ForeignKeyConstraint(['lot_id'], ['lot.id'], name=op.f('fk_waiting_time_lot_id_lot')),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_waiting_time_product_id_product')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user.id'], name=op.f('fk_waiting_time_reported_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiting_time'))
    )
    with op.batch_alter_table('waiting_time', schema=None) as batch_op:
        batch_op.create_index('ix_waiting_time_current_lot', ['lot_id', 'weeks_to_intake'], unique=False, sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))
        batch_op.create_index('ix_waiting_time_key', ['agreement_id', 'lot_id', 'reported_at'], unique=False)
        batch_op.create_index('uq_waiting_time_current_authority', ['agreement_id', 'lot_id', 'authority_id'], unique=True, sqlite_where=sa.text('is_current AND product_id IS NULL AND authority_id IS NOT NULL'), postgresql_where=sa.text('is_current AND product_id IS NULL AND authority_id IS NOT NULL'))
        batch_op.create_index('uq_waiting_time_current_both', ['agreement_id', 'lot_id', 'product_id', 'authority_id'], unique=True, sqlite_where=sa.text('is_current AND product_id IS NOT NULL AND authority_id IS NOT NULL'), postgresql_where=sa.text('is_current AND product_id IS NOT NULL AND authority_id IS NOT NULL'))
        batch_op.create_index('uq_waiting_time_current_lot', ['agreement_id', 'lot_id'], unique=True, sqlite_where=sa.text('is_current AND product_id IS NULL AND authority_id IS NULL'), postgresql_where=sa.text('is_current AND product_id IS NULL AND authority_id IS NULL'))
        batch_op.create_index('uq_waiting_time_current_product', ['agreement_id', 'lot_id', 'product_id'], unique=True, sqlite_where=sa.text('is_current AND product_id IS NOT NULL AND authority_id IS NULL'), postgresql_where=sa.text('is_current AND product_id IS NOT NULL AND authority_id IS NULL'))



def downgrade() -> None:
    with op.batch_alter_table('waiting_time', schema=None) as batch_op:
        batch_op.drop_index('uq_waiting_time_current_product', sqlite_where=sa.text('is_current AND product_id IS NOT NULL AND authority_id IS NULL'), postgresql_where=sa.text('is_current AND product_id IS NOT NULL AND authority_id IS NULL'))
        batch_op.drop_index('uq_waiting_time_current_lot', sqlite_where=sa.text('is_current AND product_id IS NULL AND authority_id IS NULL'), postgresql_where=sa.text('is_current AND product_id IS NULL AND authority_id IS NULL'))
        batch_op.drop_index('uq_waiting_time_current_both', sqlite_where=sa.text('is_current AND product_id IS NOT NULL AND authority_id IS NOT NULL'), postgresql_where=sa.text('is_current AND product_id IS NOT NULL AND authority_id IS NOT NULL'))
        batch_op.drop_index('uq_waiting_time_current_authority', sqlite_where=sa.text('is_current AND product_id IS NULL AND authority_id IS NOT NULL'), postgresql_where=sa.text('is_current AND product_id IS NULL AND authority_id IS NOT NULL'))
        batch_op.drop_index('ix_waiting_time_key')
        batch_op.drop_index('ix_waiting_time_current_lot', sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'))

    op.drop_table('waiting_time')
    op.drop_table('waiting_time_reminder')
    with op.batch_alter_table('api_idempotency_key', schema=None) as batch_op:
        batch_op.drop_index('ix_api_idempotency_key_created_at')

    op.drop_table('api_idempotency_key')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_organisation_id'))

    op.drop_table('api_token')
