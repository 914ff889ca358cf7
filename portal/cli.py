"""Flask commands: `flask seed-demo`."""

from __future__ import annotations

import click
from flask import Flask

from portal.timeutil import local_date, now


def register_cli(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the demo data (idempotent: a second run changes nothing)."""
        from portal.demo import load_demo

        load_demo(local_date(now()))
        click.echo("Demodata geladen.")
