"""`flask --app wsgi reminders run`: one pass of the scheduled reminders, safe to repeat and to run twice at once."""

from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Scheduled reminders (đôn đốc).")


@reminders_cli.command("run")
@click.option("--today", "today_", type=click.DateTime(formats=["%Y-%m-%d"]), help="Act as if today were this day.")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--json", "as_json", is_flag=True, help="End with a JSON line of the counts.")
def run_command(today_: object, dry_run: bool, as_json: bool) -> None:
    """Send today's reminders and escalations, then the e-mail digests."""
    from coordination.db import today
    from coordination.extensions import db
    from coordination.reminders.mail import send_digests
    from coordination.reminders.operations import record_run, run_scheduled

    day: date = today_.date() if today_ else today()  # type: ignore[attr-defined]
    summary = run_scheduled(day, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        summary.emails, failed = send_digests(day)
        record_run(day, summary, emails_failed=failed)
        db.session.commit()
        if failed:
            click.echo(f"{failed} digest(s) not sent; they will be retried on the next run", err=True)
    for line in summary.lines:
        click.echo(line)
    click.echo(
        json.dumps(summary.as_dict())
        if as_json
        else f"sent {summary.sent}, escalated {summary.escalated}, emails {summary.emails}, skipped {summary.skipped}"
    )
