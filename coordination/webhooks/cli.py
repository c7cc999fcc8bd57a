"""`flask --app wsgi webhooks deliver`: one run of the deliverer, every minute from a systemd timer."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

webhooks_cli = AppGroup("webhooks", help="Webhooks: signed deliveries to registered endpoints.")


@webhooks_cli.command("deliver")
@click.option(
    "--limit", default=200, show_default=True, type=click.IntRange(1, 10_000), help="Most attempts in this run."
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON line.")
def deliver_command(limit: int, as_json: bool) -> None:
    """Enqueue new events, then send the due deliveries (safe to run twice at once)."""
    from coordination.webhooks.operations import deliver_due

    summary = deliver_due(limit=limit)
    counts = summary.as_dict()
    if as_json:
        click.echo(json.dumps(counts))
    else:
        click.echo(", ".join(f"{name} {value}" for name, value in counts.items()))
