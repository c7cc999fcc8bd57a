"""The wording of reminders (đôn đốc), in Vietnamese administrative style."""

from __future__ import annotations

from datetime import date

from coordination.assignments.models import Assignment, AssignmentRole
from coordination.directives.labels import DOC_TYPE_LABELS
from coordination.formatting import format_date
from coordination.reminders.policy import Rule


def _shorten(text: str, limit: int = 220) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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
        f"{agency} được giao {role} thực hiện nhiệm vụ {task.display_label}: “{_shorten(task.text)}”"
    )
    deadline = format_date(assignment.deadline)
    days = (assignment.deadline - today).days if assignment.deadline else 0
    if rule == Rule.before:
        body = (
            f", thời hạn hoàn thành ngày {deadline} (còn {days} ngày). "
            f"Đề nghị {agency} tập trung thực hiện, bảo đảm đúng thời hạn và báo cáo kết quả về {report_to}."
        )
    elif rule == Rule.on_day:
        body = (
            f", thời hạn hoàn thành là hôm nay, ngày {deadline}. "
            f"Đề nghị {agency} hoàn thành và báo cáo kết quả về {report_to} trong ngày."
        )
    elif rule == Rule.escalation:
        body = (
            f", thời hạn hoàn thành ngày {deadline}. Đến nay nhiệm vụ đã quá hạn {-days} ngày, "
            f"đã được đôn đốc {times_reminded} lần nhưng chưa hoàn thành. Đề nghị lãnh đạo {agency} "
            f"trực tiếp chỉ đạo, khẩn trương hoàn thành và giải trình lý do chậm trễ với {report_to}."
        )
    else:
        late = f"đã quá hạn {-days} ngày" if days < 0 else f"thời hạn ngày {deadline}"
        body = (
            f", thời hạn hoàn thành ngày {deadline}. Đến nay nhiệm vụ {late} nhưng chưa có báo cáo hoàn thành. "
            f"Đề nghị {agency} khẩn trương thực hiện và báo cáo kết quả về {report_to}."
        )
    return opening + body
