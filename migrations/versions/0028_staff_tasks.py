"""staff tasks: digest opt-out and urgent-mail records (issue 20)

Revision ID: 0028
Revises: 0027
Create Date: 2026-11-29 00:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain added column with a literal default (no table rebuild on SQLite: user is referred
    # to by many foreign keys).
    op.add_column(
        'user',
        sa.Column('wants_daily_digest', sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.create_table('task_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('deadline_soon', 'overdue', 'digest', name='taskmailkind', native_enum=False, create_constraint=False, length=20), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_task_mail_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_mail')),
    sa.UniqueConstraint('user_id', 'kind', 'subject_id', 'sent_on', name=op.f('uq_task_mail_user_id_kind_subject_id_sent_on'))
    )


def downgrade() -> None:
    op.drop_table('task_mail')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('wants_daily_digest')
