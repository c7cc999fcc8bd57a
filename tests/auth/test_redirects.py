"""`next` after login and the language switch: only paths on this site (no open redirect)."""

from __future__ import annotations

import pytest

from coordination.auth.views import safe_next
from tests.conftest import DEMO_PASSWORD

EVIL = [
    "//evil.com",
    "/\\evil.com",
    "javascript:alert(1)",
    "http://evil.com",
    "https://evil.com/x",
    "\\\\evil",
    "/\t/evil.com",
    "/\n/evil.com",
    " //evil.com",
    "///evil.com",
    "evil.com",
    "data:text/html,hi",
    "HTTPS:evil.com",
]


def login_with_next(client, target):
    return client.post(
        "/login", query_string={"next": target}, data={"username": "justice.tayninh", "password": DEMO_PASSWORD}
    )


def test_safe_next_is_followed(client):
    response = login_with_next(client, "/app/directive/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/app/directive/"


def test_safe_next_keeps_its_query(client):
    response = login_with_next(client, "/app/directive/?search=tu+phap")
    assert response.headers["Location"] == "/app/directive/?search=tu+phap"


@pytest.mark.parametrize("target", EVIL)
def test_open_redirect_after_login_is_refused(client, target):
    response = login_with_next(client, target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_open_redirect_in_the_login_form_action_is_dropped(client, target):
    html = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert 'action="/login"' in html


@pytest.mark.parametrize("target", EVIL)
def test_open_redirect_after_the_language_switch_is_refused(client, target):
    response = client.get("/language/en", query_string={"next": target})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", EVIL)
def test_safe_next_refuses(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/app/", "/app/directive/details/?id=3", "/login?next=/app/"])
def test_safe_next_accepts_local_paths(target):
    assert safe_next(target) == target


def test_a_logged_in_user_is_sent_to_a_safe_next_only(client, login):
    login("justice.tayninh")
    assert client.get("/login?next=/app/directive/").headers["Location"] == "/app/directive/"
    assert client.get("/login?next=//evil.com").headers["Location"] == "/"
