"""Domain errors raised by operations, and the handlers that turn any error into a page or a problem document."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from coordination.back import page_of_action


class OperationError(Exception):
    """An operation refused; `message` is already translated for the user."""

    status = 400

    def __init__(self, message: str, *, errors: dict[str, Any] | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.extra = extra


class Forbidden(OperationError):
    status = 403


class NotFound(OperationError):
    status = 404


class Conflict(OperationError):
    """A stale version, or a state the action cannot start from."""

    status = 409


class Invalid(OperationError):
    status = 422


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, detail: str, *, title: str | None = None, **extra: Any) -> Response:
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title or _http_title(status), "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _http_title(status: int) -> str:
    from werkzeug.http import HTTP_STATUS_CODES

    return HTTP_STATUS_CODES.get(status, "Error")


HTTP_DETAILS = {
    400: lambda: _("Yêu cầu không hợp lệ."),
    401: lambda: _("Cần đăng nhập hoặc mã truy cập (token) hợp lệ."),
    403: lambda: _("Bạn không có quyền thực hiện thao tác này."),
    404: lambda: _("Không tìm thấy."),
    405: lambda: _("Phương thức không được hỗ trợ."),
    409: lambda: _("Dữ liệu đã bị thay đổi bởi người khác; hãy tải lại và thử lại."),
    412: lambda: _("Phiên bản dữ liệu không khớp (If-Match); hãy tải lại và thử lại."),
    413: lambda: _("Tệp quá lớn."),
    415: lambda: _("Kiểu nội dung không được hỗ trợ."),
    422: lambda: _("Dữ liệu không hợp lệ."),
    428: lambda: _("Thiếu tiêu đề If-Match."),
    429: lambda: _("Quá nhiều yêu cầu; hãy thử lại sau."),
    500: lambda: _("Lỗi hệ thống; sự cố đã được ghi lại."),
    503: lambda: _("Cơ sở dữ liệu tạm thời không trả lời; hãy thử lại sau giây lát."),
}

#: seconds a client is asked to wait when the database did not answer
RETRY_AFTER_SECONDS = 5

log = logging.getLogger(__name__)


def http_detail(status: int) -> str:
    factory = HTTP_DETAILS.get(status)
    return factory() if factory else _http_title(status)


def init_errors(app: Flask) -> None:
    @app.errorhandler(OperationError)
    def _operation_error(error: OperationError) -> Any:
        if wants_problem_json():
            return problem(error.status, str(error.message), errors=flat_errors(error.errors), **_plain(error.extra))
        return render_template("errors/error.html", status=error.status, detail=error.message), error.status

    @app.errorhandler(StaleDataError)
    def _stale(error: StaleDataError) -> Any:
        # Another save won the race between our read and our write (optimistic locking).
        # The session through the app, not coordination.extensions: that module imports this one.
        app.extensions["sqlalchemy"].session.rollback()
        return _operation_error(Conflict(str(HTTP_DETAILS[409]())))

    app.register_error_handler(OperationalError, database_unavailable)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if wants_problem_json():
            return http_problem(error)
        if isinstance(error, MethodNotAllowed) and request.method in ("GET", "HEAD"):
            # An action URL reloaded or opened from a link: back to its page, not a dead end (coordination.back).
            page = page_of_action()
            if page is not None:
                return redirect(page, 303)
        return (
            render_template(
                "errors/error.html", status=status, detail=_custom_description(error) or http_detail(status)
            ),
            status,
        )


def database_unavailable(error: OperationalError) -> Response:
    """The database went away mid-request (restart, failover, network): a 503 to retry, nothing written.

    The pool's pre-ping replaces the dead connections on the next checkout, so the server recovers
    without a restart; one warning line, not a traceback, since the fault is the database's, not ours.
    """
    with contextlib.suppress(Exception):
        current_app.extensions["sqlalchemy"].session.rollback()
    # Nothing below may touch the database again: the page and the locale treat the visitor as anonymous.
    g._login_user = current_app.login_manager.anonymous_user()
    log.warning("database unavailable on %s %s: %s", request.method, request.path, str(error.orig or error)[:200])
    detail = http_detail(503)
    if wants_problem_json():
        response = problem(503, detail)
    else:
        response = Response(render_template("errors/error.html", status=503, detail=detail), status=503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


#: where webargs found the bad input -> the name a client knows it by
_LOCATION_NAMES = {"json": "body", "form": "body", "json_or_form": "body", "files": "body"}


def http_problem(error: HTTPException) -> Response:
    """The problem document for an HTTP error under /api/, naming the fields webargs refused."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = _field_errors(data["messages"]) if data.get("messages") else flat_errors(data.get("errors"))
    detail = data.get("message") or _custom_description(error)
    if detail is None:
        if status == 400 and errors and "body" in errors:
            detail = _("Nội dung yêu cầu không phải JSON hợp lệ.")
        elif status == 422 and errors:
            detail = _("Dữ liệu không hợp lệ: %(fields)s.", fields=", ".join(errors))
        else:
            detail = http_detail(status)
    response = problem(status, str(detail), errors=errors or None)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    return response


def _field_errors(messages: Any) -> dict[str, Any]:
    """webargs' {location: {field: [...]}} as {field: [...]}, nested fields as dotted paths, messages translated."""
    errors: dict[str, Any] = {}
    if not isinstance(messages, dict):
        return {"body": _plain(messages)}
    for location, fields in messages.items():
        name = _LOCATION_NAMES.get(str(location), str(location))
        if isinstance(fields, dict):
            for field, field_messages in fields.items():
                errors.update(flat_errors({name if field == "_schema" else str(field): field_messages}))
        elif name == "body":
            # webargs' only list at this level is "Invalid JSON body."
            errors[name] = [_("Nội dung yêu cầu không phải JSON hợp lệ.")]
        else:
            errors[name] = _plain(fields)
    return errors


def flat_errors(errors: dict[Any, Any] | None) -> dict[str, list[str]] | None:
    """Field errors as {"tasks.0.label": ["..."]}: marshmallow nests them by field and list index.

    One shape for every problem document, as the API's schema documents it: a list of messages per
    field, the field named by its dotted path; a nested schema's own errors (`_schema`) go to its path.
    """
    if errors is None:
        return None
    flat: dict[str, list[str]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(inner, path if key == "_schema" and path else f"{path}.{key}" if path else str(key))
        elif isinstance(value, list | tuple) and not any(isinstance(v, dict) for v in value):
            flat.setdefault(path, []).extend(str(_plain(v)) for v in value)
        elif isinstance(value, list | tuple):
            for index, inner in enumerate(value):
                walk(inner, f"{path}.{index}")
        else:
            flat.setdefault(path, []).append(str(_plain(value)))

    walk(errors, "")
    return flat


def _plain(value: Any) -> Any:
    """Lazy strings translated now, keys as strings: ready for JSON."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _custom_description(error: HTTPException) -> str | None:
    """A description given at abort(), not werkzeug's stock English text."""
    default = type(error).description
    return error.description if error.description and error.description != default else None
