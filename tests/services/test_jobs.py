"""The job queue (issue 20): the schedule fires each daily job once a day at its Dutch time, a
periodic job runs once per slot however many schedulers enqueue it, and a failing job is
recorded for the administrators without secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from portal.extensions import db
from portal.infra import jobs
from portal.infra.timeutil import AMSTERDAM
from portal.jobs import schedule
from portal.models import JobRun, JobState, MailState, OutboxMail, User
from tests import factories

DAILY_AT = {
    "privacy_purge": "01:30",
    "evidence_sweep": "03:30",
    "outbox_purge": "03:45",
    "audit_verify": "04:00",
    "signature_reminders": "06:00",
    "kpi_reminders": "06:15",
    "waiting_time_reminders": "06:30",
    "staff_daily_digests": "07:00",
}


def _minutes_of(day: datetime) -> list[datetime]:
    """Every minute of a Dutch day, as the naive UTC times Huey's scheduler hands out."""
    start = day.replace(tzinfo=AMSTERDAM).astimezone(UTC).replace(tzinfo=None)
    end = (day + timedelta(days=1)).replace(tzinfo=AMSTERDAM).astimezone(UTC).replace(tzinfo=None)
    return [start + timedelta(minutes=m) for m in range(int((end - start).total_seconds() // 60))]


@pytest.mark.parametrize(
    "day",
    [datetime(2026, 11, 30), datetime(2026, 3, 29), datetime(2026, 10, 25)],  # DST days too
    ids=["winter", "to-summer-time", "to-winter-time"],
)
def test_the_schedule_fires_each_daily_job_from_its_dutch_time(app: Flask, day) -> None:
    huey = jobs.queue(app).huey
    fired: dict[str, list[str]] = {}
    for moment in _minutes_of(day):
        for task in huey.read_periodic(moment):
            name = type(task).__name__.rsplit(".", 1)[-1]
            local = moment.replace(tzinfo=UTC).astimezone(AMSTERDAM)
            fired.setdefault(name, []).append(local.strftime("%H:%M"))
    # From its time on, for ten minutes (a scheduler that missed a minute still starts it);
    # its run per day keeps that to one (the next test).
    assert {name: fired.get(name, [None])[0] for name in DAILY_AT} == DAILY_AT
    assert {len(fired[name]) for name in DAILY_AT} == {schedule.DAILY_WINDOW}
    assert len(fired["audit_anchor"]) == len(_minutes_of(day)) // 60
    assert len(fired["outbox_sweep"]) == len(_minutes_of(day)) // 5
    assert len(fired["document_sweep"]) == len(_minutes_of(day)) // 5
    assert {job.name.rsplit(".", 1)[-1] for job in schedule.DAILY} == set(DAILY_AT)


def test_a_daily_job_runs_once_per_day_whichever_scheduler_fires_it(app: Flask) -> None:
    now = datetime.now(UTC)
    for days in (40, 31, 1):
        db.session.add(
            OutboxMail(
                recipient="a@example.nl",
                subject="s",
                message_id=f"<{days}@x>",
                message=b"x",
                state=MailState.SENT,
                sent_at=now - timedelta(days=days),
            )
        )
    db.session.commit()
    at_slot = now.replace(hour=2, minute=45)  # 03:45 in winter, 04:45 in summer: the same day
    jobs.run_slot(app, schedule.outbox_purge, at_slot)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 1
    # The second instance's scheduler enqueued the same job; a minute later it skips.
    db.session.add(
        OutboxMail(
            recipient="b@example.nl",
            subject="s",
            message_id="<late@x>",
            message=b"x",
            state=MailState.SENT,
            sent_at=now - timedelta(days=50),
        )
    )
    db.session.commit()
    jobs.run_slot(app, schedule.outbox_purge, at_slot + timedelta(minutes=1))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 2
    (run,) = db.session.scalars(sa.select(JobRun)).all()
    assert run.task == "portal.jobs.schedule.outbox_purge"
    assert run.state is JobState.SUCCEEDED and run.finished_at is not None
    # The next day is a slot of its own.
    jobs.run_slot(app, schedule.outbox_purge, at_slot + timedelta(days=1))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMail)) == 1


def test_every_scheduled_job_runs_and_records_its_run(app: Flask) -> None:
    """One run of each, on a fresh database: each calls its work with the right arguments."""
    moment = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # a Monday, 06:00 in Amsterdam
    periodic = [*schedule.DAILY, *schedule.HOURLY, schedule.outbox_sweep, schedule.document_sweep]
    for job in periodic:
        jobs.run_slot(app, job, moment)
    runs = {run.task.rsplit(".", 1)[-1]: run for run in db.session.scalars(sa.select(JobRun))}
    assert {name: (run.state, run.error) for name, run in runs.items()} == {
        job.name.rsplit(".", 1)[-1]: (JobState.SUCCEEDED, None) for job in periodic
    }


calls: list[int] = []


@jobs.task(retries=0)
def _failing(number: int) -> None:
    calls.append(number)
    raise RuntimeError("SMTP login with test-secret failed")


def test_a_failing_job_is_recorded_without_secrets(app: Flask, client) -> None:
    calls.clear()
    _failing.enqueue(7)
    assert calls == [7]
    (run,) = db.session.scalars(sa.select(JobRun)).all()
    assert run.task.endswith("_failing") and run.arguments == "7"
    assert run.state is JobState.FAILED and run.attempt == 1
    assert run.error == "RuntimeError: SMTP login with *** failed"  # SECRET_KEY is test-secret


def test_a_job_enqueued_in_a_transaction_runs_only_after_its_commit(app: Flask) -> None:
    calls.clear()
    jobs.after_commit(_failing, 1)
    db.session.rollback()
    assert calls == []
    jobs.after_commit(_failing, 2)
    db.session.commit()
    assert calls == [2]


def test_the_backends_are_settings(app: Flask, tmp_path) -> None:
    from huey import PostgresHuey, RedisHuey, SqliteHuey

    config = {"JOBS_QUEUE_NAME": "q", "JOBS_SQLITE_PATH": str(tmp_path / "q.sqlite3")}
    sqlite = jobs.create_huey({**config, "JOBS_BACKEND": "sqlite"}, str(tmp_path))
    assert isinstance(sqlite, SqliteHuey) and not sqlite.immediate
    redis = jobs.create_huey(
        {**config, "JOBS_BACKEND": "redis", "JOBS_REDIS_URL": "redis://127.0.0.1:1/0"}, ""
    )
    assert isinstance(redis, RedisHuey)
    with pytest.raises(ValueError, match="PostgreSQL"):
        jobs.create_huey(
            {**config, "JOBS_BACKEND": "postgresql", "SQLALCHEMY_DATABASE_URI": "sqlite://"}, ""
        )
    postgres = jobs.create_huey(
        {
            **config,
            "JOBS_BACKEND": "postgresql",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u:p@127.0.0.1:1/db",
        },
        "",
    )
    assert isinstance(postgres, PostgresHuey)
    with pytest.raises(ValueError, match="JOBS_BACKEND"):
        jobs.create_huey({**config, "JOBS_BACKEND": "rabbit"}, "")


@pytest.mark.only_postgresql
def test_the_queue_on_postgresql_lives_in_the_migrated_tables(app: Flask, mailbox) -> None:
    from portal import create_app

    worker_app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
            "JOBS_BACKEND": "postgresql",
            "JOBS_QUEUE_NAME": "pg-test",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": mailbox.port,
        }
    )
    huey = jobs.queue(worker_app).huey
    user = factories.UserFactory(email="pg@example.nl")
    db.session.commit()
    with worker_app.app_context():
        from portal.infra import mail

        user = db.session.get_one(User, user.id)
        mail.queue(user.email, "Onderwerp", "reset_password", user=user, link="x", minutes=1)
        db.session.commit()  # enqueued in huey_task, not run
        assert mailbox.messages == []
        assert db.session.scalar(sa.text("SELECT count(*) FROM huey_task")) == 1
    # One turn of a worker: take the job from the table and run it.
    task = huey.dequeue()
    huey.execute(task)
    assert [m["To"] for m in mailbox.messages] == ["pg@example.nl"]
    assert db.session.scalar(sa.text("SELECT count(*) FROM huey_task")) == 0
    huey.storage.close()
