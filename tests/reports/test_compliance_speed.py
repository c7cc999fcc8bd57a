"""What makes the compliance report fast must not change what it says: filters applied in SQL, the JSON
written by hand (issue 14)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from coordination.assignments.operations import decide_extension, report_progress, request_extension
from coordination.assignments.states import Action
from coordination.db import today
from coordination.extensions import db
from coordination.reports.compliance import ComplianceReport, ReportScope, build_report
from coordination.reports.render_xlsx import _render
from coordination.reports.schemas import ComplianceReportSchema, dump_report
from coordination.reports.tabular import detail_records
from tests.conftest import SETUP, assignment_of, directive, get_user
from tests.reports.conftest import REF_2157


def _change_today() -> None:
    """Work reported done today and a deadline extended today: yesterday they were otherwise."""
    done = assignment_of(REF_2157, "5", "TN-STP")
    report_progress(done, actor=get_user("justice.tayninh"), action=Action.report_done, note="Xong hôm nay.")
    extended = assignment_of(REF_2157, "10", "TN-SNV")
    request = request_extension(extended, today() + timedelta(days=30), "Cần thêm thời gian", actor=SETUP)
    decide_extension(request, "approve", "Đồng ý", actor=get_user("monitor.tayninh"))
    db.session.commit()


def _rows(report: ComplianceReport) -> list[dict]:
    return [asdict(row) for task in report.tasks for row in task.assignments]


FILTERS = [
    {"timeliness": frozenset({"overdue"})},
    {"timeliness": frozenset({"on_time", "due_soon", "no_deadline"})},
    {"timeliness": frozenset({"done_on_time", "done_late"})},
    {"statuses": frozenset({"in_progress"})},
    {"statuses": frozenset({"reported_done", "not_started"}), "timeliness": frozenset({"overdue", "on_time"})},
]


@pytest.mark.parametrize("filters", FILTERS)
def test_filtered_rows_are_the_whole_reports_rows_that_match(app, filters):
    """The filters narrow the rows in SQL, except those changed after the day, which are rebuilt first."""
    _change_today()
    for day in (today(), today() - timedelta(days=1), date(2022, 9, 1)):
        whole = _rows(build_report(None, ReportScope(), as_of=day))
        expected = [
            row
            for row in whole
            if ("statuses" not in filters or row["status"] in filters["statuses"])
            and ("timeliness" not in filters or row["timeliness"] in filters["timeliness"])
        ]
        assert _rows(build_report(None, ReportScope(**filters), as_of=day)) == expected


def test_yesterdays_filters_see_yesterdays_state(app):
    _change_today()
    yesterday = today() - timedelta(days=1)
    extended = assignment_of(REF_2157, "10", "TN-SNV").id
    reported = assignment_of(REF_2157, "5", "TN-STP").id
    overdue_then = {
        r["id"] for r in _rows(build_report(None, ReportScope(timeliness=frozenset({"overdue"})), as_of=yesterday))
    }
    overdue_now = {r["id"] for r in _rows(build_report(None, ReportScope(timeliness=frozenset({"overdue"}))))}
    assert extended in overdue_then and extended not in overdue_now
    in_progress_then = build_report(None, ReportScope(statuses=frozenset({"in_progress"})), as_of=yesterday)
    assert reported in {r["id"] for r in _rows(in_progress_then)}
    assert reported not in {
        r["id"] for r in _rows(build_report(None, ReportScope(statuses=frozenset({"in_progress"}))))
    }


def test_dump_report_equals_the_schemas_dump(app):
    _change_today()
    office = get_user("office.tayninh")
    target = directive(REF_2157)
    reports = [
        build_report(None, ReportScope()),
        build_report(None, ReportScope(), as_of=date(2022, 9, 1)),
        build_report(office, ReportScope(directive=target), as_of=today() - timedelta(days=1)),
        build_report(office, ReportScope(agency=assignment_of(REF_2157, "5", "TN-STP").agency)),
        build_report(None, ReportScope(timeliness=frozenset({"overdue"}), role="lead")),
        build_report(None, ReportScope(issued_from=date(2030, 1, 1))),  # empty
    ]
    assert sum(len(r.tasks) for r in reports) > 50
    for report in reports:
        assert dump_report(report) == ComplianceReportSchema().dump(report)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # the core properties hold the time of writing
        return {name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"}


def test_detail_rows_written_as_text_are_openpyxls_own(app):
    """Every part of the workbook is the one openpyxl writes cell by cell, down to the byte."""
    notes = [
        '=HYPERLINK("http://x.invalid")',
        "  spaces around  ",
        "a & b < c > d \"quoted\" 'single'",
        "line\r\nbreak\ttab",
        "\x01=1+1 a\x0bb",
        "emoji 🙂 and Tiếng Việt",
        "x" * 33000,
    ]
    works = [a for task in directive(REF_2157).tasks for a in task.assignments][: len(notes)]
    for work, note in zip(works, notes, strict=True):
        report_progress(work, actor=SETUP, note=note)
    _change_today()
    office = get_user("office.tayninh")
    for scope, day in [
        (ReportScope(), today()),
        (ReportScope(directive=directive(REF_2157)), today() - timedelta(days=1)),
        (ReportScope(timeliness=frozenset({"overdue"})), today()),
        (ReportScope(issued_from=date(2030, 1, 1)), today()),  # empty
    ]:
        report = build_report(office, scope, as_of=day)
        with force_locale("vi"):
            records = list(detail_records(report.blocks))
            fast = _render(report, records, len(records))
            slow = _render(report, records, len(records), by_openpyxl=True)
        assert _parts(fast) == _parts(slow)
