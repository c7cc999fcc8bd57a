"""`flask --app wsgi users ...`: create accounts and set passwords from the server's shell."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from coordination import audit
from coordination.auth import operations
from coordination.auth.models import Role
from coordination.errors import OperationError
from coordination.extensions import db

users_cli = AppGroup("users", help="User accounts.")

_password_option = click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The password (asked when omitted; pass it only from scripts: it shows in the process list).",
)


def _run(action):  # type: ignore[no-untyped-def]
    """Run an operation in the default language and commit once; a refusal becomes a clean CLI error."""
    # No request here: messages take the app's default language.
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        try:
            result = action()
        except OperationError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from None
    db.session.commit()
    return result


@users_cli.command("create")
@click.argument("username")
@click.option("--full-name", required=True, help="Họ và tên.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]), help="What the user may do.")
@click.option("--agency", help="The agency's code (required for every role but admin).")
@click.option("--email")
@click.option("--head", "is_head", is_flag=True, help="The agency's head: assigns its work, told of escalations.")
@_password_option
def create_command(
    username: str, full_name: str, role: str, agency: str | None, email: str | None, is_head: bool, password: str
) -> None:
    """Create a user account."""
    data = dict(
        username=username,
        full_name=full_name,
        role=role,
        agency=agency,
        email=email,
        is_head=is_head,
        password=password,
    )
    user = _run(lambda: operations.create_user(data, actor=audit.SYSTEM_CLI))
    click.echo(f"Created user {user.username} ({user.role.value}, {user.agency.code if user.agency else '-'}).")


@users_cli.command("set-password")
@click.argument("username")
@_password_option
def set_password_command(username: str, password: str) -> None:
    """Set a user's password."""

    def action() -> None:
        user = operations.get_user_by_username(username)
        operations.set_password(user, password, actor=audit.SYSTEM_CLI)

    _run(action)
    click.echo(f"Password changed for {username}.")


@users_cli.command("reset-2fa")
@click.argument("username")
def reset_two_factor_command(username: str) -> None:
    """Remove a user's second factor (a lost phone; the only admin locked out): it enrols again at next sign-in."""

    def action() -> None:
        user = operations.get_user_by_username(username)
        operations.reset_totp(user, actor=audit.SYSTEM_CLI)

    _run(action)
    click.echo(f"Second factor removed for {username}.")
