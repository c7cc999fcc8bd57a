"""The Api extension: problem documents for every error, the bearer scheme in the OpenAPI document.

Free of the models and of `coordination.extensions`, which instantiates it.
"""

from __future__ import annotations

import http
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Flask, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from coordination.api.schemas import ProblemSchema
from coordination.errors import http_problem

PROBLEM_JSON = "application/problem+json"
SECURITY_SCHEME = "bearerAuth"


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
