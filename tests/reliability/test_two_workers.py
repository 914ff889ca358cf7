"""The job queue on two machines (issue 20): two portal instances and two worker processes
(`flask jobs worker`) sharing one database and one Redis queue. Every mail caused through
either instance arrives exactly once; duplicate delivery jobs send nothing more; one daily job
enqueued by both instances' schedulers runs once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.extensions import db
from portal.infra import jobs, mail
from portal.jobs import schedule
from portal.models import JobRun, JobState, MailState, OutboxMail
from tests import factories
from tests.support.live_server import PROJECT_ROOT, Browser, ServerProcess
from tests.support.redisserver import RedisServer
from tests.support.smtp import SmtpSink

MAILS = 12


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


@pytest.fixture()
def queue_settings(
    server_settings: dict[str, str], redis_server: RedisServer, smtp_server: SmtpSink, tmp_path
) -> dict[str, str]:
    return server_settings | {
        "JOBS_BACKEND": "redis",
        "JOBS_REDIS_URL": redis_server.url,
        "JOBS_QUEUE_NAME": f"test-{tmp_path.name}",
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_server.port),
    }


class WorkerProcess:
    """`flask --app portal jobs worker` in a subprocess, configured by PORTAL_* variables."""

    def __init__(self, settings: dict[str, str], workdir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
        env.update({f"PORTAL_{k}": v for k, v in settings.items()})
        self.log = workdir / "worker.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [sys.executable, "-m", "flask", "--app", "portal", "jobs", "worker"],
                cwd=PROJECT_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture()
def cluster(
    queue_settings: dict[str, str], tmp_path: Path
) -> Iterator[tuple[list[ServerProcess], list[WorkerProcess]]]:
    servers: list[ServerProcess] = []
    workers: list[WorkerProcess] = []
    try:
        for name in ("a", "b"):
            workdir = tmp_path / name
            workdir.mkdir()
            settings = queue_settings | {"EVIDENCE_DIR": str(workdir / "evidence")}
            servers.append(ServerProcess(settings, workdir))
            workers.append(WorkerProcess(settings, workdir))
        yield servers, workers
    finally:
        for worker in workers:
            worker.stop()
        for server in servers:
            server.kill()


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_two_workers_deliver_every_mail_once_and_run_a_daily_job_once(
    app: Flask,
    cluster: tuple[list[ServerProcess], list[WorkerProcess]],
    queue_settings: dict[str, str],
    mailbox: SmtpSink,
) -> None:
    servers, workers = cluster
    users = [factories.ProviderUserFactory() for _ in range(MAILS)]
    db.session.commit()
    for number, user in enumerate(users):  # through both instances, in turn
        browser = Browser(servers[number % 2].url)
        status, _headers, _page = browser.post("/wachtwoord-vergeten", {"email": user.email})
        assert status == 302

    wait_for(lambda: len(mailbox.messages) >= MAILS)
    time.sleep(1)
    assert Counter(str(m["To"]) for m in mailbox.messages) == {u.email: 1 for u in users}
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMail)).all()
    assert {(r.state, r.attempts) for r in rows} == {(MailState.SENT, 1)}

    # What the instances' enqueueing looks like from here: the same queue in Redis.
    sender = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.config["DATABASE_URL"],
            "EVIDENCE_DIR": app.config["EVIDENCE_DIR"],
            "JOBS_BACKEND": "redis",
            "JOBS_REDIS_URL": queue_settings["JOBS_REDIS_URL"],
            "JOBS_QUEUE_NAME": queue_settings["JOBS_QUEUE_NAME"],
        }
    )
    with sender.app_context():
        # A retried or duplicated delivery job, twice per mail: nothing is sent again.
        for row in rows:
            mail.deliver.enqueue(row.id)
            mail.deliver.enqueue(row.id)
        # Both instances' schedulers enqueue the same daily job for the same day.
        daily = jobs.queue(sender).wrapper(schedule.outbox_purge)
        daily()
        daily()
    name = "portal.jobs.schedule.outbox_purge"

    def purge_runs() -> list[JobRun]:
        db.session.expire_all()
        return list(db.session.scalars(sa.select(JobRun).where(JobRun.task == name)))

    wait_for(lambda: any(r.state is JobState.SUCCEEDED for r in purge_runs()))
    time.sleep(3)  # time for the duplicates to be worked off
    assert len(purge_runs()) == 1
    assert len(mailbox.messages) == MAILS
    for worker in workers:
        assert worker.process.poll() is None, worker.log.read_text(errors="replace")
    logs = "".join(w.log.read_text(errors="replace") for w in workers)
    assert "outbox_purge" in logs and "deliver" in logs
