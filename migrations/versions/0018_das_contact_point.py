"""the DAS's contact point for providers

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain add_column with a literal default: no table rebuild on SQLite.
    op.add_column(
        'das', sa.Column('contact_name', sa.String(length=200), nullable=False, server_default='')
    )
    op.add_column(
        'das', sa.Column('contact_email', sa.String(length=254), nullable=False, server_default='')
    )
    op.add_column(
        'das', sa.Column('contact_phone', sa.String(length=30), nullable=False, server_default='')
    )


def downgrade() -> None:
    op.drop_column('das', 'contact_phone')
    op.drop_column('das', 'contact_email')
    op.drop_column('das', 'contact_name')
