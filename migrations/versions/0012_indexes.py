"""indexes for the pages' filters and sorts

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25 14:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The reviewer queue filters on a lot; the register filters on a lot and sorts by start date;
    # the DAS overview sums one KPI over every agreement.
    with op.batch_alter_table('application_lot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_lot_lot_id'), ['lot_id'], unique=False)

    with op.batch_alter_table('agreement_lot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_lot_lot_id'), ['lot_id'], unique=False)

    with op.batch_alter_table('framework_agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_framework_agreement_start_date'), ['start_date'], unique=False)

    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.create_index('ix_kpi_value_definition', ['definition_id', 'period_start'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_value', schema=None) as batch_op:
        batch_op.drop_index('ix_kpi_value_definition')

    with op.batch_alter_table('framework_agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_framework_agreement_start_date'))

    with op.batch_alter_table('agreement_lot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_lot_lot_id'))

    with op.batch_alter_table('application_lot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_lot_lot_id'))
