"""The monitoring pages' Jinja helpers: rating labels, the navbar's unread count, the assignment page's panel."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from flask_admin import Admin
from flask_babel import lazy_gettext as _l

from coordination.admin.calendar import CalendarView
from coordination.admin.dashboard import DashboardView
from coordination.admin.explanations import ExplanationView
from coordination.admin.indicators import IndicatorView, rating_label, rating_style
from coordination.admin.notifications import NotificationView, unread_notifications
from coordination.admin.reminders import ReminderView
from coordination.db import local_tz
from coordination.reminders.queries import assignment_monitoring

#: how each reminder was sent, in words
REMINDER_RULE_LABELS = {
    "before": _l("Nhắc trước hạn"),
    "on_day": _l("Nhắc ngày đến hạn"),
    "overdue": _l("Nhắc quá hạn"),
    "escalation": _l("Báo lãnh đạo"),
    "manual": _l("Đôn đốc bằng tay"),
}


def reminder_rule_label(rule: str) -> str:
    return str(REMINDER_RULE_LABELS.get(rule, rule))


def local_day(moment: datetime | None) -> date | None:
    """The day a UTC moment falls on where the users live."""
    return moment.astimezone(local_tz()).date() if moment is not None else None


def init_monitoring(app: Flask) -> None:
    app.jinja_env.filters.update(
        rating_label=rating_label,
        rating_style=rating_style,
        reminder_rule_label=reminder_rule_label,
        local_day=local_day,
    )
    # Called by templates: the navbar once per page (one COUNT), the assignment page once (three queries).
    app.jinja_env.globals.update(unread_notifications=unread_notifications, monitoring_panel=assignment_monitoring)


def register_monitoring(app: Flask, admin: Admin) -> None:
    """The monitoring pages (issue 5): the dashboard in the menu's first row, the rest under one category."""
    init_monitoring(app)
    category = _l("Theo dõi, đôn đốc")
    admin.add_view(DashboardView(name=_l("Bảng theo dõi"), endpoint="dashboard", url="dashboard"))
    admin.add_view(IndicatorView(name=_l("Chỉ tiêu"), category=category, endpoint="indicators", url="indicators"))
    admin.add_view(
        ExplanationView(name=_l("Giải trình"), category=category, endpoint="explanations", url="explanations")
    )
    admin.add_view(
        ReminderView(name=_l("Chính sách đôn đốc"), category=category, endpoint="reminders", url="reminders")
    )
    admin.add_view(CalendarView(name=_l("Lịch của tôi"), category=category, endpoint="my_calendar", url="calendar"))
    # The inbox is reached from the navbar's badge (notifications/_navbar.html), not from the menu.
    admin.add_view(NotificationView(name=_l("Hộp thư"), endpoint="notifications", url="notifications"))
