"""Every CLI command stays registered (`flask --app wsgi --help` lists them)."""

from __future__ import annotations


def test_every_command_is_registered(app) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["--help"])
    assert result.exit_code == 0, result.output
    listed = {line.split()[0] for line in result.output.split("Commands:", 1)[1].splitlines() if line.strip()}
    assert {
        "audit",
        "backup",
        "db",
        "demo",
        "directives",
        "doctor",
        "evidence",
        "reminders",
        "report",
        "restore",
        "users",
    } <= listed
