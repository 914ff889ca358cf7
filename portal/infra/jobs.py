"""Background work (issue 20): the job queue, on Huey.

    from portal.infra import jobs

    @jobs.task(retries=5)            # a function run by a worker, inside an app context
    def render_letter(letter_id: int) -> None: ...

    jobs.after_commit(render_letter, letter.id)   # enqueue once the caller's transaction commits
                                                  # (dropped when it rolls back)
    render_letter.enqueue(letter.id)              # enqueue now (outside a transaction)
    render_letter(letter.id)                      # run here and now, in the caller's context

Why Huey: one small library that queues on SQLite (one machine, `make run`: no extra server), on
Redis or on PostgreSQL (several machines), with retries with exponential backoff and periodic
tasks (crontab) built in. RQ needs Redis and a separate scheduler, Dramatiq and Celery have no
SQLite broker and Celery is large, procrastinate is PostgreSQL only.

The backend is a setting (JOBS_BACKEND): "sqlite" (a file in instance/), "redis"
(JOBS_REDIS_URL), "postgresql" (the portal's own database; Huey's tables come from migration 0025)
or "immediate" (a job runs synchronously when it is enqueued: the tests).

A task takes ids, never ORM objects, and its body runs in an app context of its own, so with a
database session of its own. A failed attempt is recorded as a JobRun (the administrators' page
/beheer/achtergrondtaken) and retried after JOBS_RETRY_DELAY seconds, doubling each time.
Periodic tasks (`jobs.periodic`) record their run under a unique (name, slot) key before they do
their work, so that when every instance runs a scheduler each slot still runs once.
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, ParamSpec

import sqlalchemy as sa
from flask import Flask, current_app
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from portal.extensions import db
from portal.infra.timeutil import AMSTERDAM

log = logging.getLogger(__name__)

P = ParamSpec("P")

BACKENDS = ("sqlite", "redis", "postgresql", "immediate")
_ERROR_LIMIT = 2000


class Task(Generic[P]):
    """A function that a worker runs. Calling it runs it here; `enqueue` hands it to the queue."""

    def __init__(
        self,
        func: Callable[P, Any],
        retries: int,
        retry_delay: int | None,
        periodic: Periodic | None = None,
    ) -> None:
        self.func = func
        self.name = f"{func.__module__}.{func.__name__}"
        self.retries = retries
        self.retry_delay = retry_delay
        self.periodic = periodic
        self.__doc__ = func.__doc__
        _TASKS[self.name] = self
        for queue in list(_QUEUES):
            queue.register(self)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        return self.func(*args, **kwargs)

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> None:
        queue(current_app).wrapper(self)(*args, **kwargs)


@dataclass(frozen=True)
class Periodic:
    """When a periodic task runs (a Huey crontab) and the slot one run covers: "day" (the local
    date), "hour", or a number of minutes."""

    validate: Callable[[datetime], bool]
    slot: str | int


_TASKS: dict[str, Task[Any]] = {}
_QUEUES: weakref.WeakSet[JobQueue] = weakref.WeakSet()


def task(retries: int = 0, retry_delay: int | None = None) -> Callable[[Callable[P, Any]], Task[P]]:
    """A task retried `retries` times, the first after `retry_delay` seconds (default
    JOBS_RETRY_DELAY), each next one after twice as long."""

    def wrap(func: Callable[P, Any]) -> Task[P]:
        return Task(func, retries, retry_delay)

    return wrap


def periodic(
    validate: Callable[[datetime], bool], slot: str | int, retries: int = 0
) -> Callable[[Callable[[datetime], Any]], Task[[datetime]]]:
    """A task the scheduler starts when `validate(now)` holds (huey.crontab, in UTC); the function
    takes the time of its slot. Runs once per slot, however many schedulers fire it."""

    def wrap(func: Callable[[datetime], Any]) -> Task[[datetime]]:
        return Task(func, retries, None, Periodic(validate, slot))

    return wrap


# --- after the commit -------------------------------------------------------------------------

_PENDING = "portal.jobs.after_commit"


def after_commit(job: Task[P], *args: P.args, **kwargs: P.kwargs) -> None:
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before any write drops the job too
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session.info.setdefault(_PENDING, []).append((app, job, args, kwargs))


_COMMITTED = "portal.jobs.committed"


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _committed(session: sa.orm.Session) -> None:
    # The session still holds its connection here; the jobs are enqueued once it has handed it
    # back (below). In immediate mode (the tests) a job runs right then, with a connection of
    # its own: were it run here, every thread would hold two at once, and many committing
    # threads together would wait on each other for the pool.
    session.info.setdefault(_COMMITTED, []).extend(session.info.pop(_PENDING, []))


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _run_pending(session: sa.orm.Session, transaction: sa.orm.SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint or a subtransaction: the outer transaction has not ended
    pending = session.info.pop(_COMMITTED, [])
    for app, job, args, kwargs in pending:
        try:
            queue(app).wrapper(job)(*args, **kwargs)
        except Exception:  # the queue is down: the change stands; sweeps pick the work up
            log.exception("Could not enqueue %s%r", job.name, args)


@sa.event.listens_for(sa.orm.Session, "after_soft_rollback")
def _drop_pending(session: sa.orm.Session, _previous: sa.orm.SessionTransaction) -> None:
    # Any rollback of the whole transaction (also one that had not touched the database yet);
    # a savepoint's rollback leaves the outer transaction's jobs alone.
    if not session.in_transaction():
        session.info.pop(_PENDING, None)


# --- the queue of an app ----------------------------------------------------------------------


class JobQueue:
    def __init__(self, app: Flask, huey: Huey) -> None:
        self.app = app
        self.huey = huey
        self.wrappers: dict[str, Any] = {}
        for known in list(_TASKS.values()):
            self.register(known)
        _QUEUES.add(self)

    def wrapper(self, job: Task[Any]) -> Any:
        if job.name not in self.wrappers:
            self.register(job)
        return self.wrappers[job.name]

    def register(self, job: Task[Any]) -> None:
        if job.name in self.wrappers:
            return
        app = self.app
        delay = job.retry_delay if job.retry_delay is not None else app.config["JOBS_RETRY_DELAY"]
        settings: dict[str, Any] = {
            "retries": job.retries,
            "retry_delay": delay if job.retries else 0,
            "retry_backoff": 2 if job.retries else 0,
            "context": True,
            "name": job.name,
        }
        if job.periodic is not None:
            periodic_job = job.periodic

            def run_periodic(task: Any = None) -> Any:
                return run_slot(app, job, datetime.now(UTC), task)

            self.wrappers[job.name] = self.huey.periodic_task(periodic_job.validate, **settings)(
                run_periodic
            )
        else:

            def run(*args: Any, task: Any = None, **kwargs: Any) -> Any:
                return _run_in_app(app, job, args, kwargs, task)

            self.wrappers[job.name] = self.huey.task(**settings)(run)

    def consumer(self, workers: int = 2, periodic: bool = True, embedded: bool = False) -> Consumer:
        """Huey's consumer for this queue: `workers` threads and the scheduler."""
        consumer_class = _EmbeddedConsumer if embedded else Consumer
        return consumer_class(
            self.huey,
            workers=workers,
            periodic=periodic,
            worker_type="thread",
            check_worker_health=True,
            scheduler_interval=1,
        )


class _EmbeddedConsumer(Consumer):
    """A consumer inside the web server's process: no signal handlers (not the main thread)."""

    def _set_signal_handlers(self) -> None:
        pass


def queue(app: Flask) -> JobQueue:
    found: JobQueue = app.extensions["jobs"]
    return found


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def slot_start(slot: str | int, moment: datetime) -> datetime:
    """The start of the slot `moment` falls in, in Dutch time (naive): its day, hour or n-minute
    bucket. A daily job fires once a day, so its slot is the day whatever minute a worker gets to
    it; a copy another scheduler enqueued a minute later falls in the same slot."""
    moment = moment.astimezone(AMSTERDAM).replace(tzinfo=None, second=0, microsecond=0)
    if slot == "day":
        return moment.replace(hour=0, minute=0)
    if slot == "hour":
        return moment.replace(minute=0)
    minutes = int(slot)
    since_midnight = moment.hour * 60 + moment.minute
    return moment.replace(hour=0, minute=0) + timedelta(
        minutes=since_midnight - since_midnight % minutes
    )


def _summary(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    # Tasks take ids and dates; the summary shows them, never whole values.
    parts = [repr(a)[:40] for a in args] + [f"{k}={v!r}"[:40] for k, v in kwargs.items()]
    return ", ".join(parts)[:200]


def error_text(error: BaseException) -> str:
    """The error as the administrators' page shows it: its type and message, no traceback, and
    never a password from the settings."""
    text = f"{type(error).__name__}: {error}"
    for key in ("MAIL_PASSWORD", "SECRET_KEY", "AUDIT_KEY", "S3_SECRET_ACCESS_KEY"):
        secret = current_app.config.get(key)
        if secret and isinstance(secret, str) and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text[:_ERROR_LIMIT]


def run_slot(app: Flask, job: Task[Any], moment: datetime, task: Any = None) -> Any:
    """Run the periodic `job` for the slot `moment` (aware) falls in, unless that slot ran; the
    job's function gets `moment`. The scheduler calls this; tests and commands may too."""
    assert job.periodic is not None
    return _run_in_app(app, job, (moment,), {}, task, slot_start(job.periodic.slot, moment))


def _run_in_app(
    app: Flask,
    job: Task[Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    task: Any,
    slot: datetime | None = None,
) -> Any:
    from portal.models.jobs import JobRun, JobState

    attempt = 1 + (job.retries - task.retries if task is not None else 0)
    with app.app_context():
        try:
            started = _utcnow()
            if slot is not None and not _claim_slot(job.name, slot, started):
                log.info("%s for %s ran already (another scheduler's copy)", job.name, slot)
                return None
            try:
                result = job.func(*args, **kwargs)
            except Exception as error:
                db.session.rollback()
                final = task is None or not task.retries
                run = None
                if slot is not None:
                    run = db.session.scalar(
                        sa.select(JobRun).where(JobRun.task == job.name, JobRun.slot == slot)
                    )
                if run is None:
                    run = JobRun(
                        task=job.name, arguments=_summary(args, kwargs), started_at=started
                    )
                    db.session.add(run)
                run.attempt = attempt
                run.state = JobState.FAILED if final else JobState.RETRYING
                run.finished_at = _utcnow()
                run.error = error_text(error)
                db.session.commit()
                raise
            if slot is not None:
                db.session.execute(
                    sa.update(JobRun)
                    .where(JobRun.task == job.name, JobRun.slot == slot)
                    .values(
                        state=JobState.SUCCEEDED, finished_at=_utcnow(), attempt=attempt, error=None
                    )
                )
                db.session.commit()
            return result
        finally:
            db.session.remove()


def _claim_slot(name: str, slot: datetime, started: datetime) -> bool:
    """Record the run of `name` for `slot` before its work; False when another scheduler's copy
    did (the unique key (task, slot) refuses the second)."""
    from portal.models.jobs import JobRun, JobState

    existing = db.session.scalar(sa.select(JobRun).where(JobRun.task == name, JobRun.slot == slot))
    if existing is not None:
        # A failed run of this slot may be tried again (a retry); a running or finished one not.
        if existing.state not in (JobState.RETRYING, JobState.FAILED):
            return False
        existing.state = JobState.RUNNING
        existing.started_at = started
        db.session.commit()
        return True
    db.session.add(
        JobRun(
            task=name,
            arguments=slot.isoformat(sep=" "),
            slot=slot,
            started_at=started,
            state=JobState.RUNNING,
        )
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        return False
    return True


# --- set-up -----------------------------------------------------------------------------------


def create_huey(config: dict[str, Any], instance_path: str) -> Huey:
    backend = config["JOBS_BACKEND"]
    name = config["JOBS_QUEUE_NAME"]
    common: dict[str, Any] = {"results": False, "utc": True}
    if backend == "immediate":
        return MemoryHuey(name, immediate=True, **common)
    if backend == "sqlite":
        filename = config["JOBS_SQLITE_PATH"] or os.path.join(instance_path, "jobs.sqlite3")
        return SqliteHuey(name, filename=filename, **common)
    if backend == "redis":
        return RedisHuey(name, url=config["JOBS_REDIS_URL"], **common)
    if backend == "postgresql":
        url = sa.engine.make_url(config["SQLALCHEMY_DATABASE_URI"])
        if not url.drivername.startswith("postgresql"):
            raise ValueError("JOBS_BACKEND=postgresql needs a PostgreSQL DATABASE_URL")
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        # The tables come from migration 0025, like the rest of the schema.
        return PostgresHuey(name, dsn=dsn, create_tables=False, **common)
    raise ValueError(f"JOBS_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def init_app(app: Flask) -> JobQueue:
    job_queue = JobQueue(app, create_huey(app.config, app.instance_path))
    app.extensions["jobs"] = job_queue
    return job_queue
