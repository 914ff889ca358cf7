"""Background work (issue 20): the mail outbox, the record of job runs, and the tables of the
job queue when it runs on PostgreSQL (Huey's PostgresStorage)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Model
from portal.models._base import Timestamp, str_enum, utcnow


class MailState(enum.StrEnum):
    QUEUED = "queued"  # waiting for (another) delivery attempt
    SENDING = "sending"  # claimed by a delivery job; stale after a while (a killed worker)
    SENT = "sent"
    FAILED = "failed"  # every attempt failed: an administrator may try again


class OutboxMail(Model):
    """A mail written in the transaction of the change that causes it, delivered by a job after
    that commits. The message is stored as sent (RFC 822 bytes, its Message-ID fixed), so a
    second attempt sends the very same mail, and a row that is `sent` is never sent again."""

    __tablename__ = "outbox_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.String(500))
    message_id: Mapped[str] = mapped_column(sa.String(255))
    message: Mapped[bytes] = mapped_column(sa.LargeBinary)
    state: Mapped[MailState] = mapped_column(str_enum(MailState, 16), default=MailState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    # When the next attempt is due (queued), or when the running one started (sending).
    next_attempt_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(Timestamp)

    __table_args__ = (sa.Index("ix_outbox_mail_state_next_attempt_at", "state", "next_attempt_at"),)


class JobState(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    RETRYING = "retrying"  # failed; the queue tries again later
    FAILED = "failed"  # failed and no retries left


class JobRun(Model):
    """A failed attempt of a job, and every run of a periodic job (one row per slot: the unique
    key makes the copy that a second instance's scheduler enqueued skip its work)."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(sa.String(200))
    # The arguments in short (ids and dates; tasks never take more).
    arguments: Mapped[str] = mapped_column(sa.String(200), default="")
    # Periodic jobs: the start of the day, hour or minutes this run covers (Dutch time).
    slot: Mapped[datetime | None]
    state: Mapped[JobState] = mapped_column(str_enum(JobState, 16), default=JobState.RUNNING)
    attempt: Mapped[int] = mapped_column(default=1)
    started_at: Mapped[datetime] = mapped_column(Timestamp, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # The error's type and message, without a traceback or any configured secret.
    error: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.UniqueConstraint("task", "slot"),
        sa.Index("ix_job_run_state_started_at", "state", "started_at"),
    )


# Huey's PostgresStorage (JOBS_BACKEND=postgresql) keeps the queue in these tables. Declared here
# so that they come from the migrations like every other table (Huey is told not to create them);
# unused with the other backends. Their layout is Huey 3's (huey/storage.py, PostgresStorage).
_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # bigserial; SQLite's rowid

huey_kv = sa.Table(
    "huey_kv",
    Model.metadata,
    sa.Column("queue", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.LargeBinary, nullable=False),
)
huey_schedule = sa.Table(
    "huey_schedule",
    Model.metadata,
    sa.Column("id", _BigId, primary_key=True),
    sa.Column("queue", sa.Text, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("timestamp", sa.Double, nullable=False),
    sa.Index("huey_schedule_queue_timestamp", "queue", "timestamp"),
)
huey_task = sa.Table(
    "huey_task",
    Model.metadata,
    sa.Column("id", _BigId, primary_key=True),
    sa.Column("queue", sa.Text, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("priority", sa.Double, nullable=False, server_default=sa.text("0.0")),
    sa.Index("huey_task_queue_priority_id", "queue", "priority", "id"),
)
huey_counter = sa.Table(
    "huey_counter",
    Model.metadata,
    sa.Column("queue", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False, server_default=sa.text("0")),
)
