"""CSRF: the login and logout forms refuse a POST without the token (a second app with CSRF on)."""

from __future__ import annotations

from tests.conftest import DEMO_PASSWORD, csrf_token_in


def test_login_without_token_is_refused(csrf_client):
    response = csrf_client.post("/login", data={"username": "justice.tayninh", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ." in html
    assert 'name="csrf_token"' in html  # a fresh form to try again
    assert csrf_client.get("/").headers["Location"].startswith("/login")


def test_login_with_a_forged_token_is_refused(csrf_client):
    csrf_client.get("/login")
    data = {"username": "justice.tayninh", "password": DEMO_PASSWORD, "csrf_token": "forged"}
    assert csrf_client.post("/login", data=data).status_code == 400


def test_login_with_the_token_of_the_form_succeeds(csrf_client):
    token = csrf_token_in(csrf_client.get("/login").get_data(as_text=True))
    data = {"username": "justice.tayninh", "password": DEMO_PASSWORD, "csrf_token": token}
    response = csrf_client.post("/login", data=data)
    assert response.status_code == 302
    assert csrf_client.get("/").headers["Location"] == "/app/"


def test_logout_needs_the_token(csrf_client):
    token = csrf_token_in(csrf_client.get("/login").get_data(as_text=True))
    data = {"username": "justice.tayninh", "password": DEMO_PASSWORD, "csrf_token": token}
    assert csrf_client.post("/login", data=data).status_code == 302

    assert csrf_client.post("/logout").status_code == 400
    assert csrf_client.get("/").headers["Location"] == "/app/"  # still logged in

    # Login starts a fresh session, so the login page's token is gone with the session it belonged to.
    assert csrf_client.post("/logout", data={"csrf_token": token}).status_code == 400
    # The token of a page after login lives as long as the session.
    token = csrf_token_in(csrf_client.get("/app/").get_data(as_text=True))
    response = csrf_client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert csrf_client.get("/").headers["Location"].startswith("/login")


def test_the_logout_button_posts_the_token(csrf_app):
    from flask import render_template

    with csrf_app.test_request_context():
        html = render_template("auth/_logout_form.html")
    assert '<form method="post" action="/logout"' in html
    assert len(csrf_token_in(html)) > 20
