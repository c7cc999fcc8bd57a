"""A report in the format asked for, as bytes for a file or a Flask response for a download."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Response, stream_with_context

from coordination.agencies.models import Agency
from coordination.auth.models import User
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.replica import keep_phase, primary_reads
from coordination.reports.compliance import DirectiveBlock, ReportScope, build_report, iter_blocks
from coordination.text import fold

MIMETYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def filename_for(scope: ReportScope, day: date, fmt: str) -> str:
    """ "bao-cao-2157-ubnd-kstt-2022-09-01.pdf": ASCII, so that every browser and mail client keeps it."""
    if scope.directive is not None:
        what = scope.directive.ref
    elif scope.agency is not None:
        what = scope.agency.code
    elif scope.issued_from or scope.issued_to:
        what = f"{scope.issued_from or ''}_{scope.issued_to or ''}"
    else:
        what = "tat-ca"
    what = re.sub(r"[^a-z0-9._-]+", "-", fold(what)).strip("-")
    return f"bao-cao-{what}-{day.isoformat()}.{fmt}"


def render_bytes(
    user: User | None,
    scope: ReportScope,
    day: date,
    fmt: str,
    *,
    on_block: Callable[[DirectiveBlock], None] | None = None,
) -> bytes:
    """The whole report in `fmt` (json, html, pdf, xlsx, csv); `on_block` hears of each directive as it is built."""
    if fmt == "csv":
        from coordination.reports.render_csv import render_csv

        return render_csv(iter_blocks(user, scope, day, on_block=on_block)).encode("utf-8")
    if fmt == "xlsx":
        from coordination.reports.render_xlsx import render_xlsx_streamed

        return render_xlsx_streamed(user, scope, day, on_block=on_block)
    report = build_report(user, scope, as_of=day, on_block=on_block)
    if fmt == "json":
        from coordination.reports.schemas import dump_report

        return json.dumps(dump_report(report), ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "html":
        from coordination.reports.render_html import render_html

        return render_html(report).encode("utf-8")
    if fmt == "pdf":
        from coordination.reports.render_pdf import render_pdf

        return render_pdf(report)
    raise ValueError(fmt)


def download(
    user: User | None,
    scope: ReportScope,
    day: date,
    fmt: str,
    *,
    downloads: list[tuple[str, str]] | None = None,
) -> Response:
    """The report as a response: HTML shown in the browser, the other formats as a file; CSV streamed."""
    filename = filename_for(scope, day, fmt)
    if fmt == "csv":
        from coordination.reports.render_csv import stream_csv

        # read as it is sent, after the view has returned: in the phase (replica or primary) of this call
        blocks = keep_phase(_streamed_blocks(user.id if user else None, scope, day))
        response = Response(stream_with_context(stream_csv(blocks)), mimetype=MIMETYPES["csv"])
    elif fmt == "html":
        from coordination.reports.render_html import render_html

        report = build_report(user, scope, as_of=day)
        return Response(render_html(report, downloads=downloads), mimetype="text/html")
    else:
        response = Response(render_bytes(user, scope, day, fmt), mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _streamed_blocks(user_id: int | None, scope: ReportScope, day: date) -> Iterator[DirectiveBlock]:
    """The report's blocks for a streamed response, read in the session of the stream.

    By the time the response is sent, the request's session has been committed and removed: the view's user,
    directive and agency are detached and expired, and reading them raised DetachedInstanceError. They are
    read again here, by id, on the primary (a user or directive just made may not have reached a replica yet).
    """
    with primary_reads():
        user = db.session.get(User, user_id) if user_id is not None else None
        scope = replace(
            scope,
            directive=db.session.get(Directive, _id(scope.directive)) if scope.directive is not None else None,
            agency=db.session.get(Agency, _id(scope.agency)) if scope.agency is not None else None,
        )
    yield from iter_blocks(user, scope, day)


def _id(row: Any) -> int:
    """A row's id without loading it (it may be expired, and detached)."""
    return sa.inspect(row).identity[0]
