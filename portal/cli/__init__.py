"""Every flask command: the groups in this package's modules (`privacy`, `backup`, `audit`,
`evidence`, `demo generate`, `jobs`) and the single commands below (`seed-demo`, `demo-code`, `reminders`,
`kpi-reminders`)."""

from __future__ import annotations

import click
from flask import Flask

from portal.infra.timeutil import local_date, now


def register_cli(app: Flask) -> None:
    from portal.cli.privacy import privacy

    app.cli.add_command(privacy)
    from portal.cli.backup import backup_cli

    app.cli.add_command(backup_cli)
    from portal.cli.audit import audit

    app.cli.add_command(audit)
    from portal.cli.evidence import evidence

    app.cli.add_command(evidence)
    from portal.cli.generate import demo

    app.cli.add_command(demo)
    from portal.cli.jobs import jobs_cli

    app.cli.add_command(jobs_cli)
    from portal.cli.documents import documents_cli

    app.cli.add_command(documents_cli)

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the demo data (idempotent: a second run changes nothing)."""
        from portal.devdata.demo import load_demo

        load_demo(local_date(now()))
        click.echo("Demodata geladen.")

    @app.cli.command("demo-code")
    def demo_code() -> None:
        """Print the code the demo staff accounts' authenticator would show now."""
        import pyotp

        from portal.devdata.demo import DEMO_TOTP_SECRET

        click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).now())

    @app.cli.command("kpi-reminders")
    def kpi_reminders() -> None:
        """Remind providers of KPI reports that are due soon or late."""
        from flask import current_app

        from portal.services.kpis import kpi_reminders as send

        sent = send(local_date(now()), current_app.config["KPI_DUE_DAYS"])
        click.echo(f"{sent} herinnering(en) verstuurd.")

    @app.cli.command("reminders")
    def reminders() -> None:
        """Remind providers to sign their agreements; suspend those not signed in time."""
        from flask import current_app

        from portal.services.agreements import send_signature_reminders

        reminded, suspended = send_signature_reminders(
            now(),
            current_app.config["SIGNATURE_REMINDER_DAYS"],
            current_app.config["SIGNATURE_SUSPEND_DAYS"],
        )
        click.echo(
            f"{reminded} herinnering(en) verstuurd, {suspended} overeenkomst(en) opgeschort."
        )
