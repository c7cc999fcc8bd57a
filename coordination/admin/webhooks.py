"""Webhook (admins only): endpoints (create, edit, delete, send a test event) and their deliveries (list,
filters, details with the answer, replay). Saves go through coordination.webhooks.operations.

The secret is shown once, on the page that answers the creation; lists, forms and details never show it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import flash, g, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from coordination.admin.base import SecureForm, SecureModelView, current
from coordination.admin.users import _show_error
from coordination.db import local_tz
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.permissions import Permission
from coordination.webhooks import operations
from coordination.webhooks.events import EVENT_LABELS
from coordination.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

STATUS_LABELS = {
    DeliveryStatus.pending: _l("Chờ gửi"),
    DeliveryStatus.delivered: _l("Đã gửi"),
    DeliveryStatus.failed: _l("Lỗi, sẽ gửi lại"),
    DeliveryStatus.given_up: _l("Đã ngừng gửi"),
}


def event_label(event_type: str) -> str:
    label = EVENT_LABELS.get(event_type)
    return str(label) if label is not None else _("Sự kiện thử") if event_type == "ping" else event_type


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _events_field() -> _Checkboxes:
    return _Checkboxes(
        _l("Sự kiện"),
        choices=[SelectChoice(value, label) for value, label in EVENT_LABELS.items()],
        validators=[DataRequired()],
    )


class EndpointCreateForm(SecureForm):
    url = StringField(_l("Địa chỉ URL"), [DataRequired(), Length(max=operations.URL_MAX)])
    description = StringField(_l("Mô tả"), [Optional(), Length(max=200)])
    events = _events_field()
    active = BooleanField(_l("Đang hoạt động"), default=True)
    secret = StringField(
        _l("Khóa bí mật (để trống để hệ thống tạo)"),
        [Optional(), Length(min=operations.SECRET_MIN, max=operations.SECRET_MAX)],
        render_kw={"autocomplete": "off"},
    )


class EndpointEditForm(EndpointCreateForm):
    secret = StringField(
        _l("Khóa bí mật mới (để trống nếu không đổi)"),
        [Optional(), Length(min=operations.SECRET_MIN, max=operations.SECRET_MAX)],
        render_kw={"autocomplete": "off"},
    )


def _form_data(form: Any) -> dict[str, Any]:
    return {
        "url": form.url.data,
        "description": form.description.data or "",
        "events": form.events.data or [],
        "active": form.active.data,
        "secret": form.secret.data or None,
    }


class WebhookEndpointView(SecureModelView):
    """Endpoints: never the secret in the list, the forms or the history."""

    permission = Permission.webhook_manage
    can_create = True
    can_edit = True
    can_delete = True
    # one row at a time (the row's button asks first); the bulk action's menu needs an inline handler the CSP refuses
    action_disallowed_list = ["delete"]
    list_template = "webhooks/endpoint_list.html"
    column_list = ["url", "description", "events", "active", "created_at", "created_by"]
    column_default_sort = [("id", True)]
    column_sortable_list = ["url", "created_at"]
    column_labels = {
        "url": _l("Địa chỉ URL"),
        "description": _l("Mô tả"),
        "events": _l("Sự kiện"),
        "active": _l("Hoạt động"),
        "created_at": _l("Ngày đăng ký"),
        "created_by": _l("Người đăng ký"),
    }
    column_formatters = {
        "events": lambda view, context, model, name: ", ".join(event_label(e) for e in model.events),
        "created_by": lambda view, context, model, name: model.created_by.username if model.created_by else "—",
    }

    def base_query(self) -> Any:
        return db.session.query(WebhookEndpoint).options(joinedload(WebhookEndpoint.created_by))

    def get_create_form(self) -> Any:
        return EndpointCreateForm

    def get_edit_form(self) -> Any:
        return EndpointEditForm

    def on_form_prefill(self, form: Any, id: Any) -> None:
        form.secret.data = ""

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self) -> Any:
        response = super().create_view()
        created = g.pop("webhook_created", None)
        if created is None:
            return response
        endpoint, secret = created
        # Answered here, never through a redirect: a flashed secret would travel in the session cookie.
        return self.render("webhooks/secret_once.html", endpoint=endpoint, secret=secret)

    def create_model(self, form: Any) -> Any:
        try:
            endpoint, secret = operations.create_endpoint(_form_data(form), actor=current())
        except OperationError as error:
            db.session.rollback()
            _show_error(form, error)
            return False
        g.webhook_created = (endpoint, secret)
        return endpoint

    def update_model(self, form: Any, model: WebhookEndpoint) -> bool:
        try:
            operations.update_endpoint(model, _form_data(form), actor=current())
        except OperationError as error:
            db.session.rollback()
            _show_error(form, error)
            return False
        return True

    def delete_model(self, model: WebhookEndpoint) -> bool:
        try:
            operations.delete_endpoint(model, actor=current())
        except OperationError as error:
            db.session.rollback()
            flash(error.message, "error")
            return False
        return True

    @expose("/<int:endpoint_id>/test/", methods=("POST",))
    def test_view(self, endpoint_id: int) -> Any:
        endpoint = self.get_one(endpoint_id)
        delivery = operations.send_test_event(endpoint, actor=current())
        flash(_("Đã xếp một sự kiện thử vào hàng đợi; lần chạy gửi tới (trong vòng một phút) sẽ gửi nó."), "success")
        return redirect(url_for("webhook_delivery.details_view", id=delivery.id))


def _status_filter() -> DeliveryStatus | None:
    value = request.args.get("status")
    return next((s for s in DeliveryStatus if s.value == value), None)


class WebhookDeliveryView(SecureModelView):
    """Deliveries, newest first, filtered by status, endpoint and event; a delivery's page replays it."""

    permission = Permission.webhook_manage
    can_view_details = True
    list_template = "webhooks/delivery_list.html"
    details_template = "webhooks/delivery_details.html"
    column_list = [
        "id",
        "endpoint",
        "event_type",
        "status",
        "attempts",
        "last_response_status",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    column_details_list = [
        "id",
        "endpoint",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "last_response_status",
        "last_response_body",
        "last_error",
        "payload",
    ]
    column_default_sort = [("id", True)]
    column_sortable_list = ["id", "created_at"]
    column_labels = {
        "id": _l("Mã lần gửi"),
        "endpoint": _l("Webhook"),
        "event_id": _l("Mã sự kiện"),
        "event_type": _l("Sự kiện"),
        "status": _l("Trạng thái"),
        "attempts": _l("Số lần thử"),
        "last_response_status": _l("Mã trả lời"),
        "next_attempt_at": _l("Lần thử tới"),
        "last_attempt_at": _l("Lần thử gần nhất"),
        "delivered_at": _l("Gửi thành công lúc"),
        "created_at": _l("Tạo lúc"),
        "last_response_body": _l("Nội dung trả lời"),
        "last_error": _l("Lỗi"),
        "payload": _l("Nội dung đã gửi"),
    }
    column_formatters = {
        "endpoint": lambda view, context, model, name: model.endpoint.url,
        "event_type": lambda view, context, model, name: event_label(model.event_type),
        "status": lambda view, context, model, name: STATUS_LABELS[model.status],
        "payload": lambda view, context, model, name: Markup("<pre class='small mb-0'>{}</pre>").format(
            json.dumps(json.loads(model.payload), ensure_ascii=False, indent=2)
        ),
        "last_response_body": lambda view, context, model, name: Markup("<pre class='small mb-0'>{}</pre>").format(
            model.last_response_body
        ),
    }
    # date and time, where the users live: a retry an hour away is not just "today"
    column_type_formatters = {
        **SecureModelView.column_type_formatters,
        datetime: lambda view, value, name: value.astimezone(local_tz()).strftime("%d/%m/%Y %H:%M:%S"),
    }

    def base_query(self) -> Any:
        return db.session.query(WebhookDelivery).options(joinedload(WebhookDelivery.endpoint))

    def filter_list(self, query: Any) -> Any:
        status = _status_filter()
        if status is not None:
            query = query.filter(WebhookDelivery.status == status)
        endpoint = request.args.get("webhook", type=int)
        if endpoint is not None:
            query = query.filter(WebhookDelivery.endpoint_id == endpoint)
        event = request.args.get("event")
        if event:
            query = query.filter(WebhookDelivery.event_type == event)
        return query

    def render(self, template: str, **kwargs: Any) -> Any:
        kwargs.setdefault("status_labels", STATUS_LABELS)
        kwargs.setdefault("event_labels", {**{k: str(v) for k, v in EVENT_LABELS.items()}, "ping": _("Sự kiện thử")})
        kwargs.setdefault(
            "endpoints", db.session.query(WebhookEndpoint.id, WebhookEndpoint.url).order_by(WebhookEndpoint.id).all()
        )
        return super().render(template, **kwargs)

    @expose("/<int:delivery_id>/replay/", methods=("POST",))
    def replay_view(self, delivery_id: int) -> Any:
        delivery = self.get_one(delivery_id)
        try:
            operations.replay_delivery(delivery, actor=current())
        except OperationError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".details_view", id=delivery_id))
        flash(_("Đã xếp lần gửi này vào hàng đợi để gửi lại."), "success")
        return redirect(url_for(".details_view", id=delivery_id))
