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
    pass


def downgrade() -> None:
    pass
