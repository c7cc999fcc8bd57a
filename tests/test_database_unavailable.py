"""A database that does not answer gives a 503 to retry (a problem document or a page), never a 500."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import make_test_app


def _refusing_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["postgresql", "sqlite"])
def app_without_database(request, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "postgresql":
        url = f"postgresql://postgres@127.0.0.1:{_refusing_port()}/gone"
    else:
        url = f"sqlite:///{tmp_path}/no-such-directory/gone.db"  # SQLite cannot open a file there
    return make_test_app(str(tmp_path), url)


def test_the_api_answers_503_with_retry_after(app_without_database):
    response = app_without_database.test_client().get(
        "/api/v1/directives", headers={"Authorization": "Bearer abc", "Accept-Language": "vi"}
    )
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["detail"] == "Cơ sở dữ liệu tạm thời không trả lời; hãy thử lại sau giây lát."


def test_the_api_speaks_english_when_asked(app_without_database):
    response = app_without_database.test_client().get(
        "/api/v1/me", headers={"Authorization": "Bearer abc", "Accept-Language": "en"}
    )
    assert response.status_code == 503
    assert response.get_json()["detail"] == (
        "The database is not answering for the moment; please try again in a few seconds."
    )


def test_a_page_answers_503(app_without_database):
    client = app_without_database.test_client()
    response = client.post("/login", data={"username": "justice.tayninh", "password": "demo-2026"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Cơ sở dữ liệu tạm thời không trả lời; hãy thử lại sau giây lát." in response.get_data(as_text=True)
