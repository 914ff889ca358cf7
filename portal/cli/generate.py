"""`flask demo generate`: a national-scale synthetic data set (portal.devdata.generate)."""

from __future__ import annotations

import time

import click

from portal.infra.storage import get_storage
from portal.infra.timeutil import local_date, now


@click.group("demo")
def demo() -> None:
    """Demodata op landelijke schaal."""


@demo.command("generate")
@click.option("--scale", type=float, default=1.0, show_default=True, help="1 = landelijke schaal")
@click.option("--seed", type=int, default=2026, show_default=True)
def generate_command(scale: float, seed: int) -> None:
    """Generate synthetic DAS instances, providers, applications, agreements and KPI values."""
    from portal.devdata.generate import GenerationRefused, describe, generate

    started = time.monotonic()
    try:
        counts = generate(scale, seed, local_date(now()), get_storage())
    except GenerationRefused as error:
        raise click.ClickException(str(error)) from error
    for line in describe(counts):
        click.echo(line)
    click.echo(f"Gegenereerd in {time.monotonic() - started:.1f} s.")
