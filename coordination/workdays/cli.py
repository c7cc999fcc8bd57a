"""`flask --app wsgi calendar import FILE` and `calendar show YEAR`: the working-day calendar from the shell."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

calendar_cli = AppGroup("calendar", help="Working days: holidays, announced days off, make-up days (làm bù).")

_WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


@calendar_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Also remove the table's other days of the file's years.")
@click.option("--dry-run", is_flag=True, help="Check the file and print what would change; write nothing.")
def import_command(path: Path, replace: bool, dry_run: bool) -> None:
    """Load a year's announced days off and make-up working days from a CSV file (ngày, loại, tên)."""
    from coordination.audit import SYSTEM_CLI
    from coordination.errors import OperationError
    from coordination.extensions import db
    from coordination.workdays.operations import import_calendar, read_calendar_csv

    try:
        days = read_calendar_csv(path.read_bytes())
        result = import_calendar(days, actor=SYSTEM_CLI, replace=replace)
    except OperationError as error:
        db.session.rollback()
        for line in (error.errors or {}).get("file") or [error.message]:
            click.echo(line, err=True)
        raise SystemExit(1) from None
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    years = ", ".join(map(str, result.years)) or "—"
    click.echo(
        f"{'would change' if dry_run else 'changed'} {years}: {result.created} added, {result.updated} corrected, "
        f"{result.unchanged} unchanged, {result.deleted} removed"
    )


@calendar_cli.command("show")
@click.argument("year", type=click.IntRange(1995, 2100))
def show_command(year: int) -> None:
    """Print the year's days off and make-up working days, and how many working days it has."""
    from coordination.formatting import format_date
    from coordination.workdays.calendar import work_calendar
    from coordination.workdays.models import DayKind

    calendar = work_calendar()
    for entry in calendar.days_off(year):
        kind = "làm việc" if entry.kind == DayKind.working else "nghỉ"
        weekend = entry.kind == DayKind.off and entry.day.isoweekday() not in calendar.weekdays
        note = " (trùng ngày nghỉ hằng tuần)" if weekend else ""
        source = "bảng" if entry.source == "table" else "thư viện"
        click.echo(
            f"{format_date(entry.day)}  {_WEEKDAYS[entry.day.weekday()]:<9} {kind:<9} {entry.name} [{source}]{note}"
        )
    click.echo(f"{calendar.working_days_in(year)} ngày làm việc / working days in {year}")
