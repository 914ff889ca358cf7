"""a region runs its own DAS: more CPV codes, SROI reference year, client allocation, privacy
arrangement, initial round, state dates, change notices (issue 19)

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-28 22:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

TEXTS = ('allocation_who_chooses', 'allocation_request', 'allocation_no_capacity', 'privacy_text')


def upgrade() -> None:
    # Plain add_column with literal defaults: no table rebuild on SQLite.
    op.add_column(
        'das', sa.Column('extra_cpv_codes', sa.String(length=200), nullable=False, server_default='')
    )
    op.add_column('das', sa.Column('sroi_reference_year', sa.Integer(), nullable=True))
    for name in TEXTS:
        op.add_column('das', sa.Column(name, sa.Text(), nullable=False, server_default=''))
    op.add_column('das', sa.Column('privacy_role', sa.Enum('processor', 'independent_controller', 'joint_controllers', name='privacyrole', native_enum=False, create_constraint=False, length=32), nullable=True))
    op.add_column('das', sa.Column('first_round_closes_on', sa.Date(), nullable=True))
    op.add_column('das', sa.Column('joint_decision_on', sa.Date(), nullable=True))
    op.add_column('das', sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('das', sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('das', sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'das_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('das_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('published_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['das_id'], ['das.id'], name=op.f('fk_das_change_das_id_das')),
        sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_das_change_published_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_das_change')),
        sa.UniqueConstraint('das_id', 'version', name=op.f('uq_das_change_das_id_version')),
    )
    op.create_index(op.f('ix_das_change_das_id'), 'das_change', ['das_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_das_change_das_id'), table_name='das_change')
    op.drop_table('das_change')
    for name in ('ended_at', 'closed_at', 'published_at', 'joint_decision_on',
                 'first_round_closes_on', 'privacy_role', *TEXTS, 'sroi_reference_year',
                 'extra_cpv_codes'):
        op.drop_column('das', name)
