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
    # Talks logged before this revision were held: their report was entered with them.
    op.add_column(
        'contract_talk',
        sa.Column('status', sa.Enum('planned', 'held', name='talkstatus', native_enum=False, create_constraint=False, length=32), server_default='held', nullable=False),
    )
    op.create_table(
        'talk_selection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('selected_by_id', sa.Integer(), nullable=False),
        sa.Column('selected_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agreement_id'], ['framework_agreement.id'], name=op.f('fk_talk_selection_agreement_id_framework_agreement')),
        sa.ForeignKeyConstraint(['selected_by_id'], ['user.id'], name=op.f('fk_talk_selection_selected_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_talk_selection')),
        sa.UniqueConstraint('agreement_id', 'year', name=op.f('uq_talk_selection_agreement_id_year')),
    )
    op.create_table(
        'report_reminder',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agreement_id', sa.Integer(), nullable=False),
        sa.Column('report', sa.Enum('kpi', 'sroi', name='reportkind', native_enum=False, create_constraint=False, length=32), nullable=False),
        sa.Column('definition_id', sa.Integer(), nullable=True),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('reason', sa.Enum('due_soon', 'late', 'manual', name='reminderreason', native_enum=False, create_constraint=False, length=32), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agreement_id'], ['framework_agreement.id'], name=op.f('fk_report_reminder_agreement_id_framework_agreement')),
        sa.ForeignKeyConstraint(['definition_id'], ['kpi_definition.id'], name=op.f('fk_report_reminder_definition_id_kpi_definition')),
        sa.ForeignKeyConstraint(['sent_by_id'], ['user.id'], name=op.f('fk_report_reminder_sent_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_reminder')),
    )
    op.create_index(op.f('ix_report_reminder_agreement_id'), 'report_reminder', ['agreement_id'], unique=False)
    # One reminder per report, reason and day (a double click mails once); partial, since two
    # SROI rows (no KPI: NULL) would otherwise never be equal.
    op.create_index('uq_report_reminder_kpi', 'report_reminder', ['agreement_id', 'definition_id', 'period_start', 'reason', 'sent_on'], unique=True, sqlite_where=sa.text('definition_id IS NOT NULL'), postgresql_where=sa.text('definition_id IS NOT NULL'))
    op.create_index('uq_report_reminder_sroi', 'report_reminder', ['agreement_id', 'period_start', 'reason', 'sent_on'], unique=True, sqlite_where=sa.text('definition_id IS NULL'), postgresql_where=sa.text('definition_id IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_report_reminder_sroi', table_name='report_reminder')
    op.drop_index('uq_report_reminder_kpi', table_name='report_reminder')
    op.drop_index(op.f('ix_report_reminder_agreement_id'), table_name='report_reminder')
    op.drop_table('report_reminder')
    op.drop_table('talk_selection')
    op.drop_column('contract_talk', 'status')
