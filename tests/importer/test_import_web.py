"""The review page: paste or upload, check beside the original, "Tạo dự thảo" creates the draft as reviewed."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from coordination.directives.models import Directive, DirectiveStatus
from coordination.extensions import db
from tests.conftest import tiny_pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "directives"


class _Form(HTMLParser):
    """The values a browser would send for the form posting to `action` (inputs, text areas, selections)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values, self.textareas = action, False, [], set()
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            self.values.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.values.append((self._textarea, ""))
            self.textareas.add(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, value = self.values[-1]
            self.values[-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str, action: str) -> list[tuple[str, str]]:
    parser = _Form(action)
    parser.feed(html)
    # A browser drops the newline that follows <textarea>.
    return [(n, v[1:] if n in parser.textareas and v.startswith("\n") else v) for n, v in parser.values]


REVIEW = "/app/directive/import/review/"


def _review(client, name: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    text = (FIXTURES / name).read_text(encoding="utf-8")
    response = client.post("/app/directive/import/", data={"text": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[:2000]
    assert "Văn bản gốc" in html and 'action="/app/directive/import/review/"' in html
    return form_values(html, REVIEW)


def _replace(values: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    assert any(n == name for n, _ in values), name
    return [(n, value if n == name else v) for n, v in values]


def _created(ref: str) -> Directive:
    return db.session.scalar(sa.select(Directive).where(Directive.ref == ref))


def test_the_directives_list_links_to_the_import(client, login) -> None:
    login("office.tayninh")
    html = client.get("/app/directive/").get_data(as_text=True)
    assert 'href="/app/directive/import/"' in html
    assert "Nhập văn bản từ tệp / văn bản" in client.get("/app/directive/import/").get_data(as_text=True)


def test_tay_ninh_reviewed_and_created(client, login) -> None:
    login("office.tayninh")
    values = _review(client, "2157_UBND-KSTT.txt")
    assert ("tasks-12-group", "Ủy ban nhân dân các huyện, thị xã, thành phố") in values
    # The reviewer gives a new number, and "chính quyền địa phương" of task 12 to the districts.
    values = _replace(values, "number", "2159")
    values = _replace(values, "tasks-11-group", "Ủy ban nhân dân các huyện, thị xã, thành phố")
    values = _replace(values, "tasks-11-group_role", "coordinate")
    response = client.post(REVIEW, data=MultiDict(values))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    directive = _created("2159/UBND-KSTT")
    assert response.headers["Location"].endswith(f"/app/directive/details/?id={directive.id}")
    assert directive.status == DirectiveStatus.draft
    assert directive.source_text == (FIXTURES / "2157_UBND-KSTT.txt").read_text(encoding="utf-8")
    assert [t.label for t in directive.tasks] == ["1", "2", "-", "-", "3", "4", "5", "7", "8", "9", "10", "12", "11"]
    counts = {t.position: len(t.assignments) for t in directive.tasks}
    assert counts == {1: 23, 2: 2, 3: 2, 4: 2, 5: 2, 6: 1, 7: 2, 8: 1, 9: 1, 10: 7, 11: 1, 12: 11, 13: 10}
    task_12 = next(t for t in directive.tasks if t.label == "12")
    assert sorted((a.agency.code, a.role.value) for a in task_12.assignments)[:3] == [
        ("TN-BQLKKT", "lead"),
        ("TN-CA", "coordinate"),
        ("TN-HBENCAU", "coordinate"),
    ]
    assert {t.deadline.isoformat() for t in directive.tasks} == {"2022-09-30"}


def test_tam_diep_reviewed_and_created(client, login) -> None:
    login("office.tamdiep")
    values = _replace(_review(client, "570_UBND-CA.txt"), "number", "572")
    response = client.post(REVIEW, data=MultiDict(values))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    directive = _created("572/UBND-CA")
    assert [(t.label, len(t.assignments)) for t in directive.tasks] == [("1", 20), ("2", 9), ("3", 3)]
    assert (directive.monitor_agency.code, directive.report_to_agency.code) == ("TD-CA", "TD-UBND")
    # The form lists the groups in its own (alphabetical) order, as the registration form does.
    assert sorted(a.group.name for a in directive.addressees) == [
        "Các cơ quan, đơn vị trên địa bàn thành phố",
        "Các phòng, ban, ngành, đoàn thể thành phố",
        "UBND các phường, xã",
    ]


def test_an_upload_is_read_and_a_scan_is_a_form_error(client, login) -> None:
    login("office.tamdiep")
    text = (FIXTURES / "570_UBND-CA.txt").read_bytes()
    response = client.post(
        "/app/directive/import/", data={"file": (io.BytesIO(text), "570.txt")}, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert ("number", "570") in form_values(response.get_data(as_text=True), REVIEW)
    response = client.post(
        "/app/directive/import/",
        data={"file": (io.BytesIO(tiny_pdf()), "scan.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "OCR" in response.get_data(as_text=True)


def test_no_text_and_a_bad_date_are_form_errors(client, login) -> None:
    login("office.tayninh")
    response = client.post("/app/directive/import/", data={"text": "  "})
    assert response.status_code == 422
    assert "Hãy dán nội dung văn bản hoặc chọn một tệp." in response.get_data(as_text=True)
    values = _replace(_review(client, "2157_UBND-KSTT.txt"), "issued_on", "31/02/2022")
    response = client.post(REVIEW, data=MultiDict(_replace(values, "number", "2160")))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy." in html
    assert "Văn bản gốc" in html  # the original text is still beside the form
    assert _created("2160/UBND-KSTT") is None


def test_the_demo_number_again_is_refused_on_the_form(client, login) -> None:
    login("office.tayninh")
    response = client.post(REVIEW, data=MultiDict(_review(client, "2157_UBND-KSTT.txt")))
    assert response.status_code == 409
    assert "Văn bản 2157/UBND-KSTT của cơ quan này đã có." in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["justice.tayninh", "monitor.tayninh", "admin"])
def test_only_an_office_imports(client, login, username) -> None:
    login(username)
    assert client.get("/app/directive/import/").status_code == 403
    assert client.post("/app/directive/import/", data={"text": "1. Sở Tư pháp rà soát."}).status_code == 403
    assert client.post(REVIEW, data={"number": "1"}).status_code == 403


def test_the_reviewer_reads_the_warnings_in_vietnamese(client, login) -> None:
    login("office.tayninh")
    text = (FIXTURES / "2157_UBND-KSTT.txt").read_text(encoding="utf-8")
    html = client.post("/app/directive/import/", data={"text": text}).get_data(as_text=True)
    # Tây Ninh's letter skips task 6 and prints task 12 before task 11.
    assert "Thiếu nhiệm vụ 6 trong đánh số." in html
    assert "Nhiệm vụ 12 đứng trước nhiệm vụ 11." in html
    assert "is missing from the numbering" not in html


@pytest.mark.parametrize(
    ("warning", "vietnamese", "english"),
    [
        (
            "no tasks found: this does not look like a directive",
            "Không tìm thấy nhiệm vụ nào: nội dung này có vẻ không phải văn bản chỉ đạo.",
            "No tasks found: this does not look like a directive.",
        ),
        ("task 3 has no text", "Nhiệm vụ 3 không có nội dung.", "Task 3 has no text."),
        ("date 30/2/2022 does not exist", "Ngày 30/2/2022 không có thật.", "The date 30/2/2022 does not exist."),
        ("task 2.b is numbered twice", "Nhiệm vụ 2.b được đánh số hai lần.", "Task 2.b is numbered twice."),
        ("something new", "something new", "something new"),
    ],
)
def test_each_parser_warning_is_translated(app, warning: str, vietnamese: str, english: str) -> None:
    from flask_babel import force_locale

    from coordination.importer.warnings import describe_warning

    with app.test_request_context():
        with force_locale("vi"):
            assert describe_warning(warning) == vietnamese
        with force_locale("en"):
            assert describe_warning(warning) == english
