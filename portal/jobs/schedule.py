"""What runs when, inside the application (no cron): periodic jobs on the job queue's scheduler.

Every instance may run a scheduler (the embedded worker of `make run`, or each
`flask --app portal jobs worker`); each job records its run under (name, slot) before it works
(portal/infra/jobs.py), so a slot runs once however many schedulers fired it. Times are Dutch
(Europe/Amsterdam; a daily job fires for ten minutes from its time) and avoid 02:00-03:00, the
hour that a change to or from summer time skips or repeats. The flask commands (`reminders`,
`privacy purge`, `audit anchor` ...) stay as manual triggers of the same work.

| job | when |
|---|---|
| outbox_sweep | every 5 minutes: mails without a pending delivery job |
| document_sweep | every 5 minutes: letters, reports and agreements whose render job was lost |
| audit_anchor | hourly at :07 |
| staff_urgent_mails | hourly at :15 (services/staff_tasks.send_urgent_mails) |
| privacy_purge | daily 01:30 |
| evidence_sweep | daily 03:30 |
| outbox_purge | daily 03:45: sent mails after OUTBOX_KEEP_DAYS, old job records, API idempotency keys |
| audit_verify | daily 04:00: fails (visible to administrators) when the trail is not intact |
| signature_reminders | daily 06:00: reminders and suspensions of unsigned agreements |
| kpi_reminders | daily 06:15 |
| waiting_time_reminders | daily 06:30: once a month per agreement with an empty or outdated register |
| staff_daily_digests | daily 07:00 (services/staff_tasks.send_daily_digests) |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from huey import crontab

from portal.extensions import db
from portal.infra import jobs, mail
from portal.infra.timeutil import AMSTERDAM, local_date
from portal.models import JobRun, JobState

# Records of job runs are kept this long (the administrators' page shows the recent ones).
JOB_RUNS_KEEP_DAYS = 90


def dutch_time(window: int = 1, **fields: str) -> Callable[[datetime], bool]:
    """A crontab in Dutch time, firing in each of the `window` minutes from a matching one. Huey's
    scheduler hands its validator a naive UTC time once a minute; a daily job fires for ten
    minutes, so a scheduler that missed its minute (a restart, a stall) still starts it, and the
    run recorded per day (its slot) keeps it to one run. A failed run is tried again within
    the window."""
    matches = crontab(**fields)

    def validate(timestamp: datetime) -> bool:
        local = timestamp.replace(tzinfo=UTC).astimezone(AMSTERDAM).replace(tzinfo=None)
        return any(matches(local - timedelta(minutes=back)) for back in range(window))

    return validate


DAILY_WINDOW = 10


class AuditTrailNotIntact(Exception):
    """`audit verify` found problems: the job fails, and administrators see it."""


@jobs.periodic(dutch_time(minute="*/5"), slot=5)
def outbox_sweep(now: datetime) -> int:
    """Enqueue delivery for mails left without a job (queue down at commit, a worker died)."""
    return mail.sweep_outbox(now)


@jobs.periodic(dutch_time(minute="*/5"), slot=5)
def document_sweep(now: datetime) -> int:
    """Render jobs for letters, assessment reports and agreements whose job was lost (a worker
    died, the queue was down at the commit): services/pending_documents.py."""
    from portal.services.pending_documents import sweep

    return sweep(now)


@jobs.periodic(dutch_time(minute="7"), slot="hour")
def audit_anchor(now: datetime) -> None:
    """Seal the audit chain's head in the store (`flask audit anchor`)."""
    from portal.services.audit import anchor

    anchor(now)


@jobs.periodic(dutch_time(minute="15"), slot="hour")
def staff_urgent_mails(now: datetime) -> int:
    """Mail staff about what waits for them and cannot wait for tomorrow's digest."""
    from portal.services.staff_tasks import send_urgent_mails

    return send_urgent_mails(now)


@jobs.periodic(dutch_time(DAILY_WINDOW, minute="30", hour="1"), slot="day")
def privacy_purge(now: datetime) -> None:
    """Declarations and evidence past the retention period (`flask privacy purge`)."""
    from portal.services.privacy_purge import purge

    purge(local_date(now), int(current_app.config["RETENTION_YEARS"]))


@jobs.periodic(dutch_time(DAILY_WINDOW, minute="30", hour="3"), slot="day")
def evidence_sweep(now: datetime) -> int:
    """Files left by interrupted uploads (`flask evidence sweep`)."""
    from portal.services.evidence import remove_orphans

    return len(remove_orphans(min_age_seconds=3600))


@jobs.periodic(dutch_time(DAILY_WINDOW, minute="45", hour="3"), slot="day")
def outbox_purge(now: datetime) -> None:
    """Sent mails after OUTBOX_KEEP_DAYS, records of job runs after JOB_RUNS_KEEP_DAYS, and the
    API's idempotency keys after a day (portal/services/api_idempotency.py)."""
    from portal.services import api_idempotency

    mail.purge_sent(now, int(current_app.config["OUTBOX_KEEP_DAYS"]))
    api_idempotency.purge(now)
    db.session.execute(
        sa.delete(JobRun).where(
            JobRun.started_at < now - timedelta(days=JOB_RUNS_KEEP_DAYS),
            JobRun.state != JobState.RUNNING,
        )
    )
    db.session.commit()


@jobs.periodic(dutch_time(DAILY_WINDOW, minute="0", hour="4"), slot="day")
def audit_verify(now: datetime) -> None:
    """Recompute the audit chain and hold it to the anchors (`flask audit verify`)."""
    from portal.services.audit import verify

    result = verify()
    if not result.intact:
        count = len(result.problems) + len(result.mismatches)
        raise AuditTrailNotIntact(f"{count} problem(s); run `flask --app portal audit verify`")


@jobs.periodic(dutch_time(DAILY_WINDOW, minute="0", hour="6"), slot="day")
def signature_reminders(now: datetime) -> tuple[int, int]:
    """Remind providers to sign; suspend those who did not in time (`flask reminders`)."""
    from portal.services.agreements import send_signature_reminders

    config = current_app.config
    return send_signature_reminders(
        now, int(config["SIGNATURE_REMINDER_DAYS"]), int(config["SIGNATURE_SUSPEND_DAYS"])
    )


@jobs.periodic(dutch_time(DAILY_WINDOW, minute="15", hour="6"), slot="day")
def kpi_reminders(now: datetime) -> int:
    """KPI reports due soon or late (`flask kpi-reminders`)."""
    from portal.services.kpis import kpi_reminders as send

    return send(local_date(now), int(current_app.config["KPI_DUE_DAYS"]))


@jobs.periodic(dutch_time(DAILY_WINDOW, minute="30", hour="6"), slot="day")
def waiting_time_reminders(now: datetime) -> int:
    """Ask providers to update or confirm an empty or outdated waiting-time register, at most
    once a month per agreement (services/waiting_times.send_reminders)."""
    from portal.services.waiting_times import send_reminders

    return send_reminders(now)


@jobs.periodic(dutch_time(DAILY_WINDOW, minute="0", hour="7"), slot="day")
def staff_daily_digests(now: datetime) -> int:
    """Each member of staff's daily digest of what waits for them (unless they turned it off)."""
    from portal.services.staff_tasks import send_daily_digests

    return send_daily_digests(now)


DAILY = (
    privacy_purge,
    evidence_sweep,
    outbox_purge,
    audit_verify,
    signature_reminders,
    kpi_reminders,
    waiting_time_reminders,
    staff_daily_digests,
)
HOURLY = (audit_anchor, staff_urgent_mails)
