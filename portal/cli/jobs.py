"""`flask jobs worker`: the job queue's worker (threads and the scheduler), and `flask jobs run
NAME`: one periodic job now, for its current slot."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

jobs_cli = AppGroup("jobs", help="Achtergrondtaken: de worker en de planning.")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Aantal threads (standaard JOBS_WORKERS).")
@click.option(
    "--no-scheduler",
    is_flag=True,
    help="Geen geplande taken starten (een andere worker doet dat; dubbel kan ook geen kwaad).",
)
def worker(workers: int | None, no_scheduler: bool) -> None:
    """Run jobs from the queue until stopped (SIGINT: finish the running jobs; SIGTERM: stop).
    Run one or more on every machine that should work; with JOBS_BACKEND redis or postgresql
    they share one queue."""
    import logging

    from portal.infra import jobs

    # What the consumer does (started, executing, retrying, errors) to stderr, as Huey's own
    # `huey_consumer` does.
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s] %(levelname)s %(name)s: %(message)s"
    )
    queue = jobs.queue(current_app)
    if current_app.config["JOBS_BACKEND"] == "immediate":
        raise click.ClickException("JOBS_BACKEND=immediate heeft geen worker nodig.")
    count = workers or int(current_app.config["JOBS_WORKERS"])
    queue.consumer(workers=count, periodic=not no_scheduler).run()


@jobs_cli.command("run")
@click.argument("name")
def run(name: str) -> None:
    """Run the periodic job NAME (e.g. outbox_sweep, kpi_reminders) now, once for its slot."""
    from portal.infra import jobs
    from portal.infra.timeutil import now
    from portal.jobs import schedule

    job = getattr(schedule, name, None)
    if not isinstance(job, jobs.Task) or job.periodic is None:
        raise click.BadParameter(f"geen geplande taak: {name}", param_hint="NAME")
    result = jobs.run_slot(current_app._get_current_object(), job, now())  # type: ignore[attr-defined]
    click.echo(f"{name}: {result!r}")
