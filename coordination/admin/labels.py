"""Vietnamese labels for the enums the web UI shows, and the Jinja filters that print them."""

from __future__ import annotations

from datetime import date
from enum import Enum

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coordination.agencies.models import AgencyKind, AgencyLevel
from coordination.assignments.models import AssignmentRole
from coordination.assignments.states import Timeliness
from coordination.audit import SYSTEM_CLI, SYSTEM_DEMO, SYSTEM_REMINDERS, AuditEvent
from coordination.auth.models import Role
from coordination.directives.labels import DIRECTIVE_STATUS_LABELS, DOC_TYPE_LABELS, RECURRENCE_LABELS
from coordination.directives.models import DirectiveStatus, DocType, Recurrence
from coordination.formatting import format_date

ROLE_LABELS = {
    Role.admin: _l("Quản trị hệ thống"),
    Role.office: _l("Văn phòng (ban hành)"),
    Role.monitor: _l("Theo dõi, đôn đốc"),
    Role.officer: _l("Cán bộ đơn vị"),
}


ASSIGNMENT_ROLE_LABELS = {
    AssignmentRole.lead: _l("Chủ trì"),
    AssignmentRole.coordinate: _l("Phối hợp"),
}

AGENCY_KIND_LABELS = {
    AgencyKind.people_committee: _l("Ủy ban nhân dân"),
    AgencyKind.police: _l("Công an"),
    AgencyKind.department: _l("Sở, ban, ngành, phòng"),
    AgencyKind.mass_organization: _l("Tổ chức chính trị - xã hội"),
    AgencyKind.press: _l("Báo chí, phát thanh, truyền hình"),
    AgencyKind.board: _l("Ban quản lý"),
    AgencyKind.other: _l("Khác"),
}

#: the groups of an agency picker
PICKER_LEVEL_LABELS = {
    AgencyLevel.central: _l("Cấp trung ương"),
    AgencyLevel.province: _l("Cấp tỉnh"),
    AgencyLevel.district: _l("Cấp huyện"),
    AgencyLevel.commune: _l("Cấp xã"),
}

AGENCY_LEVEL_LABELS = {
    AgencyLevel.central: _l("Trung ương"),
    AgencyLevel.province: _l("Tỉnh"),
    AgencyLevel.district: _l("Huyện"),
    AgencyLevel.commune: _l("Xã"),
}


#: Bootstrap colour and a symbol for each timeliness: the badge's text says it, the colour only helps
TIMELINESS_STYLES = {
    Timeliness.overdue: ("danger", "!"),
    Timeliness.due_soon: ("warning", "→"),
    Timeliness.on_time: ("info", "•"),
    Timeliness.done_on_time: ("success", "✓"),
    Timeliness.done_late: ("secondary", "✓"),
    Timeliness.no_deadline: ("light", "∞"),
}

#: what an audit event's action means, as the history shows it
AUDIT_ACTION_LABELS = {
    "assignment.start": _l("Bắt đầu thực hiện"),
    "assignment.progress": _l("Cập nhật tiến độ"),
    "assignment.report_done": _l("Báo cáo hoàn thành"),
    "assignment.accept": _l("Xác nhận hoàn thành"),
    "assignment.return": _l("Trả lại, yêu cầu bổ sung"),
    "assignment.resume": _l("Tiếp tục thực hiện"),
    "assignment.cancel": _l("Hủy"),
    "assignment.add": _l("Giao nhiệm vụ cho cơ quan"),
    "assignment.remove": _l("Gỡ phân công"),
    "assignment.deadline": _l("Đổi hạn theo nhiệm vụ"),
    "assignment.reassign": _l("Chuyển sang cơ quan tiếp nhận (sáp nhập)"),
    "assignment.cancel_on_merge": _l("Hủy do sáp nhập (cơ quan tiếp nhận đã có nhiệm vụ này)"),
    "directive.create": _l("Tạo văn bản (bản nháp)"),
    "directive.update": _l("Sửa văn bản"),
    "directive.activate": _l("Kích hoạt văn bản"),
    "directive.close": _l("Đóng văn bản"),
    "task.add": _l("Thêm nhiệm vụ"),
    "task.update": _l("Sửa nhiệm vụ"),
    "evidence.add": _l("Nộp minh chứng"),
    "evidence.remove": _l("Gỡ minh chứng"),
    "extension.request": _l("Đề nghị gia hạn"),
    "extension.approve": _l("Đồng ý gia hạn"),
    "extension.reject": _l("Từ chối gia hạn"),
    "agency.create": _l("Thêm cơ quan"),
    "agency.update": _l("Sửa thông tin cơ quan"),
    "agency.rename": _l("Đổi tên cơ quan"),
    "agency.merge": _l("Sáp nhập vào cơ quan khác"),
    "indicator.create": _l("Tạo chỉ tiêu"),
    "measurement.add": _l("Cập nhật kết quả chỉ tiêu"),
    "reminder.manual": _l("Đôn đốc"),
    "reminder.before": _l("Nhắc trước hạn (tự động)"),
    "reminder.on_day": _l("Nhắc đến hạn (tự động)"),
    "reminder.overdue": _l("Đôn đốc quá hạn (tự động)"),
    "reminder.escalation": _l("Báo cáo lãnh đạo do quá hạn kéo dài"),
    "explanation.request": _l("Yêu cầu giải trình"),
    "explanation.answer": _l("Giải trình"),
    "explanation.read": _l("Đã đọc giải trình"),
    "reminder_policy.update": _l("Sửa chính sách đôn đốc"),
    "calendar.revoke": _l("Tạo liên kết lịch mới"),
    # issue 15: reports and webhooks
    "report.generate": _l("Lập báo cáo"),
    "webhook_endpoint.create": _l("Đăng ký webhook"),
    "webhook_endpoint.update": _l("Sửa webhook"),
    "webhook_endpoint.delete": _l("Xóa webhook"),
    "webhook_endpoint.test": _l("Gửi sự kiện thử tới webhook"),
    "webhook_delivery.replay": _l("Gửi lại sự kiện webhook"),
    "user.totp_enable": _l("Bật xác thực hai bước"),
    "user.totp_disable": _l("Tắt xác thực hai bước"),
    "user.totp_reset": _l("Quản trị viên xóa xác thực hai bước"),
    "user.recovery_codes_regenerate": _l("Tạo mã khôi phục mới"),
    "user.recovery_code_use": _l("Đăng nhập bằng mã khôi phục"),
    "assignment.delegate": _l("Phân công xử lý"),
}

AUDIT_FIELD_LABELS = {
    "status": _l("Trạng thái"),
    "progress_percent": _l("Tiến độ (%)"),
    "deadline": _l("Hạn"),
    "reported_done_on": _l("Ngày báo cáo hoàn thành"),
    "completed_on": _l("Ngày xác nhận hoàn thành"),
    "note": _l("Ghi chú"),
    "reason": _l("Lý do"),
    "agency": _l("Cơ quan"),
    "agencies": _l("Cơ quan được giao"),
    "role": _l("Vai trò"),
    "successor": _l("Cơ quan tiếp nhận"),
    "successor_id": _l("Cơ quan tiếp nhận"),
    "moved": _l("Số nhiệm vụ chuyển sang"),
    "filename": _l("Tệp"),
    "content_type": _l("Loại tệp"),
    "size": _l("Dung lượng"),
    "current_deadline": _l("Hạn hiện tại"),
    "answer_read_at": _l("Thời điểm đọc giải trình"),
    "requested_deadline": _l("Hạn đề nghị"),
    "label": _l("Số thứ tự"),
    "text": _l("Nội dung"),
    "recurrence": _l("Lặp lại"),
    "recurrence_day": _l("Ngày trong kỳ"),
    "ref": _l("Số, ký hiệu"),
    "number": _l("Số"),
    "symbol": _l("Ký hiệu"),
    "doc_type": _l("Loại văn bản"),
    "issued_on": _l("Ngày ban hành"),
    "subject": _l("Trích yếu"),
    "place": _l("Địa danh"),
    "legal_basis": _l("Căn cứ"),
    "source_text": _l("Toàn văn"),
    "monitor_agency_id": _l("Đơn vị theo dõi, đôn đốc"),
    "report_to_agency_id": _l("Báo cáo kết quả về"),
    "signer_name": _l("Người ký"),
    "tasks": _l("Số nhiệm vụ"),
    "code": _l("Mã"),
    "name_vi": _l("Tên"),
    "name_en": _l("Tên tiếng Anh"),
    "short_name": _l("Tên viết tắt"),
    "active": _l("Đang hoạt động"),
    "kind": _l("Loại"),
    "level": _l("Cấp"),
    "parent_id": _l("Cơ quan cấp trên"),
    "message": _l("Nội dung đôn đốc"),
    "recipients": _l("Người nhận"),
    "question": _l("Nội dung yêu cầu"),
    "answer": _l("Nội dung giải trình"),
    "due_on": _l("Hạn giải trình"),
    "expected_finish_on": _l("Dự kiến hoàn thành"),
    "days_late": _l("Số ngày trễ"),
    "files": _l("Số tệp"),
    "handlers": _l("Người xử lý"),
    "handler_due_on": _l("Hạn xử lý nội bộ"),
}


#: who did it, when no user did (AuditEvent.system_actor); "system" is history from before they were named
SYSTEM_ACTOR_LABELS = {
    SYSTEM_REMINDERS.name: _l("Hệ thống (nhắc việc tự động)"),
    SYSTEM_DEMO.name: _l("Hệ thống (dữ liệu mẫu)"),
    SYSTEM_CLI.name: _l("Hệ thống (lệnh quản trị)"),
}


def _label(table: dict, value: Enum | str | None) -> str:
    if value is None or value == "":
        return ""
    for key, label in table.items():
        if key == value:
            return str(label)
    return str(value)


def role_label(value: Role | str | None) -> str:
    return _label(ROLE_LABELS, value)


def doc_type_label(value: DocType | str | None) -> str:
    return _label(DOC_TYPE_LABELS, value)


def directive_status_label(value: DirectiveStatus | str | None) -> str:
    return _label(DIRECTIVE_STATUS_LABELS, value)


def assignment_role_label(value: AssignmentRole | str | None) -> str:
    return _label(ASSIGNMENT_ROLE_LABELS, value)


def agency_kind_label(value: AgencyKind | str | None) -> str:
    return _label(AGENCY_KIND_LABELS, value)


def agency_level_label(value: AgencyLevel | str | None) -> str:
    return _label(AGENCY_LEVEL_LABELS, value)


def recurrence_label(value: Recurrence | str | None) -> str:
    return _label(RECURRENCE_LABELS, value)


def audit_action_label(value: str) -> str:
    return _label(AUDIT_ACTION_LABELS, value) if value in AUDIT_ACTION_LABELS else value


def audit_field_label(value: str) -> str:
    return _label(AUDIT_FIELD_LABELS, value) if value in AUDIT_FIELD_LABELS else value


def actor_name(event: AuditEvent) -> str:
    """The user's full name, or the system actor in words."""
    if event.actor is not None:
        return event.actor.full_name
    return str(SYSTEM_ACTOR_LABELS.get(event.system_actor or "", _("Hệ thống")))


def timeliness_style(value: Timeliness | str | None) -> tuple[str, str]:
    if not value:
        return ("light", "")
    return TIMELINESS_STYLES.get(Timeliness(value), ("light", ""))


def document_date(place: str | None, day: date | None) -> str:
    """ "Tây Ninh, ngày 14 tháng 8 năm 2022": days below 10 and months 1-2 take a leading zero (NĐ 30/2020)."""
    if day is None:
        return place or ""
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = _("ngày %(day)s tháng %(month)s năm %(year)s", day=day_text, month=month_text, year=day.year)
    return f"{place}, {text}" if place else text


def iso_date(value: str | None) -> str:
    """An ISO date kept in an audit event's JSON, as dd/mm/yyyy."""
    if not value:
        return "—"
    try:
        return format_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def init_labels(app: Flask) -> None:
    app.jinja_env.filters.update(
        role_label=role_label,
        doc_type_label=doc_type_label,
        directive_status_label=directive_status_label,
        assignment_role_label=assignment_role_label,
        agency_kind_label=agency_kind_label,
        agency_level_label=agency_level_label,
        recurrence_label=recurrence_label,
        audit_action_label=audit_action_label,
        audit_field_label=audit_field_label,
        actor_name=actor_name,
        timeliness_style=timeliness_style,
        document_date=document_date,
        vnisodate=iso_date,
    )
