"""criteria: evidence types that count, national and own grounds (issue 19)

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-28 22:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain add_column with literal defaults: no table rebuild on SQLite.
    op.add_column(
        'criterion',
        sa.Column('extra_evidence_types', sa.JSON(), nullable=False, server_default='[]'),
    )
    op.add_column(
        'criterion',
        sa.Column(
            'origin',
            sa.Enum('espd', 'national', 'own', name='criterionorigin', native_enum=False,
                    create_constraint=False, length=32),
            nullable=False,
            server_default='espd',
        ),
    )
    # A criterion that names no ESPD code was the region's own (the demo's "Berichtenverkeer").
    op.execute("UPDATE criterion SET origin = 'own' WHERE espd_codes = ''")


def downgrade() -> None:
    op.drop_column('criterion', 'origin')
    op.drop_column('criterion', 'extra_evidence_types')
