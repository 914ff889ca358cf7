"""`flask backup create` and `flask backup restore`: the database and the evidence store in one
archive (the logic is in portal/operations/backup.py)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.infra.storage import get_storage
from portal.infra.timeutil import AMSTERDAM, now
from portal.operations.backup import (
    BackupError,
    create_backup,
    default_archive_path,
    restore_backup,
)

backup_cli = AppGroup("backup", help="Back up and restore the database and the evidence store.")


def _scratch_dir() -> Path:
    return Path(current_app.config["UPLOAD_TMP_DIR"])


@backup_cli.command("create")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Archive path (default: instance/backups/das-portaal-YYYYMMDD-HHMMSS.tar.gz).",
)
def create(output: Path | None) -> None:
    """Write the database and every evidence file to one tar.gz archive."""
    moment = now()
    if output is None:
        backups = Path(current_app.instance_path) / "backups"
        output = default_archive_path(backups, moment.astimezone(AMSTERDAM))
    db.session.remove()
    try:
        manifest = create_backup(db.engine, get_storage(), output, moment)
    except BackupError as error:
        click.echo(str(error), err=True)
        raise click.exceptions.Exit(1) from error
    rows = sum(manifest["tables"].values())
    click.echo(
        f"Back-up geschreven: {output} ({len(manifest['tables'])} tabellen, {rows} rijen, "
        f"{len(manifest['evidence'])} bestanden)."
    )


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force", is_flag=True, help="Overwrite a database or evidence store that already holds data."
)
def restore(archive: Path, force: bool) -> None:
    """Restore an archive into the configured database and store (STORAGE_BACKEND)."""
    db.session.remove()
    try:
        result = restore_backup(db.engine, get_storage(), _scratch_dir(), archive, force=force)
    except BackupError as error:
        click.echo(str(error), err=True)
        raise click.exceptions.Exit(1) from error
    if result.differences:
        click.echo("Hersteld, maar niet alles komt overeen met de back-up:", err=True)
        for difference in result.differences:
            click.echo(f"  {difference}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(
        f"Hersteld: {result.table_count} tabellen, {result.row_count} rijen, "
        f"{result.file_count} bestanden; alles komt overeen."
    )
    click.echo("Draai hierna `flask db upgrade` als deze versie nieuwere migraties heeft.")
