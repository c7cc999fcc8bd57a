"""POST /api/v1/tokens, DELETE /api/v1/tokens/current and GET /api/v1/me."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from coordination.api.core import Blueprint, public
from coordination.auth import tokens
from coordination.auth.models import User
from coordination.auth.operations import (
    EnrolmentRequired,
    LockedOut,
    LoginRefused,
    authenticate,
    second_step,
    verify_second_factor,
)
from coordination.auth.schemas import MeSchema, TokenRequestSchema, TokenSchema
from coordination.errors import problem
from coordination.extensions import db
from coordination.reminders.calendar import ensure_calendar_token

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1", description="Tokens and the signed-in user")


@blp.post("/tokens")
@public
@blp.doc(security=[])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(
    401,
    response="UNAUTHORIZED",
    description="Wrong username or password; or the account uses a second factor and totp_code is missing, "
    "wrong or already used",
)
@blp.alt_response(
    403,
    response="FORBIDDEN",
    description="Account deactivated, or its role requires a second factor it has not set up yet (web UI first)",
)
@blp.alt_response(429, response="TOO_MANY_REQUESTS", description="Too many failures: locked out for a while")
def create_token(data: dict[str, str]) -> dict[str, Any] | Response:
    """Exchange a username and password (and the second factor's code, if the account has one) for a bearer token."""
    try:
        user = authenticate(data["username"], data["password"], request.remote_addr)
        step = second_step(user)
        if step == "code":
            verify_second_factor(user, data.get("totp_code"), request.remote_addr)
        elif step == "enrol":
            raise EnrolmentRequired(
                _("Vai trò của tài khoản này bắt buộc xác thực hai bước: hãy cài đặt trên giao diện web trước.")
            )
    except LoginRefused as error:
        db.session.commit()  # the failed attempt must stay: the lockout counts it, for the web login too
        response = problem(error.status, error.message)
        if isinstance(error, LockedOut):
            response.headers["Retry-After"] = str(error.retry_after)
        if error.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    raw, token = tokens.issue_token(user)
    return {"token": raw, "expires_at": token.expires_at}


@blp.delete("/tokens/current")
@blp.response(204)
def revoke_current_token() -> None:
    """Revoke the token this request carries."""
    token = tokens.token_from_request(request)
    assert token is not None  # require_token let the request in
    tokens.revoke_token(token)


@blp.get("/me")
@blp.response(200, MeSchema)
def me() -> User:
    """The signed-in user, role and agency, and the URL of its calendar feed."""
    user = current_user._get_current_object()
    if not user.calendar_token:
        ensure_calendar_token(user)  # issue 5: calendar_url's token is made on first use, and kept
    return user
