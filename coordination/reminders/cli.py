"""`flask --app wsgi reminders run`: one pass of the reminders; safe to repeat, one at a time across machines."""

from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import AppGroup

reminders_cli = AppGroup("reminders", help="Scheduled reminders (đôn đốc).")
#: the job lock a run holds (coordination.transaction.job_lock)
LOCK_NAME = "reminders-run"


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
    from coordination.transaction import job_lock

    day: date = today_.date() if today_ else today()  # type: ignore[attr-defined]
    if dry_run:
        summary = run_scheduled(day, dry_run=True)
        db.session.rollback()
    else:
        # One run at a time across machines: each reminder is recorded once by a unique key whatever happens,
        # but two runs mailing digests at once would both mail the notices neither has marked yet.
        with job_lock(LOCK_NAME) as taken:
            if not taken:
                click.echo("another reminders run holds the lock (another machine?): nothing done", err=True)
                if as_json:
                    click.echo(json.dumps({"locked": True}))
                return
            summary = run_scheduled(day)
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
