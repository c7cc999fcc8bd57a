"""Response headers every page carries: a Content-Security-Policy without inline script, and its friends.

The UI's own scripts are files under static/; Flask-Admin's few inline scripts carry the per-request nonce
(`Admin(csp_nonce_generator=csp_nonce)`). Styles still allow 'unsafe-inline': style attributes cannot run
code, and the templates use a few.
"""

from __future__ import annotations

import logging
import secrets
import tempfile
from typing import IO, Any

from flask import Flask, Request, Response, current_app, g, has_request_context, request
from flask_login import current_user

#: a response that already chose its own policy (evidence downloads: `sandbox`) keeps it
CSP_TEMPLATE = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"

#: refused requests (401, 403), for the operator's log
log = logging.getLogger("coordination.security")


def csp_nonce() -> str:
    """The nonce of this request's policy (one per request, made on first use)."""
    if not has_request_context():
        return ""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def set_security_headers(response: Response) -> Response:
    """Add the policy and the other headers; keep any a view set itself."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP_TEMPLATE.format(nonce=csp_nonce()))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for browsers that predate CSP 2
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["HSTS"]:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def private_download(response: Response) -> Response:
    """A stored file sent back (evidence, an export): never sniffed, never run as a page, kept by no shared cache."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'none'"
    # Personal data: no shared cache keeps a copy.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def log_denied(response: Response) -> Response:
    """Log every request refused for want of a login or a permission: who, what, from where."""
    if response.status_code in (401, 403):
        user = current_user if current_user and current_user.is_authenticated else None
        log.warning(
            "denied %s: %s %s by %s (from %s)",
            response.status_code,
            request.method,
            # the route's rule, never the path or query: a calendar feed's path holds its secret token
            request.url_rule.rule if request.url_rule is not None else "(no route)",
            f"{user.username} (user {user.id})" if user is not None else "anonymous",
            request.remote_addr,
        )
    return response


class ClosingRequest(Request):
    """A request that closes every temporary file its form parser opened, also when parsing stopped halfway.

    Werkzeug leaves an upload's spooled file open when the body is cut off at MAX_CONTENT_LENGTH (a body
    without Content-Length, chunked): the 413 must not leak a file descriptor per attempt.
    """

    def _get_file_stream(self, *args: Any, **kwargs: Any) -> IO[bytes]:
        # Closed in close() below, not here: the form holds it open for the view.
        stream = tempfile.SpooledTemporaryFile(max_size=500 * 1024)  # noqa: SIM115 - Werkzeug's own default size
        self.environ.setdefault("coordination.upload_files", []).append(stream)
        return stream  # type: ignore[return-value]

    def close(self) -> None:
        super().close()
        for stream in self.environ.pop("coordination.upload_files", []):
            stream.close()


def init_security(app: Flask) -> None:
    """Register the headers; HSTS only in production, where TLS is in front."""
    app.config.setdefault("HSTS", app.config["ENV_NAME"] == "production")
    app.request_class = ClosingRequest
    app.after_request(set_security_headers)
    app.after_request(log_denied)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
