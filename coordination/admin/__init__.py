"""The web UI: Flask-Admin views on top of the same permissions and operations."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask, url_for
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import lazy_gettext as _l

from coordination.admin.agencies import AgencyGroupView, AgencyTreeView, AgencyView
from coordination.admin.assignments import AssignmentView
from coordination.admin.directives import DirectiveView
from coordination.admin.extension_requests import ExtensionRequestView
from coordination.admin.index import HomeView
from coordination.admin.labels import init_labels
from coordination.admin.monitoring import register_monitoring
from coordination.admin.onboarding import OnboardingView
from coordination.admin.queue import QueueView, init_queue
from coordination.admin.reports import ReportsView
from coordination.admin.two_factor import TwoFactorView
from coordination.admin.users import UserView
from coordination.admin.webhooks import WebhookDeliveryView, WebhookEndpointView
from coordination.admin.working_days import CalendarDayView, WorkCalendarView, init_working_days
from coordination.agencies.models import Agency, AgencyGroup
from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.back import register_action_page
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.security import csp_nonce
from coordination.webhooks.models import WebhookDelivery, WebhookEndpoint
from coordination.workdays.models import CalendarDay


def init_admin(app: Flask) -> Admin:
    """Build this app's Admin and its views (one set per app: tests build several apps)."""
    init_labels(app)
    init_queue(app)
    init_working_days(app)
    admin = Admin(
        app,
        name=_l("Theo dõi nhiệm vụ"),
        url="/app",
        theme=Bootstrap4Theme(base_template="admin/app_base.html"),
        index_view=HomeView(name=_l("Trang chủ"), url="/app"),
        csp_nonce_generator=csp_nonce,  # Flask-Admin's own inline scripts carry this request's nonce
    )
    agencies = _l("Cơ quan, đơn vị")
    admin.add_view(DirectiveView(Directive, name=_l("Văn bản chỉ đạo"), endpoint="directive"))
    admin.add_view(AssignmentView(Assignment, name=_l("Việc của đơn vị"), endpoint="assignment"))
    # issue 11: what waits for the monitor's or the office's decision (the menu shows how many)
    admin.add_view(QueueView(name=_l("Chờ xử lý"), endpoint="queue", url="queue"))
    admin.add_view(ExtensionRequestView(name=_l("Đề nghị gia hạn"), endpoint="extension_request", url="extensions"))
    register_monitoring(app, admin)  # issue 5: dashboard, targets, explanations, reminders, inbox, calendar
    admin.add_view(AgencyView(Agency, name=_l("Danh sách cơ quan"), category=agencies, endpoint="agency"))
    admin.add_view(
        AgencyTreeView(name=_l("Sơ đồ tổ chức"), category=agencies, endpoint="agency_tree", url="agency-tree")
    )
    admin.add_view(
        AgencyGroupView(
            AgencyGroup, name=_l("Nhóm cơ quan"), category=agencies, endpoint="agency_group", url="agency-group"
        )
    )
    admin.add_view(ReportsView(name=_l("Báo cáo"), endpoint="reports", url="reports"))
    # issue 11: the admin's own pages in one menu, so that the desktop menu fits one line at 1366 px
    administration = _l("Quản trị")
    admin.add_view(UserView(User, name=_l("Người dùng"), category=administration, endpoint="user"))
    # issue 15: webhooks, for the admin only (the menu hides them from others), under the same menu
    admin.add_view(
        WebhookEndpointView(
            WebhookEndpoint,
            name=_l("Webhook: địa chỉ nhận"),
            category=administration,
            endpoint="webhook",
            url="webhook",
        )
    )
    admin.add_view(
        WebhookDeliveryView(
            WebhookDelivery,
            name=_l("Webhook: các lần gửi"),
            category=administration,
            endpoint="webhook_delivery",
            url="webhook-delivery",
        )
    )
    # issue 15: the working-day calendar for everyone (beside the other follow-up pages), its corrections for
    # the admin; no menu of their own, so that the desktop menu fits one line at 1366 px (issue 11)
    admin.add_view(
        WorkCalendarView(
            name=_l("Lịch ngày làm việc"),
            category=_l("Theo dõi, đôn đốc"),
            endpoint="work_calendar",
            url="working-days",
        )
    )
    admin.add_view(
        CalendarDayView(
            CalendarDay,
            name=_l("Ngày nghỉ, ngày làm bù"),
            category=administration,
            endpoint="calendar_day",
            url="calendar-day",
        )
    )
    # issue 15: each user's own second factor, reached from the navbar (not the menu)
    admin.add_view(TwoFactorView(name=_l("Xác thực hai bước"), endpoint="two_factor", url="two-factor"))
    # issue 15: agencies and users from a spreadsheet (admin only)
    admin.add_view(
        OnboardingView(name=_l("Nhập từ Excel"), category=administration, endpoint="onboarding", url="onboarding")
    )
    register_action_pages(app)
    return admin


def _owner_page(model: type, key: str, page: Any) -> Any:
    """The page of the object that owns the action's object (its row's `key`), or None if there is none."""

    def page_of(args: dict[str, Any]) -> str | None:
        owner = db.session.scalar(sa.select(getattr(model, key)).where(model.id == next(iter(args.values()))))
        return page(owner) if owner is not None else None

    return page_of


def register_action_pages(app: Flask) -> None:
    """Actions on an object shown on another object's page: a GET of their URL goes back to that page."""
    from coordination.assignments.models import ExtensionRequest
    from coordination.evidence.models import Evidence

    def assignment_page(anchor: str) -> Any:
        return lambda assignment_id: url_for("assignment.details_view", id=assignment_id) + anchor

    register_action_page(
        app, "assignment.remove_evidence_view", _owner_page(Evidence, "assignment_id", assignment_page("#evidence"))
    )
    register_action_page(
        app, "assignment.decide_extension_view", _owner_page(ExtensionRequest, "assignment_id", assignment_page(""))
    )
    register_action_page(
        app,
        "directive.remove_assignment_view",
        _owner_page(Assignment, "task_id", lambda task_id: url_for("directive.task_view", task_id=task_id)),
    )
    for action, anchor in (
        ("report_view", "#report"),
        ("request_extension_view", "#extension"),
        ("review_view", "#review"),
    ):
        register_action_page(
            app, f"assignment.{action}", lambda args, anchor=anchor: assignment_page(anchor)(args["assignment_id"])
        )
