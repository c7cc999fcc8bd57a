"""Every date field is written and shown dd/mm/yyyy whatever the browser's language: text inputs read by the
server (ISO yyyy-mm-dd from links too), a clear message for a day that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coordination.formatting import DATE_INPUT_PATTERN, date_input_value
from tests.conftest import directive
from tests.support.web import text

ROOT = Path(__file__).resolve().parents[2] / "coordination"


def _input(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def test_no_date_input_follows_the_browsers_language():
    """No `<input type="date">` (mm/dd/yyyy in an English browser), no WTForms date field, in the whole UI."""
    offenders = []
    for path in [*ROOT.rglob("*.html"), *ROOT.rglob("*.py"), *ROOT.rglob("*.js")]:
        source = path.read_text(encoding="utf-8")
        if re.search(
            r"""type=["']?date\b|input_type=["']date|\b(?:DateField|DateTimeField|DateTimeLocalField)\b""", source
        ):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("01/12/2026", "01/12/2026"),
        ("1/12/2026", "01/12/2026"),
        ("2026-12-01", "01/12/2026"),
        ("31/02/2026", "31/02/2026"),
    ],
)
def test_a_date_input_shows_the_day_dd_mm_yyyy(typed, shown):
    assert date_input_value(typed) == shown


def test_the_pattern_accepts_what_the_server_reads():
    pattern = re.compile(DATE_INPUT_PATTERN.replace("\\/", "/"))
    assert all(pattern.fullmatch(t) for t in ("01/12/2026", "1.2.2026", "01-12-2026", "2026-12-01"))
    assert not any(pattern.fullmatch(t) for t in ("12/2026", "2026/12/01", "mai"))


def test_the_work_list_reads_dd_mm_yyyy_and_iso(login):
    client = login("justice.tayninh")
    html = client.get("/app/assignment/?due_from=01/09/2022&due_to=30/09/2022").get_data(as_text=True)
    field = _input(html, "due_from")
    assert 'type="text"' in field and 'value="01/09/2022"' in field and 'placeholder="dd/mm/yyyy"' in field
    assert 'inputmode="numeric"' in field and "pattern=" in field
    deadlines = set(re.findall(r"\b(\d\d/\d\d/\d{4})\b", text(html.split("<tbody", 1)[1])))
    assert deadlines and all(d.endswith("/09/2022") for d in deadlines if d != "14/08/2022")
    iso = client.get("/app/assignment/?due_from=2022-09-01&due_to=2022-09-30").get_data(as_text=True)
    assert 'value="01/09/2022"' in _input(iso, "due_from") and 'value="30/09/2022"' in _input(iso, "due_to")


def test_the_work_list_says_when_a_day_does_not_exist(login):
    client = login("justice.tayninh")
    response = client.get("/app/assignment/?due_from=31/02/2022")
    assert response.status_code == 200  # the list stays usable, unfiltered by that day
    html = response.get_data(as_text=True)
    assert 'value="31/02/2022"' in _input(html, "due_from") and "is-invalid" in _input(html, "due_from")
    assert "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy." in text(html)


def test_the_report_form_reads_dd_mm_yyyy(login):
    client = login("office.tayninh")
    page = client.get("/app/reports/").get_data(as_text=True)
    for name in ("issued_from", "issued_to", "as_of"):
        assert 'type="text"' in _input(page, name) and 'placeholder="dd/mm/yyyy"' in _input(page, name)
    target = directive("2157/UBND-KSTT").id
    view = client.get("/app/reports/compliance", query_string={"directive": target, "as_of": "01/09/2022"})
    assert view.status_code == 200 and view.get_json()["as_of"] == "2022-09-01"
    printed = client.get(
        "/app/reports/compliance", query_string={"directive": target, "as_of": "1/9/2022", "format": "html"}
    )
    assert printed.status_code == 200 and "01/09/2022" in text(printed.get_data(as_text=True))
    bad = client.get("/app/reports/compliance", query_string={"directive": target, "as_of": "32/09/2022"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'value="32/09/2022"' in _input(html, "as_of") and "is-invalid" in _input(html, "as_of")
    assert "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy." in text(html)
    # the period, typed as a clerk writes it, and kept so in the form after a refusal
    wrong_way = client.get(
        "/app/reports/compliance", query_string={"issued_from": "01/06/2022", "issued_to": "01/01/2022"}
    )
    assert wrong_way.status_code == 422
    html = wrong_way.get_data(as_text=True)
    assert 'value="01/06/2022"' in _input(html, "issued_from") and "is-invalid" in _input(html, "issued_to")


def test_workflow_date_fields_carry_the_same_input(login):
    client = login("office.tayninh")
    html = client.get("/app/directive/register/").get_data(as_text=True)
    for name in ("issued_on", "deadline", "tasks-0-deadline"):
        field = _input(html, name)
        assert 'type="text"' in field and 'placeholder="dd/mm/yyyy"' in field and "pattern=" in field
