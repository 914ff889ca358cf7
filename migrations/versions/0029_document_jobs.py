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
    # A decision letter or assessment report is recorded with the decision and rendered by a job
    # after it commits (services/letters.py, services/assessment_report.py): until then its
    # sha256 is '' and rendered_at NULL. The rows written before were rendered with the decision.
    for table in ('decision_letter', 'assessment_report'):
        op.add_column(table, sa.Column('rendered_at', sa.DateTime(timezone=True), nullable=True))
        op.execute(f'UPDATE {table} SET rendered_at = created_at')
    # An agreement whose PDF (as drawn up, or as signed) a job is still rendering
    # (services/agreements.py).
    op.add_column(
        'framework_agreement',
        sa.Column('document_pending', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column('framework_agreement', 'document_pending')
    for table in ('assessment_report', 'decision_letter'):
        op.drop_column(table, 'rendered_at')
