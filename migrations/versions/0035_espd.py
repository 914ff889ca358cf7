"""one provider profile across regions, the ESPD in and out (issue 22)

Revision ID: 0035
Revises: 0034
Create Date: 2026-11-29 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An accepted ESPD response upload: what was read from it, not the file (issue 22).
    op.create_table('espd_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('imported_by_id', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('document_uuid', sa.String(length=200), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=True),
    sa.Column('edm_version', sa.String(length=40), nullable=False),
    sa.Column('contracting_party', sa.String(length=300), nullable=False),
    sa.Column('procedure', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_espd_import_application_id_application'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['imported_by_id'], ['user.id'], name=op.f('fk_espd_import_imported_by_id_user')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_espd_import_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_espd_import'))
    )
    op.create_index(op.f('ix_espd_import_application_id'), 'espd_import', ['application_id'], unique=False)
    op.create_index(op.f('ix_espd_import_organisation_id'), 'espd_import', ['organisation_id'], unique=False)
    # An answer carried over from an imported ESPD names the import (as 0017 does for an
    # application; SQLite takes the REFERENCES clause only on the new column itself).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(
            'ALTER TABLE answer ADD COLUMN reused_from_espd_id INTEGER '
            'CONSTRAINT fk_answer_reused_from_espd_id_espd_import '
            'REFERENCES espd_import (id)'
        )
    else:
        op.add_column('answer', sa.Column('reused_from_espd_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f('fk_answer_reused_from_espd_id_espd_import'),
            'answer',
            'espd_import',
            ['reused_from_espd_id'],
            ['id'],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(
            op.f('fk_answer_reused_from_espd_id_espd_import'), 'answer', type_='foreignkey'
        )
    op.drop_column('answer', 'reused_from_espd_id')
    op.drop_index(op.f('ix_espd_import_organisation_id'), table_name='espd_import')
    op.drop_index(op.f('ix_espd_import_application_id'), table_name='espd_import')
    op.drop_table('espd_import')
