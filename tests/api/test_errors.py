"""Every API error is an RFC 9457 problem document; bad input is a 4xx naming the field, never a 500."""

from __future__ import annotations

import pytest

from tests.support.api import assert_problem

PROTECTED = [
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/agencies"),
    ("GET", "/api/v1/directives"),
    ("GET", "/api/v1/directives/2"),
    ("GET", "/api/v1/directives/999999"),
    ("GET", "/api/v1/assignments"),
    ("GET", "/api/v1/assignments/1"),
    ("GET", "/api/v1/assignments/999999"),
    ("GET", "/api/v1/assignments?status=bogus"),
    ("DELETE", "/api/v1/tokens/current"),
]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_every_endpoint_needs_a_token(client, method, url):
    response = client.open(url, method=method)
    body = assert_problem(response, 401)
    assert body["detail"] == "Cần đăng nhập hoặc mã truy cập (token) hợp lệ."
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Location" not in response.headers  # not a redirect to the login page


@pytest.mark.parametrize("url", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_the_spec_and_the_docs_are_public(client, url):
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        ('{"username": "admin", "password": ', "application/json", 400, "body"),
        ("not json at all", "application/json", 400, "body"),
        ("\xff\xfe", "application/json", 400, "body"),
        ("[1, 2]", "application/json", 422, "body"),
        ('"admin"', "application/json", 422, "body"),
        ("{}", "application/json", 422, "username"),
        ('{"username": "admin"}', "application/json", 422, "password"),
        ('{"username": 3, "password": "demo-2026"}', "application/json", 422, "username"),
        ('{"username": "admin", "password": ["demo-2026"]}', "application/json", 422, "password"),
        ('{"username": null, "password": "demo-2026"}', "application/json", 422, "username"),
        ('{"username": "admin\\u0000", "password": "demo-2026"}', "application/json", 422, "username"),
        ('{"username": "' + "a" * 81 + '", "password": "demo-2026"}', "application/json", 422, "username"),
        ('{"username": "admin", "password": "demo-2026", "admin": true}', "application/json", 422, "admin"),
        ("username=admin&password=demo-2026", "application/x-www-form-urlencoded", 422, "username"),
    ],
)
def test_bad_token_requests(client, body, content_type, status, field):
    response = client.post("/api/v1/tokens", data=body, content_type=content_type)
    problem = assert_problem(response, status, field=field)
    assert field in problem["detail"] or status == 400


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/assignments?status=bogus", "status"),
        ("/api/v1/assignments?timeliness=late", "timeliness"),
        ("/api/v1/assignments?agency=NOPE", "agency"),
        ("/api/v1/assignments?agency=", "agency"),
        ("/api/v1/assignments?directive=abc", "directive"),
        ("/api/v1/assignments?directive=1.5", "directive"),
        ("/api/v1/assignments?directive=-1", "directive"),
        ("/api/v1/assignments?directive=999999", "directive"),
        ("/api/v1/assignments?directive=99999999999999999999999", "directive"),
        ("/api/v1/assignments?open=maybe", "open"),
        ("/api/v1/assignments?due_before=2022-13-45", "due_before"),
        ("/api/v1/assignments?due_after=yesterday", "due_after"),
        ("/api/v1/assignments?page_size=10000", "page_size"),
        ("/api/v1/assignments?page_size=-1", "page_size"),
        ("/api/v1/assignments?page_size=0", "page_size"),
        ("/api/v1/assignments?page_size=ten", "page_size"),
        ("/api/v1/assignments?page_size=99999999999999999999999999", "page_size"),
        ("/api/v1/assignments?page_token=garbage!", "page_token"),
        ("/api/v1/assignments?page_token=MA", "page_token"),  # base64 of "0"
        ("/api/v1/assignments?page_token=OTk5OTk5OTk5OTk5OTk5OTk5", "page_token"),  # beyond any id
        ("/api/v1/assignments?page_token=LTE", "page_token"),  # base64 of "-1"
        ("/api/v1/directives?status=open", "status"),
        ("/api/v1/directives?issuer=NOPE", "issuer"),
        ("/api/v1/directives?issued_from=14/08/2022", "issued_from"),
        ("/api/v1/directives?issued_to=2022-02-30", "issued_to"),
        ("/api/v1/directives?q=cccd%00", "q"),
        ("/api/v1/directives?q=" + "x" * 201, "q"),
        ("/api/v1/directives?page_size=10000", "page_size"),
        ("/api/v1/agencies?kind=ministry", "kind"),
        ("/api/v1/agencies?level=planet", "level"),
        ("/api/v1/agencies?q=s%E1%BB%9F%00", "q"),
        ("/api/v1/agencies?page_size=-1", "page_size"),
    ],
)
def test_bad_query_parameters_are_422_naming_the_field(api, url, field):
    response = api("admin").get(url)
    body = assert_problem(response, 422, field=field)
    assert body["title"] == "Unprocessable Entity"


def test_every_refused_field_is_named_at_once(api):
    response = api("admin").get("/api/v1/assignments?status=bogus&timeliness=late&page_size=0")
    body = assert_problem(response, 422)
    assert set(body["errors"]) == {"status", "timeliness", "page_size"}
    assert body["errors"]["page_size"] == ["Phải từ 1 đến 500."]
    assert body["detail"] == "Dữ liệu không hợp lệ: page_size, status, timeliness."


def test_an_unknown_agency_code_is_named(api):
    body = assert_problem(api("admin").get("/api/v1/assignments?agency=NOPE"), 422, field="agency")
    assert "NOPE" in body["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/directives/999999",
        "/api/v1/assignments/999999",
        "/api/v1/directives/0",
        "/api/v1/directives/99999999999999999999999",
        "/api/v1/directives/-1",
        "/api/v1/directives/abc",
        "/api/v1/assignments/2147483648",
        "/api/v1/nothing-here",
    ],
)
def test_unknown_ids_and_urls_are_404_problems(api, url):
    assert_problem(api("admin").get(url), 404)


def test_a_missing_object_names_the_id(api):
    body = assert_problem(api("admin").get("/api/v1/directives/999999"), 404, field="id")
    assert "999999" in body["detail"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "/api/v1/me"),
        ("PUT", "/api/v1/directives"),
        ("PUT", "/api/v1/assignments/1"),
        ("GET", "/api/v1/tokens"),
    ],
)
def test_a_wrong_method_is_405_with_allow(api, method, url):
    response = api("admin").open(url, method=method)
    assert_problem(response, 405)
    assert response.headers["Allow"]


def test_a_problem_detail_is_translated_text_not_werkzeug_english(api):
    body = assert_problem(api("admin").get("/api/v1/nothing-here"), 404)
    assert body["detail"] == "Không tìm thấy."
    assert "requested URL" not in body["detail"]
