"""questions and answers on a DAS (nota van inlichtingen, issue 20)

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-29 00:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
