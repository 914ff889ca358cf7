"""`flask documents verify FILE`: the public verification page's check on the command line
(services/verification.py, issue 24). Exit code 0 for a genuine, unchanged document of the portal,
1 for anything else."""

from __future__ import annotations

import sys
from typing import BinaryIO

import click
from flask.cli import AppGroup

documents_cli = AppGroup("documents", help="De documenten die het portaal uitgeeft.")

VERDICTS = {
    "genuine": "ECHT: verzegeld door het portaal en niet veranderd.",
    "changed": "NIET ECHT: verzegeld door het portaal, maar daarna veranderd.",
    "other_seal": "NIET ECHT: verzegeld door een ander dan het portaal.",
    "not_sealed": "NIET ECHT: een PDF zonder zegel.",
    "not_pdf": "NIET ECHT: geen leesbare PDF.",
    "unknown": "ONBEKEND: het portaal heeft dit document niet uitgegeven.",
}


@documents_cli.command("verify")
@click.argument("file", type=click.File("rb"))
def verify(file: BinaryIO) -> None:
    """Tell whether FILE is a genuine, unchanged document issued by the portal, and which one."""
    from portal.services import verification

    result = verification.verify_file(file.read())
    click.echo(VERDICTS[result.outcome.value])
    if result.sealed_by:
        click.echo(f"Zegel van: {result.sealed_by}")
    if result.sealed_at:
        click.echo(f"Verzegeld op: {result.sealed_at.isoformat()}")
    for document in result.documents:
        click.echo(f"Soort: {document.kind.value}")
        for label, value in (
            ("Aankoopsysteem", document.das_name),
            ("Kenmerk", document.reference),
            ("Jaar", document.year),
            ("Datum", document.issued_at.isoformat() if document.issued_at else ""),
            ("SHA-256", document.sha256),
        ):
            if value:
                click.echo(f"{label}: {value}")
    sys.exit(0 if result.genuine else 1)
