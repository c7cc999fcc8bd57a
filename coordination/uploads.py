"""Checks on untrusted files made before anything unpacks or decodes them: zip bombs and absurd images.

An Office file (DOCX, XLSX, ODT) is a zip: its central directory lists every entry with its sizes, and
Python's zipfile never inflates an entry past the size declared there, so judging the declared sizes is
enough for every reader here (python-docx, openpyxl and our own type check all go through zipfile).
"""

from __future__ import annotations

import struct
import zipfile
from typing import BinaryIO

#: more entries than any real document has (a DOCX has ~20, a large XLSX a few hundred)
ARCHIVE_MAX_ENTRIES = 2000
#: the most that all the entries of one archive may inflate to
ARCHIVE_MAX_UNCOMPRESSED = 256 * 1024 * 1024
#: an entry that inflates past this size must not grow more than ARCHIVE_MAX_RATIO times
ARCHIVE_RATIO_FLOOR = 1024 * 1024
#: XML compresses 10-30x, a sheet of empty cells ~100x; bombs reach thousands
ARCHIVE_MAX_RATIO = 200


class UnsafeFile(ValueError):
    """The file would cost too much to open; `reason` says why (for the log, not the user)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_archive(
    file: BinaryIO, *, max_entries: int = ARCHIVE_MAX_ENTRIES, max_uncompressed: int = ARCHIVE_MAX_UNCOMPRESSED
) -> zipfile.ZipFile:
    """Open the zip in `file` after checking its directory; raise UnsafeFile or zipfile.BadZipFile."""
    archive = zipfile.ZipFile(file)
    entries = archive.infolist()
    if len(entries) > max_entries:
        archive.close()
        raise UnsafeFile(f"{len(entries)} entries (at most {max_entries})")
    total = 0
    for entry in entries:
        total += entry.file_size
        if total > max_uncompressed:
            archive.close()
            raise UnsafeFile(f"inflates to more than {max_uncompressed} bytes")
        if entry.file_size > ARCHIVE_RATIO_FLOOR and entry.file_size > ARCHIVE_MAX_RATIO * max(entry.compress_size, 1):
            archive.close()
            raise UnsafeFile(f"{entry.filename!r} inflates {entry.file_size // max(entry.compress_size, 1)} times")
    return archive


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG's or JPEG's header, or None if the header does not say within `data`."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        if marker == 0xDA:  # start of scan: no frame header before it
            return None
        i += 2 + length
    return None


def check_image(data: bytes, *, max_pixels: int) -> None:
    """Raise UnsafeFile for an image whose header claims more than `max_pixels` (or a zero side)."""
    size = image_size(data)
    if size is None:
        return
    width, height = size
    if width == 0 or height == 0 or width * height > max_pixels:
        raise UnsafeFile(f"{width}x{height} pixels (at most {max_pixels})")
