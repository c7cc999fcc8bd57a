"""The wording of reminders (đôn đốc), in Vietnamese administrative style."""

from __future__ import annotations

from datetime import date

from coordination.assignments.models import Assignment, AssignmentRole
from coordination.directives.labels import DOC_TYPE_LABELS
from coordination.directives.models import Task
from coordination.formatting import format_date, format_number, task_label_text
from coordination.reminders.policy import Rule


def _shorten(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _days(count: int) -> str:
    """ "1.526 ngày": a letter writes numbers as the pages do."""
    return f"{format_number(count, locale='vi')} ngày"


def task_words(task: Task) -> str:
    """What the letter quotes of a task: its own words, and for a heading ("2. Công an tỉnh") its sub-items too.

    A heading's text often only names who acts; quoted alone it reads as the agency's name, not the work.
    """
    text = " ".join(task.text.split())
    if not task.subtasks:
        return _shorten(text)
    items = "; ".join(_shorten(sub.text, 160).rstrip(" .;") for sub in task.subtasks)
    return _shorten(f"{text.rstrip(':')}: {items}", limit=400)


def reminder_text(assignment: Assignment, rule: Rule, today: date, *, times_reminded: int = 0) -> str:
    """The reminder as a monitor would write it: names the directive, the task, the deadline, the delay."""
    task = assignment.task
    directive = task.directive
    agency = assignment.agency.name_vi
    role = "chủ trì" if assignment.role == AssignmentRole.lead else "phối hợp"
    report_to = (directive.monitor_agency or directive.report_to_agency or directive.issuer).name_vi
    doc = f"{DOC_TYPE_LABELS[directive.doc_type]} số {directive.ref} ngày {format_date(directive.issued_on)}"
    opening = (
        f"Kính gửi: {agency}.\n\n"
        f"Thực hiện {doc} của {directive.issuer.name_vi} về việc {directive.subject}, "
        f"{agency} được giao {role} thực hiện nhiệm vụ {task_label_text(task, 'vi')}: “{task_words(task)}”"
    )
    deadline = format_date(assignment.deadline)
    days = (assignment.deadline - today).days if assignment.deadline else 0
    if rule == Rule.before:
        body = (
            f", thời hạn hoàn thành ngày {deadline} (còn {_days(days)}). "
            f"Đề nghị {agency} tập trung thực hiện, bảo đảm đúng thời hạn và báo cáo kết quả về {report_to}."
        )
    elif rule == Rule.on_day:
        body = (
            f", thời hạn hoàn thành là hôm nay, ngày {deadline}. "
            f"Đề nghị {agency} hoàn thành và báo cáo kết quả về {report_to} trong ngày."
        )
    elif rule == Rule.escalation:
        body = (
            f", thời hạn hoàn thành ngày {deadline}. Đến nay nhiệm vụ đã quá hạn {_days(-days)}, "
            f"đã được đôn đốc {format_number(times_reminded, locale='vi')} lần nhưng chưa hoàn thành. "
            f"Đề nghị lãnh đạo {agency} "
            f"trực tiếp chỉ đạo, khẩn trương hoàn thành và giải trình lý do chậm trễ với {report_to}."
        )
    else:
        late = f"đã quá hạn {_days(-days)}" if days < 0 else f"thời hạn ngày {deadline}"
        body = (
            f", thời hạn hoàn thành ngày {deadline}. Đến nay nhiệm vụ {late} nhưng chưa có báo cáo hoàn thành. "
            f"Đề nghị {agency} khẩn trương thực hiện và báo cáo kết quả về {report_to}."
        )
    return opening + body
