"""Evidence files: content-addressed, checked by content, and never half-written."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from coordination.assignments.operations import report_progress
from coordination.assignments.states import Action
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.evidence.content import DOCX, ODT, PDF, TEXT, XLSX, clean_filename, detect_type
from coordination.evidence.models import Evidence
from coordination.evidence.operations import (
    PayloadTooLarge,
    UnsupportedType,
    add_evidence,
    open_evidence,
    remove_evidence,
)
from coordination.evidence.storage import LocalEvidenceStore
from coordination.extensions import db
from tests.assignments.test_operations import fresh_assignment
from tests.conftest import get_user

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def files_in(root: str) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()]


@pytest.fixture
def store_dir(app, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """A fresh evidence directory for the test."""
    previous = app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    yield app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = previous


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF_BYTES, PDF),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        (_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"}), DOCX),
        (_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"}), XLSX),
        (_zip({"mimetype": ODT.encode(), "content.xml": b"<x/>"}), ODT),
        ("Danh sách công dân đã làm CCCD: 1.234 người".encode(), TEXT),
        (b"<!DOCTYPE html><html><script>alert(1)</script>", None),
        (b"  <html><body>hi</body></html>", None),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', None),
        (b'<?xml version="1.0"?><svg/>', None),
        (_zip({"evil.exe": b"MZ"}), None),
        (b"MZ\x90\x00\x03" + b"\x00" * 64, None),
        (b"", None),
    ],
)
def test_type_is_decided_by_content(data: bytes, expected: str | None) -> None:
    assert detect_type(data) == expected


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd", TEXT, "passwd.txt"),
        ("..\\..\\windows\\Báo cáo.pdf", PDF, "Báo cáo.pdf"),
        ("Danh sách hộ dân phường Bắc Sơn.pdf", PDF, "Danh sách hộ dân phường Bắc Sơn.pdf"),
        ("evil.html", PDF, "evil.html.pdf"),
        ("a\x00b<>:|?*.pdf", PDF, "ab.pdf"),
        ("", TEXT, "minh-chung.txt"),
        ("....", PDF, "minh-chung.pdf"),
    ],
)
def test_filenames_are_cleaned(name: str, content_type: str, expected: str) -> None:
    assert clean_filename(name, content_type) == expected


def test_pdf_is_stored_under_its_sha256(app, store_dir) -> None:  # type: ignore[no-untyped-def]
    assignment = fresh_assignment()
    evidence = add_evidence(assignment, io.BytesIO(PDF_BYTES), "Báo cáo.pdf", actor=get_user("education.tayninh"))
    db.session.commit()
    digest = hashlib.sha256(PDF_BYTES).hexdigest()
    assert (evidence.sha256, evidence.size, evidence.content_type) == (digest, len(PDF_BYTES), PDF)
    assert files_in(store_dir) == [Path(store_dir) / digest[:2] / digest[2:4] / digest]
    with open_evidence(evidence, actor=get_user("monitor.tayninh")) as stream:
        assert stream.read() == PDF_BYTES


@pytest.mark.parametrize(
    ("data", "name", "error"),
    [
        (b"<html><script>alert(1)</script></html>", "report.pdf", UnsupportedType),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "chart.pdf", UnsupportedType),
        (b"", "empty.pdf", Invalid),
    ],
)
def test_bad_uploads_are_refused_and_leave_nothing(app, store_dir, data, name, error) -> None:  # type: ignore[no-untyped-def]
    assignment = fresh_assignment()
    with pytest.raises(error):
        add_evidence(assignment, io.BytesIO(data), name, actor=get_user("education.tayninh"))
    assert files_in(store_dir) == []


def test_oversized_upload_is_refused_and_leaves_no_partial_file(app, store_dir) -> None:  # type: ignore[no-untyped-def]
    assignment = fresh_assignment()
    current_app.config["EVIDENCE_MAX_BYTES"], limit = 1024, current_app.config["EVIDENCE_MAX_BYTES"]
    try:
        with pytest.raises(PayloadTooLarge, match="MB"):
            add_evidence(
                assignment, io.BytesIO(PDF_BYTES + b"x" * 4096), "big.pdf", actor=get_user("education.tayninh")
            )
    finally:
        current_app.config["EVIDENCE_MAX_BYTES"] = limit
    assert files_in(store_dir) == []
    assert db.session.scalar(sa.select(sa.func.count(Evidence.id)).where(Evidence.assignment_id == assignment.id)) == 0


class _Crashing(io.BytesIO):
    """A stream that breaks after its first chunk, as a dropped connection does."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.calls = 0

    def read(self, size: int = -1) -> bytes:
        self.calls += 1
        if self.calls > 2:
            raise ConnectionResetError("client went away")
        return super().read(1024 * 1024 if size == -1 else size)


def test_crash_while_writing_leaves_no_partial_file(app, store_dir) -> None:  # type: ignore[no-untyped-def]
    store = LocalEvidenceStore(store_dir)
    with pytest.raises(ConnectionResetError):
        store.put(_Crashing(PDF_BYTES + b"x" * (3 * 1024 * 1024)), max_size=10 * 1024 * 1024)
    assert files_in(store_dir) == []


def test_failure_between_file_write_and_commit_leaves_neither(app, store_dir) -> None:  # type: ignore[no-untyped-def]
    assignment = fresh_assignment()
    assignment_id = assignment.id
    db.session.commit()
    evidence = add_evidence(assignment, io.BytesIO(PDF_BYTES), "x.pdf", actor=get_user("education.tayninh"))
    assert len(files_in(store_dir)) == 1 and evidence.id is not None
    db.session.rollback()  # what the request does when anything fails before its commit
    assert files_in(store_dir) == []
    count = sa.select(sa.func.count(Evidence.id)).where(Evidence.assignment_id == assignment_id)
    assert db.session.scalar(count) == 0


def test_rollback_never_removes_content_stored_before(app, store_dir) -> None:  # type: ignore[no-untyped-def]
    officer = get_user("education.tayninh")
    assignment = fresh_assignment()
    add_evidence(assignment, io.BytesIO(PDF_BYTES), "first.pdf", actor=officer)
    db.session.commit()
    add_evidence(assignment, io.BytesIO(PDF_BYTES), "same-content.pdf", actor=officer)
    db.session.rollback()
    assert len(files_in(store_dir)) == 1


def test_other_agency_can_neither_upload_nor_read(app, store_dir) -> None:  # type: ignore[no-untyped-def]
    assignment = fresh_assignment()
    with pytest.raises(Forbidden):
        add_evidence(assignment, io.BytesIO(PDF_BYTES), "x.pdf", actor=get_user("justice.tayninh"))
    evidence = add_evidence(assignment, io.BytesIO(PDF_BYTES), "x.pdf", actor=get_user("education.tayninh"))
    with pytest.raises(Forbidden):
        open_evidence(evidence, actor=get_user("justice.tayninh"))
    with pytest.raises(Forbidden):
        open_evidence(evidence, actor=get_user("monitor.tamdiep"))


def test_evidence_cannot_be_removed_once_work_is_accepted(app, store_dir) -> None:  # type: ignore[no-untyped-def]
    officer = get_user("education.tayninh")
    assignment = fresh_assignment()
    first = add_evidence(assignment, io.BytesIO(PDF_BYTES), "a.pdf", actor=officer)
    second = add_evidence(assignment, io.BytesIO(PDF_BYTES + b" "), "b.pdf", actor=officer)
    remove_evidence(first, actor=officer, reason="Nhầm tệp")
    assert first.removed_at is not None
    report_progress(assignment, actor=officer, action=Action.start)
    report_progress(assignment, actor=officer, action=Action.report_done)
    report_progress(assignment, actor=get_user("monitor.tayninh"), action=Action.accept)
    with pytest.raises(Conflict, match="đã được xác nhận"):
        remove_evidence(second, actor=officer)
    with pytest.raises(Forbidden):
        remove_evidence(second, actor=get_user("justice.tayninh"))
    assert second.removed_at is None


def test_missing_content_is_a_clear_404_not_a_crash(app, store_dir) -> None:  # type: ignore[no-untyped-def]
    from coordination.errors import NotFound

    evidence = add_evidence(fresh_assignment(), io.BytesIO(PDF_BYTES), "a.pdf", actor=get_user("education.tayninh"))
    for path in files_in(store_dir):
        path.unlink()
    with pytest.raises(NotFound, match="kho lưu trữ"):
        open_evidence(evidence, actor=get_user("monitor.tayninh"))
