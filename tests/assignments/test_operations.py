"""The work itself, at the operation level: reporting, reviewing, extensions, edits, agency changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.agencies.operations import merge_agency, rename_agency
from coordination.assignments.models import Assignment, ExtensionStatus
from coordination.assignments.operations import (
    decide_extension,
    report_progress,
    request_extension,
    review_assignment,
)
from coordination.assignments.states import Action, Status, Timeliness
from coordination.audit import AuditEvent
from coordination.db import today
from coordination.directives.models import Directive, DirectiveStatus, Recurrence, Task
from coordination.directives.operations import (
    activate_directive,
    add_assignments,
    add_task,
    close_directive,
    create_directive,
    remove_assignment,
    update_directive,
    update_task,
)
from coordination.directives.recurrence import due_dates
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.extensions import db
from tests.conftest import assignment_of, get_user
from tests.factories import make_assignment


def history(assignment: Assignment) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.assignment_id == assignment.id).order_by(AuditEvent.id)
        )
    )


def fresh_assignment() -> Assignment:
    """An assignment of TN-SGDDT (education.tayninh) that nobody has started, due in 20 days."""
    return make_assignment("TN-SGDDT", deadline_in_days=20)


def test_officer_reports_and_monitor_accepts(app) -> None:
    assignment = fresh_assignment()
    officer, monitor = get_user("education.tayninh"), get_user("monitor.tayninh")
    report_progress(assignment, actor=officer, action=Action.start, note="Đã triển khai đến các trường.")
    report_progress(assignment, actor=officer, note="Đã thu nhận tại 12 trường.", progress_percent=60)
    assert assignment.progress_percent == 60
    report_progress(assignment, actor=officer, action=Action.report_done, note="Hoàn thành.")
    assert assignment.status == Status.reported_done
    assert assignment.reported_done_on == today()
    review_assignment(assignment, "accept", "Đạt yêu cầu.", actor=monitor)
    assert assignment.status == Status.done
    assert assignment.timeliness == Timeliness.done_on_time
    assert history(assignment)[-4:] == [
        "assignment.start",
        "assignment.progress",
        "assignment.report_done",
        "assignment.accept",
    ]
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.assignment_id == assignment.id).order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id == monitor.id
    assert event.before["status"] == "reported_done" and event.after["status"] == "done"


def test_return_needs_a_reason_then_agency_resumes(app) -> None:
    assignment = fresh_assignment()
    officer, office = get_user("education.tayninh"), get_user("office.tayninh")
    report_progress(assignment, actor=officer, action=Action.start)
    report_progress(assignment, actor=officer, action=Action.report_done, note="Xong.")
    with pytest.raises(Invalid):
        review_assignment(assignment, "return", "  ", actor=office)
    assert assignment.status == Status.reported_done
    review_assignment(assignment, "return", "Thiếu danh sách trường.", actor=office)
    assert assignment.status == Status.returned
    assert assignment.reported_done_on is None
    report_progress(assignment, actor=officer, action=Action.resume, note="Bổ sung danh sách.")
    assert assignment.status == Status.in_progress


def test_accepting_work_never_reported_is_refused(app) -> None:
    assignment = fresh_assignment()
    with pytest.raises(Conflict, match="Xác nhận hoàn thành"):
        review_assignment(assignment, "accept", "", actor=get_user("monitor.tayninh"))
    assert assignment.status == Status.not_started


@pytest.mark.parametrize("username", ["justice.tayninh", "bacson.tamdiep", "monitor.tamdiep"])
def test_other_agencies_cannot_report(app, username: str) -> None:
    assignment = fresh_assignment()
    events = len(history(assignment))
    with pytest.raises(Forbidden):
        report_progress(assignment, actor=get_user(username), action=Action.start)
    assert assignment.status == Status.not_started
    assert len(history(assignment)) == events


def test_officer_cannot_review_own_work(app) -> None:
    assignment = fresh_assignment()
    officer = get_user("education.tayninh")
    report_progress(assignment, actor=officer, action=Action.start)
    report_progress(assignment, actor=officer, action=Action.report_done)
    with pytest.raises(Forbidden):
        review_assignment(assignment, "accept", "", actor=officer)


def test_stale_version_is_a_conflict(app) -> None:
    assignment = fresh_assignment()
    with pytest.raises(Conflict):
        report_progress(
            assignment, actor=get_user("education.tayninh"), note="x", expected_version=assignment.version - 1
        )


def test_extension_approved_moves_deadline_and_keeps_the_old_in_history(app) -> None:
    assignment = fresh_assignment()
    old = assignment.deadline
    officer, monitor = get_user("education.tayninh"), get_user("monitor.tayninh")
    with pytest.raises(Invalid):
        request_extension(assignment, old - timedelta(days=1), "Lý do", actor=officer)
    with pytest.raises(Invalid):
        request_extension(assignment, old + timedelta(days=10), "", actor=officer)
    request = request_extension(assignment, old + timedelta(days=10), "Chờ khai giảng năm học.", actor=officer)
    with pytest.raises(Conflict):
        request_extension(assignment, old + timedelta(days=12), "Lần hai", actor=officer)
    with pytest.raises(Forbidden):
        decide_extension(request, "approve", "", actor=officer)
    decide_extension(request, "approve", "Đồng ý.", actor=monitor)
    assert request.status == ExtensionStatus.approved
    assert assignment.deadline == old + timedelta(days=10)
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "extension.approve", AuditEvent.assignment_id == assignment.id)
    ).one()
    assert event.before == {"deadline": old.isoformat()}
    with pytest.raises(Conflict):
        decide_extension(request, "reject", "muộn", actor=monitor)


def test_extension_rejected_needs_a_reason(app) -> None:
    assignment = fresh_assignment()
    request = request_extension(
        assignment, assignment.deadline + timedelta(days=5), "Thiếu nhân lực.", actor=get_user("education.tayninh")
    )
    with pytest.raises(Invalid):
        decide_extension(request, "reject", "", actor=get_user("office.tayninh"))
    deadline = assignment.deadline
    decide_extension(request, "reject", "Không có căn cứ.", actor=get_user("office.tayninh"))
    assert request.status == ExtensionStatus.rejected
    assert assignment.deadline == deadline


def _new_directive(**extra) -> Directive:  # type: ignore[no-untyped-def]
    data = {
        "number": "101",
        "symbol": "UBND-VX",
        "doc_type": "ke_hoach",
        "issued_on": date(2026, 11, 2),
        "subject": "Kiểm tra công tác cấp CCCD",
        "monitor_agency": "TN-CA",
        "addressees": ["TN-STP", "Ủy ban nhân dân các huyện, thị xã, thành phố"],
        "tasks": [
            {
                "label": "1",
                "text": "Các đơn vị tự kiểm tra.",
                "deadline": date(2026, 12, 15),
                "assignments": [{"all_addressees": True, "role": "lead"}, {"agency": "TN-CA", "role": "coordinate"}],
            },
            {
                "label": "2",
                "text": "Báo cáo định kỳ hằng tháng.",
                "recurrence": "monthly",
                "recurrence_day": 20,
                "deadline": date(2027, 3, 31),
                "assignments": [{"agency": "TN-STP", "role": "lead"}],
                "subtasks": [{"label": "a)", "text": "Số liệu thu nhận hồ sơ."}],
            },
        ],
    }
    data.update(extra)
    return create_directive(data, actor=get_user("office.tayninh"))


def test_create_expands_groups_and_all_addressees(app) -> None:
    directive = _new_directive()
    assert directive.status == DirectiveStatus.draft
    assert directive.issuer.code == "TN-UBND"
    one = directive.tasks[0]
    leads = [a for a in one.assignments if a.role == "lead"]
    assert len(leads) == 1 + 9  # Sở Tư pháp and the nine district-level units
    assert all(a.via_all_addressees for a in leads)
    assert [a.agency.code for a in one.assignments if a.role == "coordinate"] == ["TN-CA"]
    sub = next(t for t in directive.tasks if t.label == "a)")
    assert sub.parent.label == "2"
    assert [a.agency.code for a in sub.assignments] == ["TN-STP"]  # inherits its parent's agencies


def test_recurring_task_yields_one_due_item_per_period(app) -> None:
    directive = _new_directive()
    monthly = next(t for t in directive.tasks if t.label == "2")
    deadlines = [a.deadline for a in sorted(monthly.assignments, key=lambda a: a.period_index)]
    assert deadlines == [
        date(2026, 11, 20),
        date(2026, 12, 20),
        date(2027, 1, 20),
        date(2027, 2, 20),
        date(2027, 3, 20),
    ]
    assert {a.agency.code for a in monthly.assignments} == {"TN-STP"}


@pytest.mark.parametrize(
    ("recurrence", "day", "start", "end", "expected"),
    [
        (
            Recurrence.weekly,
            5,
            date(2026, 11, 25),
            date(2026, 12, 12),
            [date(2026, 11, 27), date(2026, 12, 4), date(2026, 12, 11)],
        ),
        (
            Recurrence.monthly,
            31,
            date(2027, 1, 10),
            date(2027, 4, 30),
            [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)],
        ),
        (
            Recurrence.quarterly,
            15,
            date(2026, 11, 25),
            date(2027, 9, 30),
            [date(2026, 12, 15), date(2027, 3, 15), date(2027, 6, 15), date(2027, 9, 15)],
        ),
        (Recurrence.none, None, date(2026, 1, 1), date(2026, 12, 31), []),
        (Recurrence.continuous, None, date(2026, 1, 1), None, []),
    ],
)
def test_due_dates(recurrence, day, start, end, expected) -> None:  # type: ignore[no-untyped-def]
    assert due_dates(recurrence, day, start, end) == expected


def test_draft_edit_then_activate_and_close(app) -> None:
    office = get_user("office.tayninh")
    directive = _new_directive()
    update_directive(
        directive,
        {
            "subject": "Kiểm tra, đôn đốc cấp CCCD",
            "tasks": [{"label": "1", "text": "Làm lại.", "assignments": [{"agency": "TN-STP", "role": "lead"}]}],
        },
        actor=office,
    )
    assert [t.text for t in directive.tasks] == ["Làm lại."]
    activate_directive(directive, actor=office)
    with pytest.raises(Conflict):
        update_directive(directive, {"tasks": []}, actor=office)
    update_directive(directive, {"subject": "Đổi trích yếu sau khi ban hành"}, actor=office)
    close_directive(directive, actor=office)
    with pytest.raises(Conflict):
        update_directive(directive, {"subject": "x"}, actor=office)
    with pytest.raises(Conflict, match="đang thực hiện"):
        close_directive(directive, actor=office)  # already closed: said as such, not "no permission"
    with pytest.raises(Forbidden):
        close_directive(directive, actor=get_user("office.tamdiep"))
    actions = list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.directive_id == directive.id).order_by(AuditEvent.id)
        )
    )
    assert actions == [
        "directive.create",
        "directive.update",
        "directive.activate",
        "directive.update",
        "directive.close",
    ]


def test_other_office_cannot_edit(app) -> None:
    directive = _new_directive()
    with pytest.raises(Forbidden):
        update_directive(directive, {"subject": "x"}, actor=get_user("office.tamdiep"))
    with pytest.raises(Forbidden):
        create_directive(
            {"number": "1", "symbol": "X", "issued_on": date(2026, 1, 1), "subject": "x"},
            actor=get_user("monitor.tayninh"),
        )


def test_duplicate_ref_is_a_conflict(app) -> None:
    with pytest.raises(Conflict):
        _new_directive(number="2157", symbol="UBND-KSTT")


def test_unknown_agency_code_is_invalid(app) -> None:
    with pytest.raises(Invalid) as error:
        _new_directive(monitor_agency="NOPE")
    assert "monitor_agency" in error.value.errors


def test_active_directive_task_edits_are_audited(app) -> None:
    office = get_user("office.tayninh")
    directive = db.session.scalar(sa.select(Directive).where(Directive.ref == "2157/UBND-KSTT"))
    task = next(t for t in directive.tasks if t.label == "10")
    open_before = [a for a in task.assignments if a.is_open]
    update_task(task, {"deadline": date(2022, 10, 15)}, actor=office)
    assert all(a.deadline == date(2022, 10, 15) for a in open_before)
    new = add_task(
        directive,
        {"label": "2.3", "text": "Bổ sung: rà soát dữ liệu.", "assignments": [{"agency": "TN-CA", "role": "lead"}]},
        actor=office,
        parent=next(t for t in directive.tasks if t.label == "2"),
    )
    labels = [t.label for t in sorted(directive.tasks, key=lambda t: t.position)]
    assert labels[:5] == ["1", "2", "-", "-", "2.3"]
    assert new.parent.label == "2"
    added = add_assignments(task, [{"agency": "TN-STC", "role": "coordinate"}], actor=office)
    assert [a.agency.code for a in added] == ["TN-STC"]
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.directive_id == directive.id)))
    assert {"task.update", "task.add", "assignment.add"} <= actions


def test_removing_worked_assignment_needs_reason_and_cancels(app) -> None:
    office = get_user("office.tayninh")
    worked = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    assert worked.status == Status.in_progress
    with pytest.raises(Invalid):
        remove_assignment(worked, actor=office)
    remove_assignment(worked, actor=office, reason="Giao lại cho Sở Nội vụ.")
    assert worked.status == Status.cancelled
    from coordination.assignments.models import ProgressUpdate

    untouched = db.session.scalars(
        sa.select(Assignment)
        .join(Task)
        .join(Directive)
        .where(Directive.ref == "2157/UBND-KSTT", Assignment.status == Status.not_started)
        .where(~sa.exists().where(ProgressUpdate.assignment_id == Assignment.id))
    ).first()
    untouched_id = untouched.id
    remove_assignment(untouched, actor=office)
    assert db.session.get(Assignment, untouched_id) is None
    reasons = list(db.session.scalars(sa.select(AuditEvent.after).where(AuditEvent.action == "assignment.remove")))
    assert {"reason": "Giao lại cho Sở Nội vụ."} in reasons


def test_merge_moves_open_work_and_keeps_finished_work(app) -> None:
    admin = get_user("admin")
    old = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-STP"))
    successor = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-SNV"))
    open_ids = {
        a.id for a in db.session.scalars(sa.select(Assignment).where(Assignment.agency_id == old.id)) if a.is_open
    }
    done_ids = {
        a.id for a in db.session.scalars(sa.select(Assignment).where(Assignment.agency_id == old.id)) if not a.is_open
    }
    assert open_ids and done_ids
    with pytest.raises(Forbidden):
        merge_agency(old, successor, actor=get_user("office.tayninh"))
    merge_agency(old, successor, actor=admin)
    assert not old.active and old.successor is successor
    for assignment_id in open_ids:
        moved = db.session.get(Assignment, assignment_id)
        assert moved.agency_id == successor.id or moved.status == Status.cancelled
    for assignment_id in done_ids:
        assert db.session.get(Assignment, assignment_id).agency_id == old.id
    reassign = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "assignment.reassign")).first()
    assert reassign.before["agency"] == "TN-STP" and reassign.after["agency"] == "TN-SNV"


def test_rename_keeps_old_name_as_alias(app) -> None:
    from coordination.agencies.lookup import agency_by_name

    agency = db.session.scalar(sa.select(Agency).where(Agency.code == "TN-SGDDT"))
    old_name = agency.name_vi
    rename_agency(agency, name_vi="Sở Giáo dục, Khoa học và Công nghệ tỉnh Tây Ninh", actor=get_user("admin"))
    assert agency_by_name(old_name) is agency
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "agency.rename")).one()
    assert event.before["name_vi"] == old_name
