"""API schemas of webhook endpoints and deliveries. The secret is loaded, and dumped once at creation only."""

from __future__ import annotations

import json
from typing import Any

from marshmallow import fields, validate

from coordination.api.schemas import N_, ApiSchema, Id, PageArgs, Text, UserRefSchema, long_text
from coordination.webhooks.events import EVENT_TYPES, PING
from coordination.webhooks.models import DeliveryStatus

_EVENTS_DOC = "subscribed events, among: " + ", ".join(EVENT_TYPES)


class EndpointSchema(ApiSchema):
    id = fields.Integer()
    url = fields.String()
    description = fields.String()
    events = fields.List(fields.String(), metadata={"description": _EVENTS_DOC})
    active = fields.Boolean()
    created_at = fields.DateTime()
    created_by = fields.Pluck(UserRefSchema, "username", allow_none=True)


class EndpointCreatedSchema(EndpointSchema):
    secret = fields.String(
        metadata={"description": "the signing key, shown in this answer only: keep it in the receiver now"}
    )


class EndpointCreateSchema(ApiSchema):
    url = Text(required=True, metadata={"description": "http:// or https://; private addresses are refused"})
    description = long_text(200, load_default="")
    events = fields.List(Text(), required=True, metadata={"description": _EVENTS_DOC})
    active = fields.Boolean(load_default=True)
    secret = Text(
        allow_none=True,
        metadata={"description": "16 to 200 characters; omit to have one made (64 hex digits), returned once"},
    )


class EndpointUpdateSchema(ApiSchema):
    url = Text()
    description = long_text(200)
    events = fields.List(Text(), metadata={"description": _EVENTS_DOC})
    active = fields.Boolean(metadata={"description": "back on: it hears of events from now on, not of those missed"})
    secret = Text(metadata={"description": "a new signing key (16 to 200 characters); never returned"})


class DeliverySchema(ApiSchema):
    id = fields.Integer(metadata={"description": "sent as X-Coordination-Delivery: the receiver's dedupe key"})
    endpoint_id = fields.Integer()
    event_id = fields.Integer(metadata={"description": "the audit event told of"})
    event_type = fields.String()
    status = fields.Enum(DeliveryStatus, by_value=True)
    attempts = fields.Integer(metadata={"description": "since it was enqueued or last replayed"})
    next_attempt_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    last_attempt_at = fields.DateTime(allow_none=True)
    last_response_status = fields.Integer(allow_none=True)
    last_error = fields.String()
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryDetailSchema(DeliverySchema):
    last_response_body = fields.String(metadata={"description": "the start of the last answer's body"})
    payload = fields.Method("_payload", metadata={"type": "object", "description": "the body sent, parsed"})

    def _payload(self, delivery: Any) -> Any:
        return json.loads(delivery.payload)


class DeliveryArgsSchema(PageArgs):
    status = fields.Enum(DeliveryStatus, by_value=True, metadata={"description": "only deliveries in this status"})
    endpoint = Id(metadata={"description": "only this endpoint's"})
    event = fields.String(
        validate=validate.OneOf([*EVENT_TYPES, PING], error=N_("Phải là một trong: %(choices)s.")),
        metadata={"description": "only this event type"},
    )
