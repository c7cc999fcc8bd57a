"""What an uploaded file really is (by its bytes, never its name), and a clean name for it."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from typing import BinaryIO

import filetype

from coordination.uploads import check_archive

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"

DEFAULT_ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX, ODT, TEXT)
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx", XLSX: ".xlsx", ODT: ".odt", TEXT: ".txt"}

# Markup a browser would render or run, whatever the file claims to be.
_MARKUP = re.compile(rb"^\s*(<\?xml|<!doctype|<html|<svg|<script|<body|<head|<iframe|<!--)", re.IGNORECASE)


def _office_type(file: BinaryIO) -> str | None:
    """DOCX, XLSX or ODT by the archive's entries; UnsafeFile (from check_archive) for a bomb."""
    try:
        with check_archive(file) as archive:
            names = set(archive.namelist())
            small = "mimetype" in names and archive.getinfo("mimetype").file_size < 100
            if small and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    return None


def _is_plain_text(data: bytes) -> bool:
    if b"\x00" in data or _MARKUP.match(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_type(data: bytes, whole: BinaryIO | None = None) -> str | None:
    """Return the MIME type the content proves, or None for anything else (HTML, SVG, executables...).

    `data` is the file's beginning; an archive is judged from `whole` (the whole file, seekable), since a
    zip's directory is at its end. Raises UnsafeFile for an archive that would inflate absurdly.
    """
    if not data:
        return None
    guessed = filetype.guess_mime(data[:8192])
    if guessed in (PDF, PNG, JPEG):
        return guessed
    if guessed in ("application/zip", DOCX, XLSX, ODT, None) and data[:2] == b"PK":
        return _office_type(whole if whole is not None else io.BytesIO(data))
    if guessed is None and _is_plain_text(data):
        return TEXT
    return None


_FORBIDDEN_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"|?*;]')


def clean_filename(name: str | None, content_type: str) -> str:
    """Keep the base name with its Vietnamese letters; drop path parts and characters unsafe anywhere."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _FORBIDDEN_CHARS.sub("", name).strip().strip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"\s+", " ", stem)[:150] or "minh-chung"
    wanted_ext = EXTENSIONS.get(content_type, "")
    # The extension follows the content, so a PDF saved as "x.html" downloads as "x.html.pdf".
    if wanted_ext and f".{ext.lower()}" not in (wanted_ext, ".jpeg" if content_type == JPEG else wanted_ext):
        stem = f"{stem}.{ext}" if ext else stem
        ext = wanted_ext.lstrip(".")
    return f"{stem}.{ext}" if ext else stem
