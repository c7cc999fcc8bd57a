"""Every page a role can open carries the security headers, and no script runs from the page's own markup.

The pages are the GET rows of the web page permission table (each as the first role that gets 200), plus
the login page, the API's documentation page and an evidence download (which is sandboxed).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.admin.page_table_objects import make_objects
from tests.admin.test_page_permissions import ROLES, TABLE

PAGES = sorted(
    (endpoint, url, ROLES[statuses.index(200)])
    for endpoint, (method, url, statuses) in TABLE.items()
    if method == "GET" and 200 in statuses
)


class _InlineCode(HTMLParser):
    """Collect what a strict CSP would block: inline scripts without the nonce, on* handlers, javascript: URLs."""

    def __init__(self, nonce: str) -> None:
        super().__init__()
        self.nonce = nonce
        self.found: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            # Flask-Admin's dropdown toggles and disabled page links say javascript:void(0): a no-op blocked or not.
            url = (value or "").strip().lower()
            if name in ("href", "src", "action") and url.startswith("javascript:") and url != "javascript:void(0)":
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self.scripts += 1
            if not attributes.get("src") and attributes.get("nonce") != self.nonce:
                self.found.append("<script> inline without this response's nonce")


def _nonce(policy: str) -> str:
    match = re.search(r"'nonce-([^']+)'", policy)
    assert match, policy
    return match.group(1)


def assert_strict_headers(response) -> None:  # type: ignore[no-untyped-def]
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "unsafe-eval" not in policy
    assert "object-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # development: no TLS in front


def assert_no_inline_code(response) -> None:  # type: ignore[no-untyped-def]
    parser = _InlineCode(_nonce(response.headers["Content-Security-Policy"]))
    parser.feed(response.get_data(as_text=True))
    assert parser.found == [], sorted(set(parser.found))


@pytest.mark.parametrize(("endpoint", "url", "role"), PAGES, ids=[page[0] for page in PAGES])
def test_every_page_has_the_headers_and_no_inline_code(client, login, endpoint: str, url: str, role: str) -> None:
    objects = make_objects()
    if role != "anonymous":
        login(role)
    response = client.get(url.format(**objects))
    response.close()
    assert response.status_code == 200
    if endpoint == "assignment.evidence_view":  # a file: sandboxed, see test_evidence_download_is_sandboxed
        assert response.headers["Content-Security-Policy"].startswith("sandbox;")
        return
    assert_strict_headers(response)
    if response.mimetype == "text/html":
        assert_no_inline_code(response)


def test_the_walk_covers_the_main_pages() -> None:
    endpoints = {page[0] for page in PAGES}
    assert {"auth.login", "admin.index", "dashboard.index", "directive.details_view", "assignment.details_view"} <= (
        endpoints
    )
    assert len(PAGES) >= 30


@pytest.mark.parametrize("url", ["/login", "/api/v1/docs", "/api/v1/openapi.json", "/no-such-page", "/healthz"])
def test_anonymous_pages_and_errors_have_the_headers(client, url: str) -> None:
    response = client.get(url)
    assert_strict_headers(response)
    if response.mimetype == "text/html":
        assert_no_inline_code(response)


def test_the_api_docs_page_has_no_inline_script(client) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert_no_inline_code(response)
    assert "<script>" not in response.get_data(as_text=True)


def test_evidence_download_is_sandboxed(client, login) -> None:
    objects = make_objects()
    login("justice.tayninh")
    response = client.get(f"/app/assignment/evidence/{objects['evidence_id']}/")
    response.close()
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_hsts_in_production(app) -> None:
    from coordination.security import HSTS

    app.config["HSTS"] = True
    try:
        response = app.test_client().get("/login")
    finally:
        app.config["HSTS"] = False
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_production_config_turns_hsts_on(tmp_path) -> None:
    from coordination import create_app

    app = create_app(
        {"ENV_NAME": "production", "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"}
    )
    assert app.config["HSTS"] is True
