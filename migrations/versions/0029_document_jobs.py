"""documents rendered by jobs (issue 20)

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-29 00:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
