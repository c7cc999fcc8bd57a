"""/api/v1/webhooks: endpoints (CRUD, a test event) and deliveries (list, details, replay), admin only."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination.access import found_or_404
from coordination.api.core import Blueprint, loads, signed_in
from coordination.api.pagination import paginate
from coordination.api.schemas import MAX_ID, PageArgs, page_of
from coordination.extensions import db
from coordination.webhooks.models import WebhookDelivery, WebhookEndpoint
from coordination.webhooks.operations import (
    create_endpoint,
    delete_endpoint,
    replay_delivery,
    require_manager,
    send_test_event,
    update_endpoint,
)
from coordination.webhooks.schemas import (
    DeliveryArgsSchema,
    DeliveryDetailSchema,
    DeliverySchema,
    EndpointCreatedSchema,
    EndpointCreateSchema,
    EndpointSchema,
    EndpointUpdateSchema,
)

blp = Blueprint(
    "api_webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Webhooks: signed deliveries of events to registered endpoints (administrators only)",
)


def endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    return found_or_404(db.session.get(WebhookEndpoint, endpoint_id), _("Không tìm thấy webhook."))


def delivery_or_404(delivery_id: int) -> WebhookDelivery:
    return found_or_404(db.session.get(WebhookDelivery, delivery_id), _("Không tìm thấy lần gửi webhook."))


@blp.get("/endpoints")
@blp.arguments(PageArgs, location="query", as_kwargs=True)
@blp.response(200, page_of(EndpointSchema))
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def list_endpoints(page_size: int, page_token: int | None) -> dict[str, Any]:
    """List the registered endpoints (never their secrets)."""
    require_manager(signed_in())
    query = sa.select(WebhookEndpoint).options(joinedload(WebhookEndpoint.created_by))
    return paginate(query, {"page_size": page_size, "page_token": page_token}, key=WebhookEndpoint.id)


@blp.post("/endpoints")
@blp.arguments(EndpointCreateSchema)
@blp.response(201, EndpointCreatedSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def create(data: dict[str, Any]) -> WebhookEndpoint:
    """Register an endpoint; the answer carries its secret, this once (no other answer has the field)."""
    endpoint, _secret = create_endpoint(data, actor=signed_in())
    return endpoint


@blp.get(f"/endpoints/<int(max={MAX_ID}):endpoint_id>")
@loads("endpoint", endpoint_or_404)
@blp.response(200, EndpointSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def read(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """One endpoint (without its secret)."""
    require_manager(signed_in())
    return endpoint


@blp.patch(f"/endpoints/<int(max={MAX_ID}):endpoint_id>")
@loads("endpoint", endpoint_or_404)
@blp.arguments(EndpointUpdateSchema)
@blp.response(200, EndpointSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def update(data: dict[str, Any], endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Change an endpoint: URL, description, events, active, or a new secret."""
    return update_endpoint(endpoint, data, actor=signed_in())


@blp.delete(f"/endpoints/<int(max={MAX_ID}):endpoint_id>")
@loads("endpoint", endpoint_or_404)
@blp.response(204)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def delete(endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its deliveries."""
    delete_endpoint(endpoint, actor=signed_in())


@blp.post(f"/endpoints/<int(max={MAX_ID}):endpoint_id>/test")
@loads("endpoint", endpoint_or_404)
@blp.response(201, DeliverySchema)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def test_event(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `ping` event for the endpoint; the next run of the deliverer sends it."""
    return send_test_event(endpoint, actor=signed_in())


@blp.get("/deliveries")
@blp.arguments(DeliveryArgsSchema, location="query", as_kwargs=True)
@blp.response(200, page_of(DeliverySchema))
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def list_deliveries(
    page_size: int,
    page_token: int | None,
    status: Any = None,
    endpoint: int | None = None,
    event: str | None = None,
) -> dict[str, Any]:
    """The deliveries, newest first, filtered by status, endpoint or event type."""
    require_manager(signed_in())
    query = sa.select(WebhookDelivery)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    if endpoint is not None:
        query = query.where(WebhookDelivery.endpoint_id == endpoint)
    if event is not None:
        query = query.where(WebhookDelivery.event_type == event)
    return paginate(query, {"page_size": page_size, "page_token": page_token}, key=WebhookDelivery.id, descending=True)


@blp.get(f"/deliveries/<int(max={MAX_ID}):delivery_id>")
@loads("delivery", delivery_or_404)
@blp.response(200, DeliveryDetailSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def read_delivery(delivery: WebhookDelivery) -> WebhookDelivery:
    """One delivery, with the body sent and the start of the last answer."""
    require_manager(signed_in())
    return delivery


@blp.post(f"/deliveries/<int(max={MAX_ID}):delivery_id>/replay")
@loads("delivery", delivery_or_404)
@blp.response(200, DeliverySchema)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
@blp.alt_response(409, response="CONFLICT", description="Already waiting for its first attempt")
def replay(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again: same id and body, a fresh count of attempts, due now."""
    return replay_delivery(delivery, actor=signed_in())
