"""Đôn đốc: reminders by hand (select, preview, edit, send) and the reminder policy (per directive, global)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange

from coordination.admin.base import SecureBaseView, current
from coordination.admin.dashboard import DashboardArgs
from coordination.api.schemas import MAX_ID
from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.db import today as local_today
from coordination.directives.models import Directive, DirectiveStatus
from coordination.extensions import db
from coordination.i18n import TranslatedFlaskForm
from coordination.permissions import Permission, can, visible_directives
from coordination.reminders.models import ReminderPolicy
from coordination.reminders.operations import policy_for, policy_of, preview_reminders, save_policy, send_reminders
from coordination.reminders.policy import Policy
from coordination.reminders.queries import assignments_by_ids, overdue_assignments, policies_by_directive
from coordination.workdays.models import DayUnit

#: the longest reminder text accepted (a page of A4)
MESSAGE_MAX = 5000
#: the most assignments one preview shows
SELECTION_MAX = 500


class PolicyForm(TranslatedFlaskForm):
    days_before = IntegerField(
        _l("Nhắc trước hạn (ngày)"),
        validators=[
            InputRequired(_l("Bắt buộc.")),
            NumberRange(0, 60, _l("Từ %(min)s đến %(max)s.")),
        ],
    )
    remind_on_day = BooleanField(_l("Nhắc vào ngày đến hạn"))
    overdue_every_days = IntegerField(
        _l("Khi quá hạn, nhắc lại sau mỗi (ngày)"),
        validators=[InputRequired(_l("Bắt buộc.")), NumberRange(1, 60, _l("Từ %(min)s đến %(max)s."))],
    )
    escalate_after = IntegerField(
        _l("Báo lãnh đạo sau số lần nhắc quá hạn"),
        validators=[InputRequired(_l("Bắt buộc.")), NumberRange(1, 20, _l("Từ %(min)s đến %(max)s."))],
    )
    # "nhắc trước 3 ngày làm việc": both numbers above count in this unit
    days_unit = SelectField(
        _l("Đơn vị tính ngày"),
        choices=[
            SelectChoice(DayUnit.calendar.value, _l("Ngày theo lịch")),
            SelectChoice(DayUnit.working.value, _l("Ngày làm việc")),
        ],
        default=DayUnit.calendar.value,
    )


def _selection(user: User) -> list[Assignment]:
    """The assignments a preview or a send is about: picked ids, or all overdue under the dashboard's filters."""
    raw_ids = request.values.getlist("assignment")
    if raw_ids:
        if len(raw_ids) > SELECTION_MAX or not all(v.isdigit() and 0 < int(v) < 2**31 for v in raw_ids):
            abort(400, _("Danh sách nhiệm vụ đã chọn không hợp lệ."))
        found, missing = assignments_by_ids(user, [int(v) for v in raw_ids])
        if missing:
            abort(404, _("Không tìm thấy nhiệm vụ số %(ids)s.", ids=", ".join(map(str, missing))))
        return found
    args = DashboardArgs.parse(request.values)
    if args.errors:
        abort(400, "; ".join(args.errors.values()))
    if args.filters.agency_id is None and args.filters.directive_id is None:
        abort(400, _("Hãy chọn nhiệm vụ, hoặc một cơ quan hay một văn bản."))
    return overdue_assignments(user, args.filters)


def _as_policy(row: ReminderPolicy) -> Policy:
    return policy_of(row)


def _policy_rows(user: User) -> tuple[list[dict[str, Any]], Policy]:
    """Each open directive the user may see with the policy in force for it, and the global default."""
    directives = list(
        db.session.scalars(
            sa.select(Directive)
            .where(visible_directives(user), Directive.status != DirectiveStatus.closed)
            .order_by(Directive.issued_on.desc(), Directive.id.desc())
        )
    )
    default, own = policies_by_directive([d.id for d in directives])
    base = _as_policy(default) if default else Policy()
    return [
        {
            "directive": d,
            "policy": _as_policy(own[d.id]) if d.id in own else base,
            "own": d.id in own,
            "editable": can(user, Permission.reminder_policy_edit, d),
        }
        for d in directives
    ], base


class ReminderView(SecureBaseView):
    """Everyone reads the policies; the office edits its directives', admin the default; monitors and offices urge."""

    @expose("/")
    def index(self) -> Any:
        user = current()
        rows, default = _policy_rows(user)
        return self.render(
            "monitoring/reminders.html",
            rows=rows,
            default=default,
            may_edit_default=can(user, Permission.reminder_policy_edit, None),
        )

    # --- by hand -----------------------------------------------------------------------------------

    @expose("/preview")
    def preview(self) -> Any:
        user = current()
        if not can(user, Permission.reminder_send):
            abort(403, _("Bạn không có quyền đôn đốc."))
        assignments = _selection(user)
        refused = [a for a in assignments if not can(user, Permission.reminder_send, a)]
        if refused:
            abort(403, _("Bạn không có quyền đôn đốc nhiệm vụ này."))
        texts = preview_reminders(assignments)
        return self.render(
            "monitoring/reminder_preview.html",
            assignments=assignments,
            texts=texts,
            today=local_today(),
            message_max=MESSAGE_MAX,
            back=url_for("dashboard.index", **DashboardArgs.parse(request.args).query_args()),
        )

    @expose("/send", methods=["POST"])
    def send(self) -> Any:
        user = current()
        if not can(user, Permission.reminder_send):
            abort(403, _("Bạn không có quyền đôn đốc."))
        assignments = _selection(user)
        texts: dict[int, str] = {}
        for assignment in assignments:
            text = request.form.get(f"message-{assignment.id}", "").replace("\r\n", "\n").strip()
            if len(text) > MESSAGE_MAX or "\x00" in text:
                abort(400, _("Nội dung đôn đốc quá dài (tối đa %(n)s ký tự).", n=MESSAGE_MAX))
            texts[assignment.id] = text
        sent, skipped = [], []
        # Each assignment carries its own (edited) text: one send per assignment, one commit for all.
        for assignment in assignments:
            done, not_sent = send_reminders([assignment], actor=user, message=texts[assignment.id] or None)
            sent += done
            skipped += not_sent
        flash(
            _("Đã gửi %(sent)s văn bản đôn đốc; bỏ qua %(skipped)s.", sent=len(sent), skipped=len(skipped)), "success"
        )
        if skipped:
            flash(
                _("Bỏ qua: việc đã báo cáo hoàn thành hoặc đã đóng, hay đã được đôn đốc bằng tay trong hôm nay."),
                "info",
            )
        return redirect(url_for("dashboard.index"))

    # --- the policy --------------------------------------------------------------------------------

    @expose("/policy/", methods=["GET", "POST"])
    def default_policy(self) -> Any:
        return self._edit_policy(None)

    @expose(f"/policy/<int(max={MAX_ID}):directive_id>", methods=["GET", "POST"])
    def directive_policy(self, directive_id: int) -> Any:
        directive = db.session.scalar(
            sa.select(Directive).where(Directive.id == directive_id, visible_directives(current()))
        )
        if directive is None:
            abort(404)
        return self._edit_policy(directive)

    def _edit_policy(self, directive: Directive | None) -> Any:
        user = current()
        if not can(user, Permission.reminder_policy_edit, directive):
            abort(403)
        current_policy = policy_for(directive.id if directive else None)
        form = PolicyForm(data=asdict(current_policy) if request.method == "GET" else None)
        if form.validate_on_submit():
            save_policy(directive, {name: form[name].data for name in asdict(current_policy)}, actor=user)
            flash(_("Đã lưu chính sách đôn đốc."), "success")
            return redirect(url_for(".index"))
        status = 422 if request.method == "POST" else 200
        return self.render("monitoring/reminder_policy.html", form=form, directive=directive), status
