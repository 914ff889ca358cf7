"""staff tasks: digest opt-out and urgent-mail records (issue 20)

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-29 00:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
