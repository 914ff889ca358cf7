"""security hardening (issue 15): 64-bit amounts

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 18:15:00

"""
from alembic import op
import sqlalchemy as sa


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


def upgrade():
    for table, column, nullable in AMOUNT_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=nullable
            )


def downgrade():
    for table, column, nullable in AMOUNT_COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=nullable
            )
