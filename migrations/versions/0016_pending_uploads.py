"""received uploads kept while their dates are corrected

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_upload',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_pending_upload_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_pending_upload_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_upload'))
    )
    op.create_index(op.f('ix_pending_upload_organisation_id'), 'pending_upload', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_pending_upload_user_id'), 'pending_upload', ['user_id'], unique=False)
    op.create_index(op.f('ix_pending_upload_sha256'), 'pending_upload', ['sha256'], unique=False)
    op.create_index(op.f('ix_pending_upload_created_at'), 'pending_upload', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('pending_upload')
