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
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('das_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subject', sa.Enum('procedure', 'exclusion', 'suitability', 'lots', 'tariffs', 'agreement', 'other', name='questionsubject', native_enum=False, length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('state', sa.Enum('open', 'answered', 'merged', name='questionstate', native_enum=False, length=32), nullable=False),
    sa.Column('draft_answer', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('corrected_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['das_id'], ['das.id'], name=op.f('fk_question_das_id_das')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_question_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['asked_by_id'], ['user.id'], name=op.f('fk_question_asked_by_id_user')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['question.id'], name=op.f('fk_question_merged_into_id_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question')),
    sa.UniqueConstraint('das_id', 'number', name=op.f('uq_question_das_id_number'))
    )
    op.create_index(op.f('ix_question_das_id'), 'question', ['das_id'], unique=False)
    op.create_index(op.f('ix_question_organisation_id'), 'question', ['organisation_id'], unique=False)
    op.create_table('question_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_revision_question_id_question')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_question_revision_published_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_revision'))
    )
    op.create_index(op.f('ix_question_revision_question_id'), 'question_revision', ['question_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_question_revision_question_id'), table_name='question_revision')
    op.drop_table('question_revision')
    op.drop_index(op.f('ix_question_organisation_id'), table_name='question')
    op.drop_index(op.f('ix_question_das_id'), table_name='question')
    op.drop_table('question')
