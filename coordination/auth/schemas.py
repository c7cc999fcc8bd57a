"""API schemas of tokens and the signed-in user."""

from __future__ import annotations

from marshmallow import fields, validate

from coordination.api.schemas import N_, AgencyRefSchema, ApiSchema, Text
from coordination.auth.models import Role, User


class TokenRequestSchema(ApiSchema):
    username = Text(required=True, validate=validate.Length(min=1, max=80, error=N_("Từ %(min)s đến %(max)s ký tự.")))
    password = Text(
        required=True,
        load_only=True,
        validate=validate.Length(min=1, max=1024, error=N_("Từ %(min)s đến %(max)s ký tự.")),
    )
    totp_code = Text(
        load_only=True,
        validate=validate.Length(max=32, error=N_("Tối đa %(max)s ký tự.")),
        metadata={
            "description": "required when the account uses a second factor: the 6-digit code of its authenticator "
            "app, or one of its recovery codes (then used up)"
        },
    )


class TokenSchema(ApiSchema):
    token = fields.String(metadata={"description": "send as Authorization: Bearer TOKEN; shown only once"})
    expires_at = fields.DateTime()


class MeSchema(ApiSchema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.Enum(Role, by_value=True)
    locale = fields.String(allow_none=True)
    agency = fields.Nested(AgencyRefSchema, allow_none=True)
    # Issue 5: the user's secret iCalendar feed of its agency's open deadlines.
    calendar_url = fields.Method("_calendar_url", metadata={"description": "secret; revocable in the web UI (Lịch)"})

    def _calendar_url(self, user: User) -> str:
        from coordination.reminders.calendar import calendar_url

        return calendar_url(user)
