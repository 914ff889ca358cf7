"""SROI reference turnover per provider and year (issue 21)

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-29 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sroi_turnover',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('amount_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('source', sa.Enum('form', 'import', name='turnoversource', native_enum=False, create_constraint=False, length=10), nullable=False),
        sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('entered_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['framework_agreement.id'], name=op.f('fk_sroi_turnover_agreement_id_framework_agreement')),
        sa.ForeignKeyConstraint(['entered_by_id'], ['user.id'], name=op.f('fk_sroi_turnover_entered_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sroi_turnover')),
        sa.UniqueConstraint('agreement_id', 'year', name=op.f('uq_sroi_turnover_agreement_id_year')),
    )


def downgrade() -> None:
    op.drop_table('sroi_turnover')
