"""talks with several providers, per year (issue 21)

Revision ID: 0032
Revises: 0031
Create Date: 2026-11-29 01:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'contract_talk', sa.Column('topic', sa.Text(), server_default='', nullable=False)
    )
    op.create_table('talk_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('talk_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['framework_agreement.id'], name=op.f('fk_talk_participant_agreement_id_framework_agreement')),
    sa.ForeignKeyConstraint(['talk_id'], ['contract_talk.id'], name=op.f('fk_talk_participant_talk_id_contract_talk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talk_participant')),
    sa.UniqueConstraint('talk_id', 'agreement_id', name=op.f('uq_talk_participant_talk_id_agreement_id'))
    )
    op.create_index(op.f('ix_talk_participant_agreement_id'), 'talk_participant', ['agreement_id'], unique=False)
    # Every talk held so far was held with the provider of the agreement it was logged on.
    op.execute(
        "INSERT INTO talk_participant (talk_id, agreement_id, outcome) "
        "SELECT id, agreement_id, '' FROM contract_talk"
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_talk_participant_agreement_id'), table_name='talk_participant')
    op.drop_table('talk_participant')
    op.drop_column('contract_talk', 'topic')
