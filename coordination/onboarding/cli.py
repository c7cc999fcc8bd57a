"""`flask --app wsgi agencies import FILE [--dry-run]` and `users import FILE [--dry-run]`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from coordination import audit
from coordination.auth.operations import get_user_by_username
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.onboarding.invitations import reissue_invitation
from coordination.onboarding.mail import send_invitations
from coordination.onboarding.operations import OnboardingResult, Upload, import_agencies, import_users

agencies_cli = AppGroup("agencies", help="Agencies (cơ quan, đơn vị).")

_file_argument = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Check the file and say what would change; write nothing."
)


def _run(importer: Callable[..., OnboardingResult], file: Path, dry_run: bool, email: bool = False) -> None:
    """Check, then import and commit once; every problem on its own line and exit 1, nothing written."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            result = importer(Upload(file.name, file.read_bytes()), actor=audit.SYSTEM_CLI, dry_run=dry_run)
        except OperationError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        if result.problems:
            db.session.rollback()
            for problem in result.problems:
                click.echo(problem.line())
            click.echo(_("%(count)s vấn đề; chưa ghi gì vào cơ sở dữ liệu.", count=len(result.problems)), err=True)
            raise SystemExit(1)
        if result.written:
            db.session.commit()
        for counts, what in ((result.agencies, _("cơ quan")), (result.users, _("người dùng"))):
            if counts.created or counts.updated or counts.unchanged:
                click.echo(
                    _(
                        "%(what)s: %(created)s mới, %(updated)s cập nhật, %(unchanged)s không đổi",
                        what=what,
                        created=counts.created,
                        updated=counts.updated,
                        unchanged=counts.unchanged,
                    )
                )
        for invitation in result.invitations:
            click.echo(f"{invitation.username}\t{invitation.email or '-'}\t{invitation.url}")
        if result.invitations:
            expires = result.invitations[0].expires_at
            click.echo(
                _("Liên kết mời dùng được một lần, đến %(when)s (UTC).", when=expires.strftime("%d/%m/%Y %H:%M")),
                err=True,
            )
        if result.dry_run:
            click.echo(_("Chạy thử: tệp hợp lệ, chưa ghi gì."), err=True)
        elif email and result.invitations:
            # After the commit: a mail server that refuses loses no import, and no link goes out for a rolled-back user.
            sent, failed = send_invitations(result.invitations)
            click.echo(_("Đã gửi %(sent)s thư mời.", sent=sent), err=True)
            if failed:
                click.echo(_("Chưa gửi được thư mời cho: %(names)s", names=", ".join(failed)), err=True)


@agencies_cli.command("import")
@_file_argument
@_dry_run_option
def import_agencies_command(file: Path, dry_run: bool) -> None:
    """Import agencies from an .xlsx (sheet "Cơ quan") or .csv file; idempotent by code."""
    _run(import_agencies, file, dry_run)


@click.command("import")
@_file_argument
@_dry_run_option
@click.option("--email", is_flag=True, help="Also e-mail each new user their invitation link (MAIL_* settings).")
def import_users_command(file: Path, dry_run: bool, email: bool) -> None:
    """Import users from an .xlsx (sheet "Người dùng") or .csv file; idempotent by username; prints invitation links."""
    _run(import_users, file, dry_run, email)


@click.command("invite")
@click.argument("username")
@click.option("--email", is_flag=True, help="Also e-mail the link to the user (MAIL_* settings).")
def invite_user_command(username: str, email: bool) -> None:
    """Give USERNAME a new invitation link (the old ones stop working) and print it."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            issued = reissue_invitation(get_user_by_username(username), actor=audit.SYSTEM_CLI)
        except OperationError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
        db.session.commit()
        click.echo(issued.url)
        if email:
            sent, _failed = send_invitations([issued])
            click.echo(_("Đã gửi %(sent)s thư mời.", sent=sent), err=True)
