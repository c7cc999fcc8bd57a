"""One JSON object per log line, each carrying the request id that the response returns.

A WSGI middleware (RequestObserver) gives every request its id (nginx's `X-Request-ID`, or a new one),
returns it in the response header, times the request and hands the outcome to the log line and the
metrics. Only the route's rule is logged, never the path or query string (the calendar feed's secret is in
its path), and never a header or a body: no password, token, cookie or file content can reach the log.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import types
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, Any

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
#: where the request's facts travel in the WSGI environ, from the app back to the middleware and gunicorn
ENV_REQUEST_ID = "coordination.request_id"
ENV_ROUTE = "coordination.route"
ENV_USER_ID = "coordination.user_id"
#: the route of a request that matched no rule (a 404): one label, never the raw path
UNMATCHED = "unmatched"
#: an id offered by the proxy is kept only when it is short and plain (it lands in logs and headers)
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

request_logger = logging.getLogger("coordination.requests")


@dataclass(frozen=True)
class RequestOutcome:
    """What the log line and the metrics know about one served request."""

    request_id: str
    method: str
    route: str
    status: int
    duration: float  # seconds
    user_id: int | None
    remote_addr: str | None


def request_id_from(environ: dict[str, Any]) -> str:
    offered = environ.get("HTTP_X_REQUEST_ID", "")
    return offered if _VALID_ID.match(offered) else uuid.uuid4().hex


class RequestObserver:
    """WSGI middleware: request id in and out, the duration, then each observer called with the outcome."""

    def __init__(self, app: Callable[..., Iterable[bytes]], observers: list[Callable[[RequestOutcome], None]]) -> None:
        self.app = app
        self.observers = observers

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        request_id = environ[ENV_REQUEST_ID] = request_id_from(environ)
        statuses: list[int] = []

        def _start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(int(status.split(" ", 1)[0]))
            headers = [(k, v) for k, v in headers if k.lower() != REQUEST_ID_HEADER.lower()]
            headers.append((REQUEST_ID_HEADER, request_id))
            return start_response(status, headers, exc_info)

        # Timed to the moment the app returns its response, before the body is sent (gunicorn's access line
        # has the whole transfer).
        try:
            return self.app(environ, _start_response)
        except BaseException:
            statuses.append(500)
            raise
        finally:
            self._observe(environ, statuses[-1] if statuses else 500, time.perf_counter() - started)

    def _observe(self, environ: dict[str, Any], status: int, duration: float) -> None:
        outcome = RequestOutcome(
            request_id=environ[ENV_REQUEST_ID],
            method=environ.get("REQUEST_METHOD", ""),
            route=environ.get(ENV_ROUTE) or UNMATCHED,
            status=status,
            duration=duration,
            user_id=environ.get(ENV_USER_ID),
            remote_addr=environ.get("REMOTE_ADDR"),
        )
        for observer in self.observers:
            try:
                observer(outcome)
            except Exception:  # a broken metric or log must not fail the request it describes
                request_logger.exception("observing request %s failed", outcome.request_id)


def current_request_id() -> str | None:
    """The id of the request being served (shown on error pages), None outside a request."""
    if not has_request_context():
        return None
    return request.environ.setdefault(ENV_REQUEST_ID, request_id_from(request.environ))


def _current_user_id() -> int | None:
    # Flask-Login keeps the user it loaded in g; asking current_user would load one for this log line alone.
    user = g.get("_login_user")
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


def _remember_route_and_user(response: Response) -> Response:
    request.environ[ENV_ROUTE] = request.url_rule.rule if request.url_rule else UNMATCHED
    request.environ[ENV_USER_ID] = _current_user_id()
    return response


def quiet(route: str) -> bool:
    """Monitoring's own routes, asked every few seconds, write no log line."""
    return route in {"/healthz", "/readyz", "/metrics"}


def log_request(outcome: RequestOutcome) -> None:
    if quiet(outcome.route):
        return
    level = logging.ERROR if outcome.status >= 500 else logging.INFO
    request_logger.log(
        level,
        "%s %s %s",
        outcome.method,
        outcome.route,
        outcome.status,
        extra={
            "request_id": outcome.request_id,
            "user_id": outcome.user_id,
            "route": outcome.route,
            "method": outcome.method,
            "status": outcome.status,
            "duration_ms": round(outcome.duration * 1000, 1),
            "remote_addr": outcome.remote_addr,
        },
    )


class RequestContextFilter(logging.Filter):
    """Adds the request id, user id and route to lines logged while a request is served."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            if not hasattr(record, "request_id"):
                record.request_id = current_request_id()
            if not hasattr(record, "user_id"):
                record.user_id = _current_user_id()
            if not hasattr(record, "route"):
                record.route = request.url_rule.rule if request.url_rule else UNMATCHED
        return True


def json_formatter() -> JsonFormatter:
    """time (ISO 8601, UTC), level, logger, message, then the record's extra fields."""
    return JsonFormatter(
        ["levelname", "name", "message"],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp="time",
    )


def json_handler(stream: IO[str]) -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestContextFilter())
    handler.set_name("coordination-json")
    return handler


def configure_logging(app: Flask) -> None:
    """JSON lines on stderr (gunicorn and systemd pass them to the journal); tests keep pytest's capture."""
    if app.testing or app.config["LOG_FORMAT"] != "json":
        return
    root = logging.getLogger()
    if not any(handler.get_name() == "coordination-json" for handler in root.handlers):
        root.addHandler(json_handler(sys.stderr))
    root.setLevel(app.config["LOG_LEVEL"].upper())


def _log_exception(app: Flask, exc_info: Any) -> None:
    """Flask's own line names the raw path (the calendar feed's secret is in it): name the route instead."""
    route = request.url_rule.rule if has_request_context() and request.url_rule else UNMATCHED
    app.logger.error("unhandled exception in %s", route, exc_info=exc_info)


def init_logs(app: Flask) -> None:
    configure_logging(app)
    app.after_request(_remember_route_and_user)
    app.log_exception = types.MethodType(_log_exception, app)  # type: ignore[method-assign]
    app.jinja_env.globals["request_id"] = current_request_id
