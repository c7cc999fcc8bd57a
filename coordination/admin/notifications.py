"""Thông báo: the user's inbox (newest first), mark one or all read; the unread count in the navbar."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from coordination.admin.base import SecureBaseView, current
from coordination.extensions import db
from coordination.queue.queries import UNREAD, queue_counts
from coordination.reminders.operations import mark_read
from coordination.reminders.queries import notifications_query

PAGE_SIZE = 30

#: what each kind of notification is, in words (the inbox shows it beside the message)
KIND_LABELS = {
    "reminder": _l("Đôn đốc"),
    "escalation": _l("Báo lãnh đạo"),
    "explanation": _l("Yêu cầu giải trình"),
    "explanation_answer": _l("Giải trình"),
    "assignment": _l("Nhiệm vụ mới"),
    "accepted": _l("Xác nhận hoàn thành"),
    "returned": _l("Trả lại, yêu cầu bổ sung"),
    "extension_approved": _l("Chấp thuận gia hạn"),
    "extension_rejected": _l("Không chấp thuận gia hạn"),
    # issue 11: what waits for the monitor's or the office's decision
    "reported_done": _l("Báo cáo hoàn thành, chờ xác nhận"),
    "extension_request": _l("Đề nghị gia hạn"),
    # issue 15: the agency's head named the user to handle its work
    "delegated": _l("Phân công xử lý"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


class NotificationView(SecureBaseView):
    """Reached from the navbar's badge, not from the menu."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self) -> Any:
        user = current()
        page = request.args.get("page", "1")
        page_number = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
        only_unread = request.args.get("unread") == "1"
        rows = db.session.scalars(
            notifications_query(user, unread=True if only_unread else None)
            .limit(PAGE_SIZE + 1)
            .offset((page_number - 1) * PAGE_SIZE)
        ).all()
        return self.render(
            "notifications/inbox.html",
            notifications=rows[:PAGE_SIZE],
            page=page_number,
            has_next=len(rows) > PAGE_SIZE,
            only_unread=only_unread,
            kind_label=kind_label,
        )

    @expose("/read", methods=["POST"])
    def read(self) -> Any:
        user = current()
        if request.form.get("all") == "1":
            changed = mark_read(user)
        else:
            raw = request.form.getlist("id")
            if not raw or not all(v.isdigit() and 0 < int(v) < 2**31 for v in raw):
                abort(400, _("Thiếu hoặc sai mã thông báo."))
            changed = mark_read(user, [int(v) for v in raw])
        flash(ngettext("Đã đánh dấu %(num)s thông báo là đã đọc.", "Đã đánh dấu %(num)s thông báo là đã đọc.", changed))
        return redirect(url_for(".index", unread="1" if request.form.get("unread") == "1" else None))


def unread_notifications() -> int:
    """For the navbar: the signed-in user's unread count (0 when signed out).

    Read with the menu's other counts in one query per request (queue.queries.queue_counts).
    """
    user = current()
    return queue_counts(user)[UNREAD] if user is not None else 0
