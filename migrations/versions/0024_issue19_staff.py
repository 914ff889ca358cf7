"""staff and the initial round (issue 19): staff invitations per DAS, and revised SROI rules

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-28 22:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('das_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('role', sa.Enum('provider', 'reviewer', 'contract_manager', 'administrator', name='role', native_enum=False, create_constraint=False, length=32), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['das_id'], ['das.id'], name=op.f('fk_staff_invitation_das_id_das')),
        sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'], name=op.f('fk_staff_invitation_invited_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invitation')),
    )
    op.create_index(op.f('ix_staff_invitation_das_id'), 'staff_invitation', ['das_id'], unique=False)
    op.create_table(
        'sroi_rule_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('das_id', sa.Integer(), nullable=False),
        sa.Column('from_year', sa.Integer(), nullable=False),
        sa.Column('threshold_cents', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('percent', sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column('reference_year', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['das_id'], ['das.id'], name=op.f('fk_sroi_rule_change_das_id_das')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_sroi_rule_change_decided_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sroi_rule_change')),
        sa.UniqueConstraint('das_id', 'from_year', name=op.f('uq_sroi_rule_change_das_id_from_year')),
    )
    op.create_index(op.f('ix_sroi_rule_change_das_id'), 'sroi_rule_change', ['das_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sroi_rule_change_das_id'), table_name='sroi_rule_change')
    op.drop_table('sroi_rule_change')
    op.drop_index(op.f('ix_staff_invitation_das_id'), table_name='staff_invitation')
    op.drop_table('staff_invitation')
