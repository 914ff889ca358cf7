"""index figures and tariff sheets: a carried correction (issue 18)

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-28 22:00:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tariff_sheet", sa.Column("version", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "tariff_sheet",
        sa.Column("corrected_years", sa.String(length=100), server_default="", nullable=False),
    )
    op.add_column(
        "tariff_sheet",
        sa.Column("outstanding_years", sa.String(length=100), server_default="", nullable=False),
    )
    # Corrections published before: the n-th sheet of a DAS and year is version n.
    op.execute(
        "UPDATE tariff_sheet SET version = (SELECT COUNT(*) FROM tariff_sheet AS earlier"
        " WHERE earlier.das_id = tariff_sheet.das_id AND earlier.year = tariff_sheet.year"
        " AND earlier.id <= tariff_sheet.id)"
    )
    op.create_index(
        "uq_tariff_sheet_das_id_year_version",
        "tariff_sheet",
        ["das_id", "year", "version"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_tariff_sheet_das_id_year_version", table_name="tariff_sheet")
    op.drop_column("tariff_sheet", "outstanding_years")
    op.drop_column("tariff_sheet", "corrected_years")
    op.drop_column("tariff_sheet", "version")
