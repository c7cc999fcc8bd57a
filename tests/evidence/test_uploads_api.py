"""Evidence through the API under attack: sizes, disguised types, hostile names, empty files, other agencies."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from coordination.assignments.states import Status
from coordination.evidence.content import DOCX
from tests.factories import make_assignment
from tests.support.api import assert_problem
from tests.support.workflow import HTML, PDF, SVG, files_in, fingerprint, upload

MB = 1024 * 1024


@pytest.fixture
def work(app):  # type: ignore[no-untyped-def]
    """Sở Tư pháp's assignment in progress, justice.tayninh's own; Sở GD&ĐT has a task on the same directive."""
    return make_assignment(
        "TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20, beside=("TN-SGDDT",)
    )


@pytest.fixture
def officer(api):  # type: ignore[no-untyped-def]
    return api("justice.tayninh")


@pytest.fixture
def small_limits(app) -> Iterator[None]:
    """A 1 MB limit per file and 2 MB per request, so the test need not send 20 MB."""
    saved = app.config["EVIDENCE_MAX_BYTES"], app.config["MAX_CONTENT_LENGTH"]
    app.config["EVIDENCE_MAX_BYTES"], app.config["MAX_CONTENT_LENGTH"] = 1 * MB, 2 * MB
    yield
    app.config["EVIDENCE_MAX_BYTES"], app.config["MAX_CONTENT_LENGTH"] = saved


def _refused(response, status: int, before: dict, store_dir: str, *, field: str = "file") -> dict:  # type: ignore[no-untyped-def]
    body = assert_problem(response, status, field=field)
    assert fingerprint() == before
    assert files_in(store_dir) == []
    return body


def test_an_oversized_file_is_413_with_a_clear_message(officer, work, store_dir, small_limits):
    before = fingerprint()
    big = PDF + b"0" * MB
    body = _refused(upload(officer, work.id, (big, "danh-sach.pdf")), 413, before, store_dir)
    assert body["detail"] == "Tệp “danh-sach.pdf” vượt quá giới hạn 1 MB."


def test_a_request_over_the_request_limit_is_413_problem(officer, work, store_dir, small_limits):
    before = fingerprint()
    response = upload(officer, work.id, (PDF + b"0" * (MB // 2), "a.pdf"), (PDF + b"0" * (2 * MB), "b.pdf"))
    body = _refused(response, 413, before, store_dir)
    assert body["detail"] == "Yêu cầu vượt quá giới hạn 2 MB; mỗi tệp tối đa 1 MB."
    # A JSON body over the limit too.
    huge = officer.post(f"/api/v1/assignments/{work.id}/updates", json={"note": "x" * (3 * MB)})
    assert_problem(huge, 413)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (HTML, "bao-cao.pdf"),
        (SVG, "bieu-do.pdf"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "anh.png"),
        (b"MZ\x90\x00\x03" + b"\x00" * 64, "setup.pdf"),
        (b"GIF89a\x01\x00\x01\x00", "anh.gif"),
    ],
    ids=["html-as-pdf", "svg-as-pdf", "xml-svg-as-png", "exe-as-pdf", "gif"],
)
def test_disguised_or_unlisted_types_are_415(officer, work, store_dir, content, name):
    before = fingerprint()
    body = _refused(upload(officer, work.id, (content, name)), 415, before, store_dir)
    assert name in body["detail"]


def test_one_bad_file_refuses_them_all(officer, work, store_dir):
    before = fingerprint()
    response = upload(officer, work.id, (PDF, "tot.pdf"), (HTML, "xau.pdf"), field="files")
    _refused(response, 415, before, store_dir)  # the good PDF stored first is gone too


def test_an_empty_file_is_422(officer, work, store_dir):
    before = fingerprint()
    body = _refused(upload(officer, work.id, (b"", "rong.pdf")), 422, before, store_dir)
    assert "rong.pdf" in body["detail"]


def test_no_file_is_422_naming_file(officer, work, store_dir):
    before = fingerprint()
    response = officer.post(f"/api/v1/assignments/{work.id}/evidence", data={}, content_type="multipart/form-data")
    _refused(response, 422, before, store_dir)
    _refused(officer.post(f"/api/v1/assignments/{work.id}/evidence", json={"file": "x"}), 422, before, store_dir)
    wrong_field = officer.post(
        f"/api/v1/assignments/{work.id}/evidence",
        data={"upload": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    _refused(wrong_field, 422, before, store_dir)


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        # (multipart quoting takes the backslashes as escapes: what arrives has no separator left)
        ("..\\..\\Windows\\system32\\bao-cao.pdf", "Windowssystem32bao-cao.pdf"),
        ("/etc/passwd", "passwd.pdf"),
        ("bao-cao.html", "bao-cao.html.pdf"),
        ("a<script>x|y:z?.pdf", "ascriptxyz.pdf"),
        ("Báo cáo tiến độ Đề án 06.pdf", "Báo cáo tiến độ Đề án 06.pdf"),
        ("", "minh-chung.pdf"),
    ],
)
def test_file_names_are_cleaned(officer, work, store_dir, name, stored):
    response = upload(officer, work.id, (PDF, name))
    assert response.status_code == 201, response.get_data(as_text=True)
    (evidence,) = response.get_json()
    assert evidence["filename"] == stored
    # The bytes live under their hash inside the store, nowhere else.
    (path,) = files_in(store_dir)
    assert path.name == hashlib.sha256(PDF).hexdigest() == evidence["sha256"]


def test_several_files_at_once(officer, work, store_dir):
    text = "Danh sách 1.234 công dân đã làm CCCD".encode()
    response = upload(officer, work.id, (PDF, "a.pdf"), (text, "b.txt"), field="files")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert [(e["filename"], e["content_type"], e["size"]) for e in body] == [
        ("a.pdf", "application/pdf", len(PDF)),
        ("b.txt", "text/plain", len(text)),
    ]
    assert [e["sha256"] for e in body] == [hashlib.sha256(PDF).hexdigest(), hashlib.sha256(text).hexdigest()]
    listed = officer.get(f"/api/v1/assignments/{work.id}").get_json()["evidence"]
    assert [e["id"] for e in listed] == [e["id"] for e in body]


def _one(officer, work, content: bytes, name: str) -> dict:  # type: ignore[no-untyped-def]
    response = upload(officer, work.id, (content, name))
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()[0]


def test_the_download_is_an_attachment_never_rendered(officer, work, store_dir):
    evidence = _one(officer, work, PDF, "Báo cáo tiến độ Đề án 06.pdf")
    response = officer.get(f"/api/v1/evidence/{evidence['id']}")
    assert response.status_code == 200
    assert response.get_data() == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Báo cáo tiến độ Đề án 06.pdf')}" in disposition  # RFC 5987
    assert 'filename="Bao cao tien o e an 06.pdf"' in disposition  # the ASCII fallback
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert "no-store" in response.headers["Cache-Control"]
    response.close()


def test_text_that_looks_like_html_by_name_downloads_as_text(officer, work, store_dir):
    evidence = _one(officer, work, b"Ghi chu cuoc hop", "bien-ban.html")
    assert evidence["filename"] == "bien-ban.html.txt"
    response = officer.get(f"/api/v1/evidence/{evidence['id']}")
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    response.close()


def test_a_docx_keeps_its_type(officer, work, store_dir):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    evidence = _one(officer, work, buffer.getvalue(), "ke-hoach.docx")
    assert evidence["content_type"] == DOCX


def test_another_agency_cannot_download(api, officer, work, store_dir):
    evidence = _one(officer, work, PDF, "danh-sach-cong-dan.pdf")
    # Sở Giáo dục sees the directive and this assignment's status, not its files.
    body = assert_problem(api("education.tayninh").get(f"/api/v1/evidence/{evidence['id']}"), 403)
    assert body["detail"] == "Bạn không có quyền xem minh chứng này."
    # Phường Bắc Sơn (another province) is not told the file exists.
    missing = assert_problem(api("bacson.tamdiep").get("/api/v1/evidence/999999"), 404)
    assert assert_problem(api("bacson.tamdiep").get(f"/api/v1/evidence/{evidence['id']}"), 404) == missing | {
        "detail": f"Không tìm thấy minh chứng số {evidence['id']}."
    }


def test_a_withdrawn_file_is_gone_and_its_removal_in_history(officer, work, store_dir):
    evidence = _one(officer, work, PDF, "nham.pdf")
    removed = officer.delete(f"/api/v1/evidence/{evidence['id']}", json={"reason": "Nhầm tệp."})
    assert removed.status_code == 204
    assert_problem(officer.get(f"/api/v1/evidence/{evidence['id']}"), 410)
    # still listed, as on the web page, marked withdrawn: the trail keeps what was sent
    (listed,) = officer.get(f"/api/v1/assignments/{work.id}").get_json()["evidence"]
    assert listed["id"] == evidence["id"] and listed["filename"] == "nham.pdf" and listed["removed_at"] is not None
    again = officer.delete(f"/api/v1/evidence/{evidence['id']}", json={})
    assert_problem(again, 409)
    (event, added) = officer.get(f"/api/v1/assignments/{work.id}/history").get_json()["items"][:2]
    assert event["action"] == "evidence.remove" and event["after"] == {"reason": "Nhầm tệp."}
    assert event["before"]["filename"] == "nham.pdf" and event["actor"]["username"] == "justice.tayninh"
    assert added["action"] == "evidence.add"


def test_another_agency_is_not_told_a_file_was_withdrawn(api, officer, work, store_dir):
    evidence = _one(officer, work, PDF, "nham.pdf")
    assert officer.delete(f"/api/v1/evidence/{evidence['id']}", json={}).status_code == 204
    assert_problem(api("education.tayninh").get(f"/api/v1/evidence/{evidence['id']}"), 403)
    assert_problem(api("monitor.tayninh").get(f"/api/v1/evidence/{evidence['id']}"), 410)
