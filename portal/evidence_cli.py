"""`flask evidence sweep`: remove what interrupted uploads left in the evidence store."""

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
    stopped in the middle of an upload). Run it from cron, like `privacy purge`."""
    from portal.services.evidence import remove_orphans

    removed = remove_orphans(min_age_seconds=min_age_minutes * 60)
    for path in removed:
        click.echo(f"Verwijderd: {path}")
    click.echo(f"{len(removed)} achtergebleven bestanden verwijderd.")
