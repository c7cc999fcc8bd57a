"""Domain errors raised by operations, and the handlers that turn any error into a page or a problem document."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException


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
}


def http_detail(status: int) -> str:
    factory = HTTP_DETAILS.get(status)
    return factory() if factory else _http_title(status)


def init_errors(app: Flask) -> None:
    @app.errorhandler(OperationError)
    def _operation_error(error: OperationError) -> Any:
        if wants_problem_json():
            return problem(error.status, error.message, errors=error.errors, **error.extra)
        return render_template("errors/error.html", status=error.status, detail=error.message), error.status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        status = error.code or 500
        if wants_problem_json():
            return problem(status, _custom_description(error) or http_detail(status))
        return (
            render_template(
                "errors/error.html", status=status, detail=_custom_description(error) or http_detail(status)
            ),
            status,
        )


def _custom_description(error: HTTPException) -> str | None:
    """A description given at abort(), not werkzeug's stock English text."""
    default = type(error).description
    return error.description if error.description and error.description != default else None
