"""`flask --app wsgi demo load`: the two real directives, a current fictional one, their agencies and accounts."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option(
    "--today",
    "day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the live plan is dated from (YYYY-MM-DD); default: today in TIMEZONE.",
)
@click.option("--no-live", is_flag=True, help="Only the two real directives, without the current fictional plan.")
def load_command(day: datetime | None, no_live: bool) -> None:
    """Load the demo data (idempotent)."""
    from coordination.db import today
    from coordination.demo.loader import load_demo
    from coordination.extensions import db

    summary = load_demo(live_on=None if no_live else (day.date() if day else today()))
    db.session.commit()
    click.echo(summary)
