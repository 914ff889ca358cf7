"""the job queue's records and the mail outbox (issue 20)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-29 00:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "sending",
                "sent",
                "failed",
                name="mailstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mail")),
    )
    op.create_index(
        "ix_outbox_mail_state_next_attempt_at",
        "outbox_mail",
        ["state", "next_attempt_at"],
        unique=False,
    )

    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=200), nullable=False),
        sa.Column("arguments", sa.String(length=200), nullable=False),
        sa.Column("slot", sa.DateTime(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "running",
                "succeeded",
                "retrying",
                "failed",
                name="jobstate",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
        sa.UniqueConstraint("task", "slot", name=op.f("uq_job_run_task_slot")),
    )
    op.create_index("ix_job_run_state_started_at", "job_run", ["state", "started_at"], unique=False)

    # Huey's queue on PostgreSQL (JOBS_BACKEND=postgresql; huey/storage.py PostgresStorage).
    big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    op.create_table(
        "huey_kv",
        sa.Column("queue", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("queue", "key", name=op.f("pk_huey_kv")),
    )
    op.create_table(
        "huey_schedule",
        sa.Column("id", big_id, nullable=False),
        sa.Column("queue", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("timestamp", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_huey_schedule")),
    )
    op.create_index(
        "huey_schedule_queue_timestamp", "huey_schedule", ["queue", "timestamp"], unique=False
    )
    op.create_table(
        "huey_task",
        sa.Column("id", big_id, nullable=False),
        sa.Column("queue", sa.Text(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("priority", sa.Double(), server_default=sa.text("0.0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_huey_task")),
    )
    op.create_index(
        "huey_task_queue_priority_id", "huey_task", ["queue", "priority", "id"], unique=False
    )
    op.create_table(
        "huey_counter",
        sa.Column("queue", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("queue", "key", name=op.f("pk_huey_counter")),
    )


def downgrade() -> None:
    op.drop_table("huey_counter")
    op.drop_index("huey_task_queue_priority_id", table_name="huey_task")
    op.drop_table("huey_task")
    op.drop_index("huey_schedule_queue_timestamp", table_name="huey_schedule")
    op.drop_table("huey_schedule")
    op.drop_table("huey_kv")
    op.drop_index("ix_job_run_state_started_at", table_name="job_run")
    op.drop_table("job_run")
    op.drop_index("ix_outbox_mail_state_next_attempt_at", table_name="outbox_mail")
    op.drop_table("outbox_mail")
