"""Uploads built to hurt: zip bombs, archives of countless entries, images of absurd size, hostile file
names, and bodies without a Content-Length that never end."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from coordination.assignments.states import Status
from coordination.evidence.content import DOCX, XLSX
from coordination.evidence.models import Evidence
from coordination.extensions import db
from coordination.importer.text import ImportTextError, extract_text
from coordination.uploads import ARCHIVE_MAX_ENTRIES, UnsafeFile, check_archive, image_size
from tests.factories import make_assignment
from tests.support.api import assert_problem
from tests.support.workflow import PDF, files_in, fingerprint, upload

MB = 1024 * 1024
UNUSUAL = "Tệp “{}” quá lớn khi mở (tệp nén hoặc ảnh bất thường)."


@pytest.fixture
def work(app):  # type: ignore[no-untyped-def]
    return make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20)


@pytest.fixture
def officer(api):  # type: ignore[no-untyped-def]
    return api("justice.tayninh")


def office_zip(kind: str, extra: dict[str, bytes] | None = None, *, entries: int = 0) -> bytes:
    """A minimal DOCX or XLSX, with `extra` entries (deflated) and `entries` empty ones."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        for i in range(entries):
            archive.writestr(f"customXml/item{i}.xml", b"")
    return buffer.getvalue()


def _refused_as_unusual(officer, work, store_dir, content: bytes, name: str) -> None:  # type: ignore[no-untyped-def]
    before = fingerprint()
    body = assert_problem(upload(officer, work.id, (content, name)), 415, field="file")
    assert body["detail"] == UNUSUAL.format(name)
    assert fingerprint() == before
    assert files_in(store_dir) == []


def test_a_docx_bomb_is_refused_before_unpacking(officer, work, store_dir) -> None:
    bomb = office_zip("docx", {"word/media/zeros.bin": b"\0" * (8 * MB)})  # 8 MB that deflate to 8 KB
    assert len(bomb) < 64 * 1024
    _refused_as_unusual(officer, work, store_dir, bomb, "ke-hoach.docx")


def test_an_xlsx_of_too_many_entries_is_refused(officer, work, store_dir) -> None:
    many = office_zip("xlsx", entries=ARCHIVE_MAX_ENTRIES)
    _refused_as_unusual(officer, work, store_dir, many, "so-lieu.xlsx")


def test_a_real_sized_docx_and_xlsx_are_accepted(officer, work, store_dir) -> None:
    # 1.5 MB of incompressible media: the zip's directory lies past the first megabyte the type check reads.
    photo = os.urandom(3 * MB // 2)
    for kind, expected in (("docx", DOCX), ("xlsx", XLSX)):
        response = upload(officer, work.id, (office_zip(kind, {"word/media/image1.png": photo}), f"a.{kind}"))
        assert response.status_code == 201, response.get_data(as_text=True)
        assert response.get_json()[0]["content_type"] == expected


def test_the_archive_limits_count_what_the_directory_declares() -> None:
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("a.bin", b"x" * 3000)
        archive.writestr("b.bin", b"y" * 3000)
    check_archive(io.BytesIO(stored.getvalue()), max_uncompressed=6000).close()
    with pytest.raises(UnsafeFile, match="inflates to more than 5999 bytes"):
        check_archive(io.BytesIO(stored.getvalue()), max_uncompressed=5999)
    with pytest.raises(UnsafeFile, match="2 entries"):
        check_archive(io.BytesIO(stored.getvalue()), max_entries=1)


def test_the_directive_importer_refuses_a_docx_bomb() -> None:
    bomb = office_zip("docx", {"word/styles.xml": b" " * (8 * MB)})
    with pytest.raises(ImportTextError, match="giải nén ra quá lớn"):
        extract_text("chi-thi.docx", bomb)


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def jpeg_header(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xda" + b"\0" * 64 + b"\xff\xd9"


def test_image_headers_are_read() -> None:
    assert image_size(png_header(640, 480)) == (640, 480)
    assert image_size(jpeg_header(4000, 3000)) == (4000, 3000)
    assert image_size(b"%PDF-1.7") is None


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (png_header(100_000, 100_000), "anh.png"),
        (jpeg_header(65_000, 65_000), "anh.jpg"),
        (png_header(0, 10), "rong.png"),
    ],
    ids=["png-10-gigapixels", "jpeg-4-gigapixels", "png-zero-width"],
)
def test_images_of_absurd_size_are_refused(officer, work, store_dir, content: bytes, name: str) -> None:
    _refused_as_unusual(officer, work, store_dir, content, name)


def test_a_phone_photo_is_accepted(officer, work, store_dir) -> None:
    response = upload(officer, work.id, (jpeg_header(4000, 3000), "hien-truong.jpg"))
    assert response.status_code == 201, response.get_data(as_text=True)


HOSTILE = "Báo cáo " + "đ" * 300 + ' "x"\r\nX-Injected: 1; filename=evil.exe\\.pdf'  # 340 characters


def test_hostile_file_names_are_served_safely(officer, work, store_dir) -> None:
    response = upload(officer, work.id, (PDF, HOSTILE))
    assert response.status_code == 201, response.get_data(as_text=True)
    evidence = response.get_json()[0]
    download = officer.get(f"/api/v1/evidence/{evidence['id']}")
    download.close()
    assert_safe_disposition(download)
    assert "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%C4%91%C4%91" in download.headers["Content-Disposition"]
    # Whatever part of the name survived multipart parsing was stored without quotes, controls or length.
    assert not set('"\r\n\\') & set(evidence["filename"]) and len(evidence["filename"]) <= 160


def assert_safe_disposition(response) -> None:  # type: ignore[no-untyped-def]
    """RFC 6266: an attachment, one header line, an ASCII fallback that is a token or a quoted string."""
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert not {"X-Injected", "Set-Cookie"} & set(response.headers.keys())
    assert disposition.startswith("attachment; filename=")
    ascii_name = disposition.split("filename=", 1)[1].split("; filename*=")[0]
    assert ascii_name.isascii() and '"' not in ascii_name.strip('"') and ";" not in ascii_name
    assert len(disposition) < 2000  # 150 characters of name at most, percent-encoded


def test_a_stored_name_that_escaped_cleaning_is_cleaned_when_served(officer, work, store_dir) -> None:
    response = upload(officer, work.id, (PDF, "a.pdf"))
    row = db.session.get(Evidence, response.get_json()[0]["id"])
    row.filename = 'x"\r\nSet-Cookie: a=b' + "y" * 220 + ".pdf"  # an old row, or an import (column: 255)
    db.session.commit()
    download = officer.get(f"/api/v1/evidence/{row.id}")
    download.close()
    assert download.status_code == 200
    assert_safe_disposition(download)
    assert 'filename="xSet-Cookie a=b' in download.headers["Content-Disposition"]


@pytest.fixture
def small_limits(app) -> Iterator[None]:
    saved = app.config["EVIDENCE_MAX_BYTES"], app.config["MAX_CONTENT_LENGTH"]
    app.config["EVIDENCE_MAX_BYTES"], app.config["MAX_CONTENT_LENGTH"] = 1 * MB, 2 * MB
    yield
    app.config["EVIDENCE_MAX_BYTES"], app.config["MAX_CONTENT_LENGTH"] = saved


def test_a_body_without_content_length_is_cut_off_at_the_limit(officer, work, store_dir, small_limits) -> None:
    parts = MultiDict([("file", FileStorage(io.BytesIO(PDF + b"0" * (3 * MB)), filename="a.pdf"))])
    boundary, body = encode_multipart(parts)
    before = fingerprint()
    # What a server such as gunicorn hands over for Transfer-Encoding: chunked: a stream that ends, no length.
    response = officer.post(
        f"/api/v1/assignments/{work.id}/evidence",
        input_stream=io.BytesIO(body),
        headers={"Content-Type": f'multipart/form-data; boundary="{boundary}"', "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_problem(response, 413)
    assert fingerprint() == before and files_in(store_dir) == []
