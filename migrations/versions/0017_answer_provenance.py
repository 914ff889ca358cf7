"""where a carried-over answer came from

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('answer', sa.Column('reused_source', sa.String(length=20), nullable=True))
    op.add_column('answer', sa.Column('reused_at', sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        # No table rebuild (it would break the foreign keys to answer): SQLite takes a
        # REFERENCES clause on a new column whose default is NULL, but no later constraint.
        op.execute(
            'ALTER TABLE answer ADD COLUMN reused_from_application_id INTEGER '
            'CONSTRAINT fk_answer_reused_from_application_id_application '
            'REFERENCES application (id)'
        )
    else:
        op.add_column(
            'answer', sa.Column('reused_from_application_id', sa.Integer(), nullable=True)
        )
        op.create_foreign_key(
            op.f('fk_answer_reused_from_application_id_application'),
            'answer',
            'application',
            ['reused_from_application_id'],
            ['id'],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(
            op.f('fk_answer_reused_from_application_id_application'), 'answer', type_='foreignkey'
        )
    # SQLite (3.35+) drops a column that no index or table constraint names.
    op.drop_column('answer', 'reused_from_application_id')
    op.drop_column('answer', 'reused_at')
    op.drop_column('answer', 'reused_source')
