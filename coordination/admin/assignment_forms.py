"""The forms of the assignment page: report progress with files, evidence removal, extensions, review."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, MultipleFileField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from coordination.admin.base import current
from coordination.admin.forms import PercentField, VNDateField, WorkflowForm, max_length, reason_required, required
from coordination.assignments.models import Assignment, ExtensionRequest
from coordination.assignments.operations import decide_extension, review_assignment
from coordination.assignments.states import ACTION_ACTOR, ACTION_LABELS, Action, allowed_actions
from coordination.auth.models import User
from coordination.collation import vi_order
from coordination.extensions import db
from coordination.permissions import Permission, can, handler_candidates

NOTE_MAX = 5000


def version_of(form: Any) -> int | None:
    """The assignment version the page was read at; None when the form does not say, 0 (never current) if garbled."""
    value = (form.version.data or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        return 0


def work_actions(user: User | None, assignment: Assignment) -> list[Action]:
    """The status changes the agency may make now: allowed from the current status, and permitted."""
    if not can(user, Permission.assignment_work, assignment):
        return []
    return [a for a in allowed_actions(assignment.status) if ACTION_ACTOR[a] == "work"]


class ReportForm(WorkflowForm):
    version = HiddenField()
    note = TextAreaField(_l("Nội dung báo cáo"), [max_length(NOTE_MAX)], render_kw={"rows": 4})
    progress_percent = PercentField(_l("Tiến độ (%)"))
    action = SelectField(_l("Chuyển trạng thái"), default="")
    files = MultipleFileField(_l("Minh chứng (chọn được nhiều tệp)"))

    def set_actions(self, actions: list[Action]) -> None:
        self.action.choices = [SelectChoice("", _("Giữ nguyên trạng thái"))] + [
            SelectChoice(a.value, ACTION_LABELS[a]) for a in actions
        ]

    def chosen_action(self) -> Action | None:
        return Action(self.action.data) if self.action.data else None

    def uploads(self) -> list[Any]:
        """The files actually chosen (a browser sends an empty part when none is)."""
        return [f for f in self.files.data or [] if getattr(f, "filename", None)]


class RemoveEvidenceForm(WorkflowForm):
    reason = TextAreaField(_l("Lý do gỡ"), [reason_required, max_length(2000)], render_kw={"rows": 2})


class ExtensionRequestForm(WorkflowForm):
    requested_deadline = VNDateField(_l("Hạn đề nghị"), [required()])
    reason = TextAreaField(_l("Lý do đề nghị gia hạn"), [reason_required, max_length(2000)], render_kw={"rows": 3})


class ReviewForm(WorkflowForm):
    version = HiddenField()
    decision = SelectField(
        _l("Quyết định"),
        choices=[SelectChoice("accept", _l("Xác nhận hoàn thành")), SelectChoice("return", _l("Trả lại"))],
        validators=[required()],
    )
    note = TextAreaField(_l("Nhận xét (bắt buộc khi trả lại)"), [max_length(NOTE_MAX)], render_kw={"rows": 3})

    def validate_note(self, field: Any) -> None:
        if self.decision.data == "return" and not (field.data or "").strip():
            raise ValidationError(_("Hãy ghi lý do trả lại."))

    def submit(self, assignment: Assignment) -> None:
        """Accept or return the work as decided (the queue's row and the work page): OperationError if refused."""
        review_assignment(
            assignment,
            self.decision.data,
            self.note.data or "",
            actor=current(),
            expected_version=version_of(self),
        )


class ExtensionDecisionForm(WorkflowForm):
    decision = SelectField(
        _l("Quyết định"),
        choices=[SelectChoice("approve", _l("Đồng ý gia hạn")), SelectChoice("reject", _l("Từ chối"))],
        validators=[required()],
    )
    note = TextAreaField(_l("Ghi chú (bắt buộc khi từ chối)"), [max_length(2000)], render_kw={"rows": 2})
    next = HiddenField()

    def validate_note(self, field: Any) -> None:
        if self.decision.data == "reject" and not (field.data or "").strip():
            raise ValidationError(_("Hãy ghi lý do từ chối."))

    def submit(self, extension: ExtensionRequest) -> None:
        """Approve or reject the request as decided (the queue's row and the work page): OperationError if refused."""
        decide_extension(extension, self.decision.data, self.note.data or "", actor=current())


class HandlersForm(WorkflowForm):
    """Phân công xử lý: the agency's head names handlers among its own users, with a note and an internal due date."""

    handlers = SelectMultipleField(
        _l("Người xử lý"), [required()], coerce=int, render_kw={"size": 4, "data-picker": "search"}
    )
    note = TextAreaField(_l("Ý kiến chỉ đạo, ghi chú"), [max_length(2000)], render_kw={"rows": 2})
    due_on = VNDateField(_l("Hạn xử lý nội bộ"))

    def set_candidates(self, assignment: Assignment) -> None:
        """Offer the active users of the assignment's agency, in Vietnamese order."""
        users = db.session.scalars(
            sa.select(User).where(handler_candidates(assignment.agency_id)).order_by(vi_order(User.full_name))
        )
        self.handlers.choices = [SelectChoice(u.id, f"{u.full_name} ({u.username})") for u in users]
