"""CLI commands (`flask --app wsgi ...`), each calling operations and committing once."""

from __future__ import annotations

from flask import Flask


def init_cli(app: Flask) -> None:
    from coordination.auth.cli import users_cli
    from coordination.demo.cli import demo_cli
    from coordination.importer.cli import directives_cli
    from coordination.integrity_cli import audit_cli, backup_command, evidence_cli, restore_command
    from coordination.jobs.cli import jobs_cli
    from coordination.observability.doctor import doctor_command
    from coordination.onboarding.cli import agencies_cli, import_users_command, invite_user_command
    from coordination.reminders.cli import reminders_cli
    from coordination.reports.cli import report_cli
    from coordination.webhooks.cli import webhooks_cli
    from coordination.workdays.cli import calendar_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(reminders_cli)
    users_cli.add_command(import_users_command)  # issue 15: `users import FILE`, beside `users create`
    users_cli.add_command(invite_user_command)  # issue 15: `users invite NAME`, a new invitation link
    app.cli.add_command(users_cli)
    app.cli.add_command(agencies_cli)  # issue 15: `agencies import FILE`
    app.cli.add_command(report_cli)
    app.cli.add_command(directives_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(evidence_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(doctor_command)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(webhooks_cli)  # issue 15
    app.cli.add_command(jobs_cli)  # issue 14: the export worker and its purge
