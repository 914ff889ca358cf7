"""lump-sum ceilings and the 3% valve (issue 21)

Revision ID: 0034
Revises: 0033
Create Date: 2026-11-29 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None

CENTS = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    # A lump-sum agreement's ceiling per year; a revision is a new row, so the rows are its
    # history, each with the agreement variation that told the provider (seed 000).
    op.create_table('lump_sum_ceiling',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('amount_cents', CENTS, nullable=False),
    sa.Column('basis', sa.Enum('agreed', 'indexed', name='ceilingbasis', native_enum=False, create_constraint=False, length=20), nullable=False),
    sa.Column('index_total', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('prognosis_part', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('correction_part', sa.Numeric(precision=7, scale=3), nullable=True),
    sa.Column('corrected_years', sa.String(length=100), server_default='', nullable=False),
    sa.Column('outstanding_years', sa.String(length=100), server_default='', nullable=False),
    sa.Column('reason', sa.Text(), server_default='', nullable=False),
    sa.Column('variation_id', sa.Integer(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_lump_sum_ceiling_actor_id_user')),
    sa.ForeignKeyConstraint(['agreement_id'], ['framework_agreement.id'], name=op.f('fk_lump_sum_ceiling_agreement_id_framework_agreement')),
    sa.ForeignKeyConstraint(['variation_id'], ['agreement_variation.id'], name=op.f('fk_lump_sum_ceiling_variation_id_agreement_variation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lump_sum_ceiling'))
    )
    op.create_index(op.f('ix_lump_sum_ceiling_agreement_id'), 'lump_sum_ceiling', ['agreement_id'], unique=False)
    # The provider's audited result per year against the ceiling (the mutual 3% valve).
    op.create_table('lump_sum_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('result_cents', CENTS, nullable=False),
    sa.Column('ceiling_cents', CENTS, nullable=False),
    sa.Column('within_valve', sa.Boolean(), nullable=False),
    sa.Column('auditor', sa.String(length=200), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('review_note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['framework_agreement.id'], name=op.f('fk_lump_sum_result_agreement_id_framework_agreement')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user.id'], name=op.f('fk_lump_sum_result_reported_by_id_user')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_lump_sum_result_reviewed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lump_sum_result')),
    sa.UniqueConstraint('agreement_id', 'year', name=op.f('uq_lump_sum_result_agreement_id_year'))
    )
    op.create_index(op.f('ix_lump_sum_result_agreement_id'), 'lump_sum_result', ['agreement_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_lump_sum_result_agreement_id'), table_name='lump_sum_result')
    op.drop_table('lump_sum_result')
    op.drop_index(op.f('ix_lump_sum_ceiling_agreement_id'), table_name='lump_sum_ceiling')
    op.drop_table('lump_sum_ceiling')
