"""API blueprints: bearer tokens on every endpoint, problem documents for every error, URL loaders."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, Unauthorized
from werkzeug.wrappers import Response

from coordination.auth.tokens import token_from_request
from coordination.errors import Invalid, OperationError, _plain, flat_errors, http_problem, problem
from coordination.extensions import db, login_manager
from coordination.transaction import read_without_transaction

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Let a view answer without a bearer token (the token endpoint itself)."""
    view._api_public = True  # type: ignore[attr-defined]
    return view


def reads_only(view: F) -> F:
    """Mark a GET view that writes nothing: its request runs without BEGIN and COMMIT (`read_without_transaction`).

    For the hot reads (lists, one assignment, the dashboard); a view that flushes a change while so marked
    fails loudly instead of writing outside a transaction. Put it right under the route, as `public`.
    """
    view._api_reads_only = True  # type: ignore[attr-defined]
    return view


def signed_in() -> Any:
    """The signed-in user itself (not Flask-Login's proxy), as operations take their actor."""
    return current_user._get_current_object()


def require_token() -> None:
    """Before every API view: a live bearer token, never a session cookie (the API has no CSRF)."""
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "_api_public", False):
        return
    if getattr(view, "_api_reads_only", False) and request.method in ("GET", "HEAD"):
        read_without_transaction()  # before the token's lookup, the request's first statement
    token = token_from_request(request)
    if token is None:
        raise Unauthorized()
    # current_user is the token's user even when a browser also sent its session cookie.
    login_manager._update_request_context_with_user(token.user)


class PreconditionRequired(OperationError):
    """A change that must say which version it was based on (If-Match) did not."""

    status = 428


def refused(error: OperationError) -> Response:
    """An operation refused: undo whatever it had flushed, then answer with the problem document."""
    # Operations may change objects before they refuse (update_directive, a second evidence file):
    # nothing of a refused request may reach a later commit.
    db.session.rollback()
    response = problem(error.status, str(error.message), errors=flat_errors(error.errors), **_plain(error.extra))
    for name, value in getattr(error, "headers", {}).items():
        response.headers[name] = value
    return response


def too_large(error: RequestEntityTooLarge) -> Response:
    """The whole request is over MAX_CONTENT_LENGTH (werkzeug refuses it before any view reads it)."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return problem(
        413,
        _(
            "Yêu cầu vượt quá giới hạn %(mb)s MB; mỗi tệp tối đa %(file_mb)s MB.",
            mb=limit // (1024 * 1024),
            file_mb=current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024),
        ),
        errors={"file": [_("Tệp quá lớn.")]},
    )


class Parser(FlaskParser):
    """webargs' parser, refusing JSON nested too deeply for Python's parser as invalid JSON (400), not a 500."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._schemas: dict[type[Schema], Schema] = {}

    def _get_schema(self, argmap: Any, req: Any) -> Schema:
        # flask-smorest hands over the schema class, and webargs built a new instance (binding and translating
        # every field) on each request: ~0.5 ms of a list request. A schema holds no per-load state, so one
        # instance per class serves every request and thread.
        if isinstance(argmap, type) and issubclass(argmap, Schema):
            schema = self._schemas.get(argmap)
            if schema is None:
                schema = self._schemas.setdefault(argmap, argmap())
            return schema
        return super()._get_schema(argmap, req)

    def _raw_load_json(self, req: Any) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", "[", 0) from None


class Blueprint(SmorestBlueprint):
    """An API blueprint: every view needs a bearer token (unless `@public`), every error is a problem document."""

    ARGUMENTS_PARSER = Parser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.before_request(require_token)
        # The blueprint's own handlers win over any app-wide one, whatever the registration order.
        self.register_error_handler(HTTPException, http_problem)
        self.register_error_handler(OperationError, refused)
        self.register_error_handler(RequestEntityTooLarge, too_large)


def loads(name: str, loader: Callable[[Any], Any], *, arg: str | None = None) -> Callable[[F], F]:
    """Replace the URL's `<name>_id` by `loader(value)` (which raises NotFound), before the body is validated.

    Placed between the route and `@blp.arguments`, so that every view runs in the same order:
    load or 404, permission, validation, one operation.
    """
    key = arg or f"{name}_id"

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[name] = loader(kwargs.pop(key))
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def json_body() -> Any:
    """The request's JSON body, or a 422 problem naming the body (for views that also take multipart)."""
    raw = request.get_json(silent=True) if request.is_json else None
    if raw is None:
        message = _("Nội dung yêu cầu không phải JSON hợp lệ.")
        raise Invalid(message, errors={"body": [message]})
    return raw


def load_body(schema: Schema, raw: Any) -> dict[str, Any]:
    """`schema.load(raw)`, or a 422 problem listing the fields in error (for bodies read by hand)."""
    try:
        return schema.load(raw)
    except ValidationError as error:
        fields = error.messages if isinstance(error.messages, dict) else {"body": error.messages}
        raise Invalid(
            _("Dữ liệu không hợp lệ: %(fields)s.", fields=", ".join(map(str, fields))), errors=fields
        ) from None
