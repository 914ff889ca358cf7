"""contract talks: selected providers and planned talks (issue 18)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-28 22:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
