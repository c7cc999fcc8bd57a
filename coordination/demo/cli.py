"""`flask --app wsgi demo load`: the two real directives, their agencies and the demo accounts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
def load_command() -> None:
    """Load the demo data (idempotent)."""
    from coordination.demo.loader import load_demo
    from coordination.extensions import db

    summary = load_demo()
    db.session.commit()
    click.echo(summary)
