"""The administrators' view of background work (issue 20): jobs that failed, the periodic jobs'
last runs, and the mail outbox, with a second chance for a mail that could not be delivered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from portal.extensions import db
from portal.infra import jobs, mail
from portal.models import JobRun, JobState, MailState, OutboxMail, User
from portal.services import ServiceError, transaction
from portal.services.audit import record
from portal.services.ownership import require_administrator

LISTED = 50


@dataclass(frozen=True)
class Overview:
    failing: list[JobRun]  # failed attempts, newest first (retrying or given up)
    last_runs: list[JobRun]  # the newest run of each periodic job
    mails: list[OutboxMail]  # queued, sending and failed mails, oldest first
    counts: dict[MailState, int]


def overview() -> Overview:
    failing = db.session.scalars(
        sa.select(JobRun)
        .where(JobRun.state.in_((JobState.FAILED, JobState.RETRYING)))
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(LISTED)
    ).all()
    newest = (
        sa.select(JobRun.task, sa.func.max(JobRun.slot).label("slot"))
        .where(JobRun.slot.is_not(None))
        .group_by(JobRun.task)
        .subquery()
    )
    last_runs = db.session.scalars(
        sa.select(JobRun)
        .join(newest, sa.and_(JobRun.task == newest.c.task, JobRun.slot == newest.c.slot))
        .order_by(JobRun.task)
    ).all()
    mails = db.session.scalars(
        sa.select(OutboxMail)
        .where(OutboxMail.state != MailState.SENT)
        .order_by(OutboxMail.created_at, OutboxMail.id)
        .limit(LISTED)
    ).all()
    counts = dict(
        db.session.execute(sa.select(OutboxMail.state, sa.func.count()).group_by(OutboxMail.state))
        .tuples()
        .all()
    )
    return Overview(list(failing), list(last_runs), list(mails), counts)


@transaction
def retry_mail(admin: User, mail_id: int, now: datetime) -> OutboxMail:
    """Give a failed mail a new series of attempts, delivered by a job after this commits."""
    require_administrator(admin)
    row = db.session.get(OutboxMail, mail_id)
    if row is None:
        raise ServiceError("not_found")
    if row.state is not MailState.FAILED:
        raise ServiceError("mail_not_failed")
    row.state = MailState.QUEUED
    row.attempts = 0
    row.next_attempt_at = now
    record("outbox.retried", row, admin, recipient=row.recipient)
    jobs.after_commit(mail.deliver, row.id)
    db.session.commit()
    return row
