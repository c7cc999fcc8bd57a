"""The language switch: remembered on the user when logged in, in the session otherwise."""

from __future__ import annotations

from coordination.extensions import db
from tests.conftest import get_user


def session_locale(client):
    with client.session_transaction() as session:
        return session.get("locale")


def test_anonymous_choice_goes_into_the_session(client):
    response = client.get("/language/en", query_string={"next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert session_locale(client) == "en"
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)
    client.get("/language/vi")
    assert '<html lang="vi">' in client.get("/login").get_data(as_text=True)


def test_the_login_page_links_both_languages(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Tiếng Việt" in html
    assert 'href="/language/en?next=/login"' in html


def test_logged_in_choice_is_stored_on_the_user(client, login):
    login("justice.tayninh")
    assert client.post("/language/en", data={"next": "/app/"}).headers["Location"] == "/app/"
    db.session.expire_all()
    assert get_user("justice.tayninh").locale == "en"
    assert '<html lang="en">' in client.get("/no-such-page").get_data(as_text=True)


def test_the_user_choice_follows_the_user_to_a_new_session(app, login):
    get_user("justice.tayninh").locale = "en"
    db.session.commit()
    client = login("justice.tayninh")
    assert '<html lang="en">' in client.get("/no-such-page").get_data(as_text=True)
    client.post("/logout")
    # After logout the login page keeps the user's language.
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_the_switch_returns_to_the_referring_page_of_this_site(client):
    response = client.get("/language/en", headers={"Referer": "http://localhost/login?next=/app/"})
    assert response.headers["Location"] == "/login?next=/app/"


def test_a_foreign_referrer_is_ignored(client):
    response = client.get("/language/en", headers={"Referer": "https://evil.com/phish"})
    assert response.headers["Location"] == "/"


def test_an_unknown_language_is_404(client):
    assert client.get("/language/fr").status_code == 404
    assert session_locale(client) is None
