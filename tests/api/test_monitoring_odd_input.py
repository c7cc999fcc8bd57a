"""The new endpoints are documented; odd query strings on the new pages are answered, never with a 500."""

from __future__ import annotations

import pytest


def test_the_spec_lists_the_monitoring_endpoints(client) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    expected = {
        "/api/v1/dashboard": {"get"},
        "/api/v1/reminders": {"post"},
        "/api/v1/assignments/{assignment_id}/explanation-requests": {"post"},
        "/api/v1/explanation-requests/{request_id}/answer": {"post"},
        "/api/v1/notifications": {"get"},
        "/api/v1/notifications/read": {"post"},
        "/api/v1/indicators": {"get"},
        "/api/v1/indicators/{indicator_id}": {"get"},
        "/api/v1/indicators/{indicator_id}/measurements": {"post"},
    }
    for path, operations in expected.items():
        assert operations <= set(spec["paths"][path]), path
    answer = spec["paths"]["/api/v1/explanation-requests/{request_id}/answer"]["post"]["requestBody"]["content"]
    assert set(answer) == {"application/json", "multipart/form-data"}
    filters = {p["name"] for p in spec["paths"]["/api/v1/dashboard"]["get"]["parameters"]}
    assert filters == {"directive", "agency", "issued_from", "issued_to"}


ODD = ["", "0", "-1", "x", "99999999999999999999", "1%00", "<script>", "1,2", "31/13/2020", "2022-02-30"]


@pytest.mark.parametrize("value", ODD)
@pytest.mark.parametrize(
    ("url", "names"),
    [
        ("/app/dashboard/", ["directive", "agency", "issued_from", "issued_to", "sort", "order", "page"]),
        ("/app/indicators/", ["directive"]),
        ("/app/notifications/", ["page", "unread"]),
        ("/app/reminders/preview", ["assignment", "agency", "directive"]),
        ("/app/explanations/new", ["assignment"]),
    ],
)
def test_odd_query_strings_are_never_a_500(client, login, url, names, value) -> None:
    login("monitor.tayninh")
    for name in names:
        response = client.get(url, query_string={name: value})
        assert response.status_code < 500, (url, name, value)


@pytest.mark.parametrize(
    "url",
    [
        "/app/indicators/99999999999999999999",
        "/app/explanations/99999999999999999999/answer",
        "/app/reminders/policy/99999999999999999999",
        "/app/indicators/0",
        "/api/v1/indicators/99999999999999999999",
    ],
)
def test_huge_ids_in_paths_are_404(client, login, url) -> None:
    login("admin")
    assert client.get(url).status_code in (401, 404)
