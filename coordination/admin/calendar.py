"""Lịch: the user's secret iCalendar URL of its agency's open deadlines, and a button to make a new one."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_admin import expose
from flask_babel import gettext as _

from coordination.admin.base import SecureBaseView, current
from coordination.reminders.calendar import calendar_url, revoke_calendar_token


class CalendarView(SecureBaseView):
    @expose("/")
    def index(self) -> Any:
        user = current()
        url = calendar_url(user)  # the token is made on first use: keep it
        return self.render("monitoring/calendar.html", url=url, user=user)

    @expose("/revoke", methods=["POST"])
    def revoke(self) -> Any:
        user = current()
        revoke_calendar_token(user, actor=user)
        flash(_("Đã tạo đường dẫn lịch mới; đường dẫn cũ không còn dùng được."), "success")
        return redirect(url_for(".index"))
