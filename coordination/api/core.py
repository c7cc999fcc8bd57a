"""The Api extension: problem documents for every error, bearer tokens on every endpoint.

Kept free of the models so that `coordination.extensions` can import it.
"""

from __future__ import annotations

import functools
import http
import json
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint as FlaskBlueprint
from flask import Flask, current_app, request, send_from_directory
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge, Unauthorized
from werkzeug.wrappers import Response

from coordination.api.schemas import ProblemSchema
from coordination.errors import OperationError, _plain, http_problem, problem

F = TypeVar("F", bound=Callable[..., Any])

PROBLEM_JSON = "application/problem+json"
SECURITY_SCHEME = "bearerAuth"


def public(view: F) -> F:
    """Let a view answer without a bearer token (the token endpoint itself)."""
    view._api_public = True  # type: ignore[attr-defined]
    return view


def signed_in() -> Any:
    """The signed-in user itself (not Flask-Login's proxy), as operations take their actor."""
    from flask_login import current_user

    return current_user._get_current_object()


def require_token() -> None:
    """Before every API view: a live bearer token, never a session cookie (the API has no CSRF)."""
    # Imported here: the models import coordination.extensions, which imports this module.
    from coordination.auth.tokens import token_from_request
    from coordination.extensions import login_manager

    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or getattr(view, "_api_public", False):
        return
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
    from coordination.extensions import db

    # Operations may change objects before they refuse (update_directive, a second evidence file):
    # nothing of a refused request may reach a later commit.
    db.session.rollback()
    response = problem(error.status, str(error.message), errors=_plain(error.errors), **_plain(error.extra))
    for name, value in getattr(error, "headers", {}).items():
        response.headers[name] = value
    return response


def too_large(error: RequestEntityTooLarge) -> Response:
    """The whole request is over MAX_CONTENT_LENGTH (werkzeug refuses it before any view reads it)."""
    from flask_babel import gettext as _

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


class CoordinationApi(Api):
    """flask-smorest's Api answering errors as RFC 9457 problem documents."""

    ERROR_SCHEMA = ProblemSchema

    def init_app(self, app: Flask, *, spec_kwargs: dict[str, Any] | None = None) -> None:
        # Swagger UI would otherwise send the spec to validator.swagger.io: nothing leaves the site.
        app.config.setdefault("OPENAPI_SWAGGER_UI_CONFIG", {"validatorUrl": None})
        spec_kwargs = {"security": [{SECURITY_SCHEME: []}], **(spec_kwargs or {})}
        super().init_app(app, spec_kwargs=spec_kwargs)
        self.spec.components.security_scheme(
            SECURITY_SCHEME,
            {
                "type": "http",
                "scheme": "bearer",
                "description": "POST /api/v1/tokens with {username, password}; send Authorization: Bearer TOKEN",
            },
        )
        self._register_swagger_ui_static(app)

    def _register_error_handlers(self) -> None:
        """Errors outside the API blueprints (an unknown /api/ URL) meet coordination.errors' handler."""

    def handle_http_exception(self, error: HTTPException) -> Response:  # type: ignore[override]
        return http_problem(error)

    def _register_responses(self) -> None:
        """Document error responses as application/problem+json."""
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Problem document", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)

    def _register_swagger_ui_static(self, app: Flask) -> None:
        """Serve Swagger UI's files from the swagger-ui-bundle package: the docs page needs no CDN."""
        url = app.config.get("OPENAPI_SWAGGER_UI_URL") or ""
        if not url.startswith("/"):
            return
        from swagger_ui_bundle import swagger_ui_path

        static = FlaskBlueprint("api_docs_static", __name__, url_prefix=url.rstrip("/"))

        @static.get("/<path:filename>")
        def swagger_ui_file(filename: str) -> Response:
            return send_from_directory(swagger_ui_path, filename, max_age=3600)

        app.register_blueprint(static)
