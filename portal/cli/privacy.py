"""`flask privacy purge`: delete the declarations and evidence of rejected and ended providers
once the retention period after the end of their DAS has run out. The schedule runs it daily
(portal/jobs/schedule.py); a run with nothing due changes nothing."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from portal.infra.timeutil import local_date, now

privacy = AppGroup("privacy", help="Privacy: bewaartermijnen.")


@privacy.command("purge")
@click.option("--dry-run", is_flag=True, help="Alleen laten zien wat er verwijderd zou worden.")
@click.option(
    "--today",
    "today_text",
    metavar="JJJJ-MM-DD",
    default=None,
    help="Rekenen alsof het deze datum is (standaard: vandaag).",
)
def purge_command(dry_run: bool, today_text: str | None) -> None:
    """Delete declarations and evidence past the retention period (RETENTION_YEARS)."""
    from portal.services import privacy_purge as service

    today: date
    if today_text:
        try:
            today = datetime.strptime(today_text, "%Y-%m-%d").date()
        except ValueError as error:
            raise click.BadParameter("gebruik JJJJ-MM-DD", param_hint="--today") from error
    else:
        today = local_date(now())
    years = int(current_app.config["RETENTION_YEARS"])
    plans = service.purge(today, years, dry_run=dry_run)
    click.echo(
        f"Bewaartermijn {years} jaar na het einde van het aankoopsysteem; peildatum {today:%d-%m-%Y}."
    )
    click.echo(service.summary(plans, dry_run=dry_run))
