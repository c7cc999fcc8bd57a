"""`flask --app wsgi report compliance ...`: print a compliance report to a file (every published directive)."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any

import click
from flask.cli import AppGroup

from coordination.assignments.states import Status, Timeliness

report_cli = AppGroup("report", help="Reports (báo cáo tình hình thực hiện).")

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


@report_cli.command("compliance")
@click.option("--directive", help="The directive's number and symbol (2157/UBND-KSTT) or its id.")
@click.option("--issuer", help="With --directive: the issuer's agency code, when two issuers share a number.")
@click.option("--agency", help="An agency's code (TN-STP): its work across the directives.")
@click.option("--issued-from", type=_DATE, help="Directives issued on or after this day (YYYY-MM-DD).")
@click.option("--issued-to", type=_DATE, help="Directives issued on or before this day (YYYY-MM-DD).")
@click.option("--as-of", type=_DATE, help="The state at the end of this day, rebuilt from the history.")
@click.option("--status", multiple=True, type=click.Choice([s.value for s in Status]), help="Only this status.")
@click.option(
    "--timeliness", multiple=True, type=click.Choice([t.value for t in Timeliness]), help="Only this timeliness."
)
@click.option("--role", type=click.Choice(["all", "lead"]), default="all", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "xlsx", "csv", "html", "json"]), default="pdf", show_default=True
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="The file to write; - for stdout.")
def compliance_command(
    directive: str | None,
    issuer: str | None,
    agency: str | None,
    issued_from: datetime | None,
    issued_to: datetime | None,
    as_of: datetime | None,
    status: tuple[str, ...],
    timeliness: tuple[str, ...],
    role: str,
    fmt: str,
    output: str | None,
) -> None:
    """Write the compliance report of a directive, an agency or a period, as of today or a past day."""
    from coordination.audit import SYSTEM_CLI
    from coordination.db import today
    from coordination.errors import OperationError
    from coordination.extensions import db
    from coordination.reports.compliance import resolve_scope
    from coordination.reports.operations import record_report_generated
    from coordination.reports.output import filename_for, render_bytes

    day = _day(as_of) or today()
    if day > today():
        raise click.BadParameter("không được sau ngày hôm nay", param_hint="--as-of")
    if issued_from and issued_to and issued_from > issued_to:
        raise click.BadParameter("phải từ ngày --issued-from trở đi", param_hint="--issued-to")
    try:
        scope = resolve_scope(
            None,
            directive=_find_directive(directive, issuer) if directive else None,
            agency_code=agency,
            issued_from=_day(issued_from),
            issued_to=_day(issued_to),
            statuses=list(status),
            timeliness=list(timeliness),
            role=role,
        )
    except OperationError as error:
        raise click.ClickException(str(error.message)) from None
    data = render_bytes(None, scope, day, fmt)
    record_report_generated(scope, day, fmt, actor=SYSTEM_CLI)
    db.session.commit()
    target = output or filename_for(scope, day, fmt)
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    with open(target, "wb") as file:
        file.write(data)
    click.echo(f"{target}: {len(data):,} bytes", err=True)


def _find_directive(text: str, issuer: str | None):  # type: ignore[no-untyped-def]
    from coordination.directives.models import Directive
    from coordination.extensions import db
    from coordination.reports.compliance import directive_by_ref

    matches = directive_by_ref(text)
    if not matches and text.strip().isdigit():
        found = db.session.get(Directive, int(text))
        matches = [found] if found is not None else []
    if issuer:
        matches = [d for d in matches if d.issuer.code == issuer.strip()]
    if not matches:
        raise click.ClickException(f"Không tìm thấy văn bản “{text}”.")
    if len(matches) > 1:
        issuers = ", ".join(d.issuer.code for d in matches)
        raise click.ClickException(f"Có {len(matches)} văn bản số {text} (cơ quan ban hành: {issuers}); chọn --issuer.")
    return matches[0]


@report_cli.command("tally")
@click.option("--rebuild", is_flag=True, help="Count the tally afresh from the assignments (drops rows at zero).")
@click.option("--roll", is_flag=True, help="Merge open work past its deadline into one row per agency (daily).")
@click.option(
    "--today", "today_", type=click.DateTime(formats=["%Y-%m-%d"]), help="Roll as of this day (not later than today)."
)
def tally_command(rebuild: bool, roll: bool, today_: Any) -> None:
    """Check the dashboards' tally (assignment_tally) against the assignments; exit 1 if they differ."""
    from coordination.db import today
    from coordination.extensions import db
    from coordination.reports import tally

    if roll:
        day = today_.date() if today_ else today()
        if day > today():
            raise click.BadParameter(f"{day:%d/%m/%Y} chưa đến: chỉ gộp đến hôm nay.", param_hint="--today")
        merged = tally.roll(day)
        db.session.commit()
        click.echo(f"assignment_tally: {merged} rows of open work due before {day:%d/%m/%Y} merged")
        return
    if rebuild:
        rows = tally.rebuild()
        db.session.commit()
        click.echo(f"assignment_tally: {rows} rows")
        return
    differences = tally.differences()
    for key, kept, counted in differences:
        click.echo(f"{key}: tally {kept}, assignments {counted}")
    if differences:
        click.echo(f"{len(differences)} difference(s): run `flask report tally --rebuild`", err=True)
        sys.exit(1)
    click.echo("assignment_tally: in step with the assignments")
