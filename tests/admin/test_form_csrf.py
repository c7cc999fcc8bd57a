"""With CSRF protection on (as in production): every workflow form carries the token; a post without it is
refused with a message in Vietnamese, and nothing changes."""

from __future__ import annotations

import re

import pytest

from tests.conftest import assignment_of
from tests.support.admin_views import directive_id
from tests.support.web import directive_form, event_count, text

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def csrf_on(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Turned on after logging in (the login fixture posts without a token)."""

    def _on() -> None:
        monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    return _on


def _posts() -> list[tuple[str, str, dict]]:
    justice = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    ref_id = directive_id("2157/UBND-KSTT")
    return [
        ("office.tayninh", "/app/directive/register/", directive_form()),
        ("office.tayninh", f"/app/directive/{ref_id}/close/", {"confirm": "1"}),
        ("office.tayninh", f"/app/directive/task/{justice.task_id}/", {"label": "5", "text": "đổi"}),
        ("justice.tayninh", f"/app/assignment/{justice.id}/report/", {"note": "x", "version": str(justice.version)}),
        (
            "justice.tayninh",
            f"/app/assignment/{justice.id}/extension/",
            {"requested_deadline": "01/01/2100", "reason": "x"},
        ),
        ("admin", "/app/agency/1/rename/", {"name_vi": "Tên khác"}),
    ]


@pytest.mark.parametrize("index", range(6))
def test_a_post_without_the_token_is_refused_and_changes_nothing(client, login, csrf_on, index):
    username, url, data = _posts()[index]
    login(username)
    csrf_on()
    before = event_count()
    response = client.post(url, data=data)
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn hoặc không hợp lệ: chưa lưu gì." in text(response.get_data(as_text=True))
    assert event_count() == before


def test_a_post_with_the_token_from_the_page_goes_through(client, login, csrf_on):
    justice = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    login("justice.tayninh")
    csrf_on()
    page = client.get(f"/app/assignment/details/?id={justice.id}").get_data(as_text=True)
    response = client.post(
        f"/app/assignment/{justice.id}/report/",
        data={"csrf_token": TOKEN.findall(page)[0], "note": "Có mã chống giả mạo.", "version": str(justice.version)},
    )
    assert response.status_code == 302
    assert "Có mã chống giả mạo." in client.get(f"/app/assignment/details/?id={justice.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "username, page",
    [
        ("office.tayninh", "/app/directive/register/"),
        ("office.tayninh", "DIRECTIVE"),
        ("office.tayninh", "TASK"),
        ("justice.tayninh", "ASSIGNMENT"),
        ("monitor.tayninh", "/app/extensions/"),
        ("admin", "/app/agency/details/?id=1"),
    ],
)
def test_every_form_of_the_workflow_pages_carries_the_token(client, login, csrf_on, username, page):
    justice = assignment_of("2157/UBND-KSTT", "5", "TN-STP")
    url = {
        "DIRECTIVE": f"/app/directive/details/?id={directive_id('2157/UBND-KSTT')}",
        "TASK": f"/app/directive/task/{justice.task_id}/",
        "ASSIGNMENT": f"/app/assignment/details/?id={justice.id}",
    }.get(page, page)
    login(username)
    csrf_on()
    html = client.get(url).get_data(as_text=True)
    forms = re.findall(r'<form method="post".*?</form>', html, flags=re.S)
    assert forms, url
    for form in forms:
        assert 'name="csrf_token"' in form, form[:200]
