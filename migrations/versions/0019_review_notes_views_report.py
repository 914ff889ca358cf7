"""notes between reviewers, the evidence each reviewer opened, the assessment report

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-28 22:00:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'review_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('written_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_review_note_application_id_application')),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_review_note_author_id_user')),
        sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_review_note_criterion_id_criterion')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_review_note')),
    )
    op.create_index(op.f('ix_review_note_application_id'), 'review_note', ['application_id'], unique=False)
    op.create_table(
        'document_view',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('first_viewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_viewed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('times', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_document_view_application_id_application')),
        sa.ForeignKeyConstraint(['document_id'], ['evidence_document.id'], name=op.f('fk_document_view_document_id_evidence_document')),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_document_view_user_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_document_view')),
        sa.UniqueConstraint('application_id', 'document_id', 'user_id', name=op.f('uq_document_view_application_id_document_id_user_id')),
    )
    op.create_index(op.f('ix_document_view_application_id'), 'document_view', ['application_id'], unique=False)
    op.create_table(
        'assessment_report',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_assessment_report_application_id_application')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_report')),
        sa.UniqueConstraint('application_id', name=op.f('uq_assessment_report_application_id')),
    )


def downgrade() -> None:
    op.drop_table('assessment_report')
    op.drop_index(op.f('ix_document_view_application_id'), table_name='document_view')
    op.drop_table('document_view')
    op.drop_index(op.f('ix_review_note_application_id'), table_name='review_note')
    op.drop_table('review_note')
