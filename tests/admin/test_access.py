"""Every page of the web UI, for every role: it renders, refuses with 403, or sends anonymous users to log in.

The views come from the app's Admin instance, so a view added later is covered without touching this file.
"""

from __future__ import annotations

import tempfile

import pytest
from flask import url_for

from coordination.permissions import Permission
from tests.admin.test_page_permissions import ROLES, TABLE
from tests.conftest import get_user, make_test_app
from tests.support.admin_views import ROLE_USERS, admin_views, is_model_view, list_url_endpoint, view_by_endpoint


def _discover() -> tuple[list[str], list[str]]:
    # A throwaway app, only to read which views exist (no database is touched).
    app = make_test_app(tempfile.gettempdir(), "sqlite://")
    views = list(admin_views(app))
    return [v.endpoint for v in views], [v.endpoint for v in views if is_model_view(v)]


ENDPOINTS, MODEL_ENDPOINTS = _discover()


def test_the_expected_views_exist():
    assert {"admin", "directive", "assignment", "agency", "agency_tree", "agency_group", "user"} <= set(ENDPOINTS)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("username", ROLE_USERS)
def test_list_page(app, client, login, username, endpoint):
    view = view_by_endpoint(app, endpoint)
    login(username)
    with app.test_request_context():
        url = url_for(list_url_endpoint(view))
    response = client.get(url)
    # the expected answer is the page permission table's, written by hand, never the view's own rule
    expected = TABLE[list_url_endpoint(view)][2][ROLES.index(username)]
    assert response.status_code == expected, (url, response.status_code)
    html = response.get_data(as_text=True)
    if expected == 200:
        with app.test_request_context():
            assert f"{view.name} · " in html or str(view.name) in html
        assert get_user(username).full_name in html  # the navbar says who is signed in
        assert 'action="/logout"' in html and 'name="csrf_token"' in html
        assert "/language/en" in html


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_is_sent_to_login(app, client, endpoint):
    view = view_by_endpoint(app, endpoint)
    with app.test_request_context():
        url = url_for(list_url_endpoint(view))
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert url.rstrip("/").split("/")[-1] in response.headers["Location"]


def test_anonymous_details_page_is_sent_to_login(client):
    response = client.get("/app/directive/details/?id=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/app/directive/details/?id%3D1"


@pytest.mark.parametrize("username", ["office.tayninh", "monitor.tayninh", "justice.tayninh", "bacson.tamdiep"])
@pytest.mark.parametrize(
    "method, url",
    [
        ("GET", "/app/user/"),
        ("GET", "/app/user/new/"),
        ("GET", "/app/user/edit/?id=1"),
        ("POST", "/app/user/new/"),
        ("GET", "/app/agency/new/"),
        ("GET", "/app/agency/edit/?id=1"),
        ("POST", "/app/agency/edit/?id=1"),
        ("POST", "/app/agency/delete/"),
        ("GET", "/app/agency-group/new/"),
        ("GET", "/app/agency-group/edit/?id=1"),
        ("GET", "/app/directive/new/"),
        ("GET", "/app/directive/edit/?id=1"),
        ("POST", "/app/directive/delete/"),
        ("POST", "/app/assignment/delete/"),
    ],
)
def test_non_admins_may_not_manage(client, login, username, method, url):
    login(username)
    response = client.open(url, method=method, data={"id": "1", "name_vi": "x", "username": "x"})
    assert response.status_code == 403


def test_admin_may_manage_users_and_agencies_but_not_edit_directives(client, login):
    login("admin")
    for url in ("/app/user/new/", "/app/agency/new/", "/app/agency/edit/?id=1", "/app/agency-group/new/"):
        assert client.get(url).status_code == 200, url
    # Directives and their work are read-only here: editing goes through the workflow's operations.
    assert client.get("/app/directive/new/").status_code == 403
    assert client.get("/app/assignment/edit/?id=1").status_code == 403


@pytest.mark.parametrize(
    "username, visible",
    [
        ("admin", {"Văn bản chỉ đạo", "Việc của đơn vị", "Cơ quan, đơn vị", "Người dùng"}),
        ("justice.tayninh", {"Văn bản chỉ đạo", "Việc của đơn vị", "Cơ quan, đơn vị"}),
    ],
)
def test_menu_per_role(client, login, username, visible):
    login(username)
    html = client.get("/app/").get_data(as_text=True)
    for name in visible:
        assert name in html
    if "Người dùng" not in visible:
        assert 'href="/app/user/"' not in html


def test_status_and_audit_fields_are_not_in_forms(client, login):
    login("admin")
    agency_form = client.get("/app/agency/edit/?id=1").get_data(as_text=True)
    assert 'name="successor"' not in agency_form
    user_form = client.get("/app/user/edit/?id=1").get_data(as_text=True)
    for field in ("password_hash", "last_login_at", "created_at"):
        assert f'name="{field}"' not in user_form
    assert "$argon2" not in user_form


def test_permission_of_user_view_is_user_manage(app):
    assert view_by_endpoint(app, "user").permission == Permission.user_manage


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_pages_render_in_english(app, client, login, endpoint):
    login("admin")
    assert client.get("/language/en?next=/app/").status_code == 302
    view = view_by_endpoint(app, endpoint)
    with app.test_request_context():
        url = url_for(list_url_endpoint(view))
    response = client.get(url)
    assert response.status_code == 200
    assert '<strong lang="en"' in response.get_data(as_text=True)  # the switch marks English as current
