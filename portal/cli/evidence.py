"""`flask evidence sweep` and `flask evidence check`: the store of evidence, letters, agreements
and tariff sheets (portal/infra/storage.py)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

evidence = AppGroup("evidence", help="De opslag van bewijsstukken.")


@evidence.command("sweep")
@click.option(
    "--min-age-minutes",
    default=60,
    show_default=True,
    help="Alleen bestanden die zo lang onaangeroerd zijn (uploads die nog bezig zijn blijven).",
)
def sweep(min_age_minutes: int) -> None:
    """Delete temporary upload files and stored files without a row (left by a server that
    stopped in the middle of an upload). The schedule runs it daily (portal/jobs/schedule.py);
    run it by hand on a machine that takes uploads and runs no worker (its scratch directory
    is its own)."""
    from portal.services.evidence import remove_orphans

    removed = remove_orphans(min_age_seconds=min_age_minutes * 60)
    for path in removed:
        click.echo(f"Verwijderd: {path}")
    click.echo(f"{len(removed)} achtergebleven bestanden verwijderd.")


@evidence.command("check")
def check() -> None:
    """Write, read back and delete a test file in the configured store (STORAGE_BACKEND):
    tells whether this machine can reach it and write to it."""
    from flask import current_app

    from portal.infra.storage import get_storage

    storage = get_storage()
    where = storage.location("_check")
    try:
        storage.check()
    except Exception as error:  # any failure of the store is the answer, not a crash
        click.echo(f"De opslag ({where}) is niet bruikbaar: {error}", err=True)
        raise click.exceptions.Exit(1) from error
    backend = current_app.config["STORAGE_BACKEND"]
    click.echo(f"De opslag ({backend}: {where}) is bereikbaar en beschrijfbaar.")
