"""The text of an uploaded directive: .txt in any of the usual encodings, .docx, or a PDF with a text layer."""

from __future__ import annotations

import io
import unicodedata
import zipfile

from flask_babel import gettext as _

from coordination.uploads import UnsafeFile, check_archive

#: a page with fewer letters than this has no text layer worth reading (a scan)
_MIN_LETTERS = 40


class ImportTextError(ValueError):
    """The file's text cannot be read; the message says why, in the user's language."""


def extract_text(filename: str, data: bytes) -> str:
    """Return the text of `data`, chosen by the file's extension and checked against its content."""
    name = (filename or "").lower()
    if name.endswith(".docx") or (data[:2] == b"PK" and not name.endswith((".txt", ".pdf"))):
        text = _docx_text(data)
    elif name.endswith(".pdf") or data[:5] == b"%PDF-":
        text = _pdf_text(data)
    elif name.endswith((".txt", ".text", ".md")) or not name or "." not in name:
        text = _plain_text(data)
    else:
        raise ImportTextError(_("Không đọc được tệp này: chỉ nhận văn bản .txt, .docx hoặc .pdf có lớp chữ."))
    # one spelling of each letter (Windows encodings and some PDFs give a base letter plus combining marks)
    return unicodedata.normalize("NFC", text)


def _plain_text(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:200] and len(data) > 1:
        # UTF-16 without a byte-order mark: every other byte of Latin text is zero
        try:
            return data.decode("utf-16-le" if data[1:2] == b"\x00" else "utf-16-be")
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows Vietnamese; cp1258 decodes nearly any byte, so check the result looks like text
        text = data.decode("cp1258", errors="replace")
    if _garbled(text):
        raise ImportTextError(_("Tệp không phải là văn bản đọc được (có thể là tệp nhị phân hoặc bị hỏng)."))
    return text


def _garbled(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for c in text if c == "\ufffd" or (ord(c) < 32 and c not in "\n\r\t\f"))
    return bad > max(8, len(text) // 50)


def _docx_text(data: bytes) -> str:
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        check_archive(io.BytesIO(data)).close()  # before python-docx inflates anything
    except UnsafeFile as unsafe:
        raise ImportTextError(_("Tệp .docx này giải nén ra quá lớn hoặc quá nhiều phần: không mở.")) from unsafe
    except zipfile.BadZipFile:
        pass  # python-docx says so below, in its words
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ImportTextError(_("Không mở được tệp .docx: tệp bị hỏng hoặc không phải tài liệu Word.")) from error
    body = document.element.body
    lines: list[str] = []
    # paragraphs and tables in the order they stand in the document
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(node.text or "" for node in child.iter() if node.tag.endswith("}t")))
        elif tag == "tbl":
            for row in child.iter():
                if not row.tag.endswith("}tr"):
                    continue
                for cell in row.iterchildren():
                    if not cell.tag.endswith("}tc"):
                        continue
                    for paragraph in cell.iterchildren():
                        if paragraph.tag.endswith("}p"):
                            lines.append("".join(n.text or "" for n in paragraph.iter() if n.tag.endswith("}t")))
                    lines.append("")
    return "\n".join(lines)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise ImportTextError(_("Không mở được tệp PDF: tệp bị hỏng hoặc được bảo vệ.")) from error
    text = "\n\n".join(pages)
    if sum(1 for c in text if c.isalpha()) < _MIN_LETTERS:
        raise ImportTextError(
            _("Tệp PDF này không có lớp chữ (bản quét): cần nhận dạng chữ (OCR) trước khi nhập, hoặc dán văn bản.")
        )
    return text
