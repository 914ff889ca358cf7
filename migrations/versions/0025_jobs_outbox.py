"""the job queue's records and the mail outbox (issue 20)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-29 00:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
