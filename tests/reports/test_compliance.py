"""Compliance report rows and numbers: independent counts, document order, filters, scope, bulk queries."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from coordination.assignments.models import Assignment
from coordination.assignments.operations import report_progress
from coordination.assignments.states import Action
from coordination.db import today
from coordination.directives.models import Directive, Task
from coordination.directives.operations import activate_directive, create_directive
from coordination.errors import Forbidden, NotFound
from coordination.extensions import db
from coordination.reports.compliance import (
    ReportScope,
    build_report,
    directive_for_report,
    resolve_scope,
)
from coordination.reports.dashboard import DashboardFilters, counts
from tests.conftest import SETUP, assignment_of, count_queries, directive, get_user
from tests.reports.conftest import REF_570, REF_2157

DEMO = Path(__file__).resolve().parents[2] / "coordination" / "demo" / "data" / "directives"


def _bucket(a: Assignment, day: date) -> str | None:
    """Written from the glossary and the Government Office's four counts, not from the code under test."""
    status = a.status.value
    if status == "cancelled":
        return None
    if status == "done":
        finished = a.reported_done_on or a.completed_on
        return "done_late" if a.deadline and finished and finished > a.deadline else "done_on_time"
    if a.deadline is None:
        return "open_on_time"
    if status == "reported_done" and a.reported_done_on is not None:
        return "open_overdue" if a.reported_done_on > a.deadline else "open_on_time"
    return "open_overdue" if a.deadline < day else "open_on_time"


def _independent(ref: str, day: date) -> dict[str, int]:
    rows = db.session.scalars(
        sa.select(Assignment).join(Task).join(Directive).where(Directive.ref == ref).order_by(Assignment.id)
    ).all()
    tally: Counter[str] = Counter()
    tasks = set()
    for a in rows:
        bucket = _bucket(a, day)
        if bucket is None:
            tally["cancelled"] += 1
            continue
        tally[bucket] += 1
        tally["assignments"] += 1
        tally["not_started"] += a.status.value == "not_started"
        tasks.add(a.task_id)
    tally["tasks"] = len(tasks)
    return tally


@pytest.mark.parametrize("ref", [REF_2157, REF_570])
def test_summary_equals_an_independent_count(app, ref):
    report = build_report(None, ReportScope(directive=directive(ref)))
    expected = _independent(ref, today())
    summary = report.summary
    for key in ("tasks", "assignments", "done_on_time", "done_late", "open_on_time", "open_overdue", "not_started"):
        assert getattr(summary, key) == expected[key], key
    assert summary.cancelled == expected["cancelled"]
    # The rows add up to the summary, and the agency table to the same totals.
    rows = [row for task in report.tasks for row in task.assignments]
    assert len(rows) == expected["assignments"] + expected["cancelled"]
    assert sum(a.counts.assignments for a in report.agencies) == summary.assignments
    assert sum(a.counts.open_overdue for a in report.agencies) == summary.open_overdue
    police = next(a for a in report.agencies if a.code.endswith("-CA"))
    assert police.counts.tasks == len(
        {t.id for t in report.tasks for r in t.assignments if r.agency_code == police.code}
    )


def test_summary_agrees_with_the_dashboard(app):
    """The dashboard counts in SQL; the report rebuilds each row in Python: the same four numbers."""
    monitor = get_user("monitor.tayninh")
    target = directive(REF_2157)
    report = build_report(monitor, ReportScope(directive=target))
    sql = counts(monitor, DashboardFilters(directive_id=target.id))
    assert report.summary.done_on_time == sql["done_on_time"]
    assert report.summary.done_late == sql["done_late"]
    assert report.summary.open_overdue == sql["overdue"]
    assert report.summary.open_on_time == sql["on_time"] + sql["due_soon"] + sql["no_deadline"]


def test_percentages_are_of_the_counted_assignments(app):
    summary = build_report(None, ReportScope(directive=directive(REF_2157))).summary
    assert summary.percent("done_on_time") == round(100 * summary.done_on_time / summary.assignments, 1)
    # Vietnamese printing of a share: "73,3%"
    html = _html(REF_2157)
    assert f"({summary.percent('open_overdue'):.1f}%)".replace(".", ",") in html


def _html(ref: str, as_of: date | None = None) -> str:
    from coordination.reports.render_html import render_html

    with current_app.test_request_context():
        return render_html(build_report(None, ReportScope(directive=directive(ref)), as_of=as_of))


def test_tasks_in_document_order_with_sub_items_under_their_task(app):
    report = build_report(None, ReportScope(directive=directive(REF_2157)))
    labels = [task.display_label for task in report.tasks]
    # 2157 has no task 6 and puts 12 before 11; the two dashes belong to task 2.
    assert labels == ["1", "2", "2, ý thứ nhất", "2, ý thứ hai", "3", "4", "5", "7", "8", "9", "10", "12", "11"]
    assert [task.stt for task in report.tasks][:5] == ["1", "2", "2.1", "2.2", "3"]
    assert [t.parent_label for t in report.tasks[1:4]] == [None, "2", "2"]
    positions = [task.position for task in report.tasks]
    assert positions == sorted(positions)


def test_detail_rows_carry_result_evidence_and_days_late(app):
    report = build_report(None, ReportScope(directive=directive(REF_2157)))
    task5 = next(t for t in report.tasks if t.label == "5")
    justice = next(r for r in task5.assignments if r.agency_code == "TN-STP")
    assert justice.status == "in_progress"
    assert justice.timeliness == "overdue"
    assert justice.days_late == (today() - date(2022, 9, 30)).days
    assert justice.result.startswith("Đã có văn bản chỉ đạo Phòng Tư pháp")
    assert task5.leads == ["Sở Tư pháp tỉnh Tây Ninh"]
    assert task5.coordinators == ["Công an tỉnh Tây Ninh"]
    task3 = next(t for t in report.tasks if t.label == "3")
    late = next(r for r in task3.assignments if r.agency_code == "TN-BAOTN")
    assert (late.timeliness, late.days_late) == ("done_late", 12)  # reported 12/10/2022, due 30/9/2022
    # The monitor's "Xác nhận hoàn thành." repeats the status: the agency's own report is the result.
    assert late.result.startswith("Đã đăng")


def test_as_of_a_past_day_uses_the_back_filled_history(app):
    target = directive(REF_2157)
    now = build_report(None, ReportScope(directive=target))
    then = build_report(None, ReportScope(directive=target), as_of=date(2022, 9, 1))
    story = json.loads((DEMO / "2157_UBND-KSTT.json").read_text(encoding="utf-8"))["story"]
    done_then = [s for s in story if s["status"] == "done" and s["completed_on"] <= "2022-09-01"]
    assert then.summary.done_on_time + then.summary.done_late == len(done_then) == 2
    assert now.summary.done_on_time + now.summary.done_late > 2
    # Nothing was overdue before the campaign's deadline (30/9/2022).
    assert then.summary.open_overdue == 0
    assert then.summary.assignments == now.summary.assignments
    # A task reported done on 12/09/2022 was still "in progress" on 01/09, with the note known then.
    education = next(r for t in then.tasks if t.label == "7" for r in t.assignments)
    assert (education.status, education.reported_done_on) == ("in_progress", None)
    assert education.result == ""
    # Before the directive was issued there is nothing to report, and that is not an error.
    before = build_report(None, ReportScope(directive=target), as_of=date(2022, 8, 13))
    assert before.empty and before.summary.assignments == 0


def test_a_change_today_leaves_yesterdays_report_as_it_was(app):
    target = directive(REF_2157)
    yesterday = today() - timedelta(days=1)
    first = _html(REF_2157, yesterday)
    before = build_report(None, ReportScope(directive=target), as_of=yesterday)
    row_before = next(r for t in before.tasks if t.label == "5" for r in t.assignments if r.agency_code == "TN-STP")
    assert row_before.status == "in_progress"

    work = assignment_of(REF_2157, "5", "TN-STP")
    report_progress(work, actor=get_user("justice.tayninh"), action=Action.report_done, note="Đã hoàn thành hôm nay.")
    db.session.commit()

    after = build_report(None, ReportScope(directive=target), as_of=yesterday)
    row_after = next(r for t in after.tasks if t.label == "5" for r in t.assignments if r.agency_code == "TN-STP")
    assert row_after.status == "in_progress"
    assert row_after.result == row_before.result
    assert row_after.progress_percent == row_before.progress_percent
    # Printed again, the report as of yesterday is the same page, byte for byte.
    assert _html(REF_2157, yesterday) == first
    current = build_report(None, ReportScope(directive=target))
    row_now = next(r for t in current.tasks if t.label == "5" for r in t.assignments if r.agency_code == "TN-STP")
    assert (row_now.status, row_now.result) == ("reported_done", "Đã hoàn thành hôm nay.")


def test_an_extension_shows_both_deadlines_and_not_before_it_was_granted(app):
    from coordination.assignments.operations import decide_extension, request_extension

    work = assignment_of(REF_2157, "10", "TN-SNV")
    new_deadline = today() + timedelta(days=30)
    request = request_extension(work, new_deadline, "Cần thêm thời gian", actor=SETUP)  # Sở Nội vụ has no demo user
    decide_extension(request, "approve", "Đồng ý", actor=get_user("monitor.tayninh"))
    db.session.commit()

    def row(as_of: date | None):  # type: ignore[no-untyped-def]
        report = build_report(None, ReportScope(directive=directive(REF_2157)), as_of=as_of)
        return next(r for t in report.tasks if t.label == "10" for r in t.assignments)

    now = row(None)
    assert (now.deadline, now.original_deadline, now.timeliness) == (new_deadline, date(2022, 9, 30), "on_time")
    then = row(today() - timedelta(days=1))
    assert (then.deadline, then.original_deadline, then.timeliness) == (date(2022, 9, 30), None, "overdue")


def test_an_assignment_added_today_is_not_in_yesterdays_report(app):
    from coordination.directives.operations import add_assignments

    task = db.session.scalar(
        sa.select(Task).join(Directive).where(Directive.ref == REF_2157, Task.label == "4", Task.parent_id.is_(None))
    )
    add_assignments(task, [{"agency": "TN-SNV", "role": "coordinate"}], actor=get_user("office.tayninh"))
    db.session.commit()
    scope = ReportScope(directive=directive(REF_2157))
    now = build_report(None, scope)
    then = build_report(None, scope, as_of=today() - timedelta(days=1))
    assert now.summary.assignments == then.summary.assignments + 1


def test_an_agency_merged_today_still_holds_its_work_yesterday(app):
    from coordination.agencies.models import Agency
    from coordination.agencies.operations import merge_agency

    old = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-HGODAU"))
    successor = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-STP"))
    moved = merge_agency(old, successor, actor=get_user("admin"))
    db.session.commit()
    assert moved
    yesterday = today() - timedelta(days=1)
    then = build_report(None, ReportScope(agency=old), as_of=yesterday)
    now = build_report(None, ReportScope(agency=old))
    # Open work moved to the successor, or was cancelled where the successor already held the task.
    assert then.summary.open_overdue == len(moved) + now.summary.cancelled == 3
    assert now.summary.assignments == 0
    gained = build_report(None, ReportScope(agency=successor)).summary.assignments
    assert gained == build_report(None, ReportScope(agency=successor), as_of=yesterday).summary.assignments + len(moved)


def test_filters_status_timeliness_and_role(app):
    target = directive(REF_2157)
    done = build_report(None, ReportScope(directive=target, statuses=frozenset({"done"})))
    assert done.summary.assignments == done.summary.done_on_time + done.summary.done_late == 8
    assert all(r.status == "done" for t in done.tasks for r in t.assignments)
    overdue = build_report(None, ReportScope(directive=target, timeliness=frozenset({"overdue"})))
    assert overdue.summary.assignments == overdue.summary.open_overdue
    leads = build_report(None, ReportScope(directive=target, role="lead"))
    assert all(r.is_lead for t in leads.tasks for r in t.assignments)
    assert leads.summary.assignments < build_report(None, ReportScope(directive=target)).summary.assignments
    # A parent without rows of its own stays, to place its sub-items.
    sub_only = build_report(None, ReportScope(directive=target, statuses=frozenset({"not_started"}), role="lead"))
    labels = [t.display_label for t in sub_only.tasks]
    assert "2, ý thứ nhất" in labels and "2" in labels
    assert next(t for t in sub_only.tasks if t.display_label == "2").context_only


def test_an_agency_across_directives_and_a_period(app):
    office = get_user("office.tayninh")
    scope = resolve_scope(office, agency_code="TN-STP")
    report = build_report(office, scope)
    assert {r.agency_code for t in report.tasks for r in t.assignments} == {"TN-STP"}
    assert report.header.title == "Tình hình thực hiện nhiệm vụ được giao của Sở Tư pháp tỉnh Tây Ninh"
    admin = get_user("admin")
    period = build_report(admin, ReportScope(issued_from=date(2021, 1, 1), issued_to=date(2022, 12, 31)))
    assert [b.directive.ref for b in period.blocks] == [REF_570, REF_2157]  # in order of issue
    assert period.per_agency and period.several_directives


def test_empty_scope_is_a_report_that_says_so(app):
    report = build_report(get_user("admin"), ReportScope(issued_from=date(2030, 1, 1), issued_to=date(2030, 12, 31)))
    assert report.empty and report.blocks == [] and report.summary.assignments == 0
    assert report.summary.percent("done_on_time") is None


def test_a_draft_has_nothing_to_report(app):
    from coordination.errors import Conflict

    office = get_user("office.tayninh")
    draft = create_directive(
        {"number": "903", "symbol": "UBND-TH", "issued_on": date(2026, 1, 5), "subject": "Nháp", "tasks": []},
        actor=office,
    )
    with pytest.raises(Conflict):
        directive_for_report(office, draft.id)
    assert draft.id not in {b.directive.id for b in build_report(office, ReportScope()).blocks}


def test_scope_by_role(app):
    office, monitor = get_user("office.tayninh"), get_user("monitor.tamdiep")
    with pytest.raises(Forbidden):
        resolve_scope(get_user("justice.tayninh"))
    with pytest.raises(NotFound):
        directive_for_report(monitor, directive(REF_2157).id)  # not visible to Tam Điệp: not told it exists
    with pytest.raises(NotFound):
        resolve_scope(office, agency_code="NO-SUCH")
    assert directive_for_report(office, directive(REF_2157).id).ref == REF_2157
    # An office sees its own issuer's directives only, whatever the agency asked for.
    tamdiep_work = build_report(monitor, resolve_scope(monitor, agency_code="TN-STP"))
    assert tamdiep_work.empty
    # An agency that is addressed but neither issues nor monitors: visible, yet not theirs to report on.
    education = get_user("education.tayninh")
    education.role = type(education.role)("monitor")  # a monitor of another agency
    db.session.flush()
    with pytest.raises(Forbidden):
        directive_for_report(education, directive(REF_2157).id)


def _generated(n_tasks: int, number: str) -> Directive:
    codes = ["TN-HTANBIEN", "TN-HTANCHAU", "TN-HGODAU", "TN-HBENCAU"]
    tasks = [
        {
            "label": str(i),
            "text": f"Nhiệm vụ thử {i}",
            "deadline": date(2026, 1, 31),
            "assignments": [{"agency": code, "role": "lead"} for code in codes],
            "subtasks": [{"label": "-", "text": f"Việc con {i}"}],
        }
        for i in range(1, n_tasks + 1)
    ]
    office = get_user("office.tayninh")
    made = create_directive(
        {
            "number": number,
            "symbol": "UBND-TH",
            "issued_on": date(2026, 1, 5),
            "subject": "Dữ liệu thử",
            "monitor_agency": "TN-CA",
            "tasks": tasks,
        },
        actor=office,
    )
    activate_directive(made, actor=office)
    for task in made.tasks:
        for work in task.assignments[:2]:
            report_progress(work, actor=SETUP, note="Đang làm", progress_percent=50)
    db.session.commit()
    return made


def _queries(directive_id: int) -> tuple[int, int]:
    db.session.expunge_all()
    with count_queries() as statements:
        report = build_report(None, ReportScope(directive=db.session.get(Directive, directive_id)))
    return len(statements), report.summary.assignments


def test_queries_do_not_grow_with_rows(app):
    small = _generated(3, "901").id  # 6 tasks, 24 assignments
    big = _generated(60, "902").id  # 120 tasks, 480 assignments, 240 progress notes
    assert _queries(small) == (_queries(big)[0], 24)
    assert _queries(big)[1] == 480
    # The demo directives, with targets and their measurements, stay as few.
    assert _queries(directive(REF_2157).id)[0] <= 12
    assert _queries(directive(REF_570).id)[0] <= 12
