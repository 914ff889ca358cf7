"""region KPIs and current KPI values (issue 21)

Revision ID: 0033
Revises: 0032
Create Date: 2026-11-29 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033'
down_revision = '0032'
branch_labels = None
depends_on = None

# At most one current figure per agreement, KPI, period and breakdown (partial: NULLs differ).
CURRENT = [
    ('uq_kpi_value_current_total', (), 'lot_id IS NULL AND authority_id IS NULL'),
    ('uq_kpi_value_current_lot', ('lot_id',), 'lot_id IS NOT NULL AND authority_id IS NULL'),
    ('uq_kpi_value_current_authority', ('authority_id',), 'lot_id IS NULL AND authority_id IS NOT NULL'),
    ('uq_kpi_value_current_both', ('lot_id', 'authority_id'), 'lot_id IS NOT NULL AND authority_id IS NOT NULL'),
]


def upgrade() -> None:
    op.add_column('kpi_definition', sa.Column('region_specific', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('kpi_definition', sa.Column('target_for_region', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('kpi_value', sa.Column('is_current', sa.Boolean(), server_default=sa.false(), nullable=False))
    # The figure that counted so far: the last one reported per agreement, KPI, period and breakdown.
    op.execute(
        sa.text(
            'UPDATE kpi_value SET is_current = true WHERE id IN ('
            ' SELECT max(id) FROM kpi_value'
            ' GROUP BY agreement_id, definition_id, period_start, lot_id, authority_id)'
        )
    )
    op.create_index(
        'ix_kpi_value_current', 'kpi_value', ['definition_id', 'period_start'], unique=False,
        sqlite_where=sa.text('is_current'), postgresql_where=sa.text('is_current'),
    )
    for name, breakdown, condition in CURRENT:
        where = sa.text(f'is_current AND {condition}')
        op.create_index(
            name, 'kpi_value', ['agreement_id', 'definition_id', 'period_start', *breakdown],
            unique=True, sqlite_where=where, postgresql_where=where,
        )


def downgrade() -> None:
    for name, _breakdown, _condition in reversed(CURRENT):
        op.drop_index(name, table_name='kpi_value')
    op.drop_index('ix_kpi_value_current', table_name='kpi_value')
    op.drop_column('kpi_value', 'is_current')
    op.drop_column('kpi_definition', 'target_for_region')
    op.drop_column('kpi_definition', 'region_specific')
