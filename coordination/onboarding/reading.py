"""Reading an onboarding file (.xlsx or .csv) into sheets of rows keyed by column, headers in Vietnamese or English.

A workbook may hold both kinds, one sheet each ("Cơ quan" and "Người dùng"); a CSV file, or a sheet
with another name, is recognised by its headers. Values are kept as the file writes them (diacritics
included), only trimmed; numbers and dates become the text a spreadsheet shows.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from flask_babel import gettext as _

from coordination.text import fold
from coordination.uploads import UnsafeFile, check_archive

AGENCIES = "agencies"
USERS = "users"
KINDS = (AGENCIES, USERS)

#: the most data rows a sheet may hold (a province has hundreds of agencies and a few thousand users)
MAX_ROWS = 20_000
#: the largest file accepted (a 20,000-row sheet is about 2 MB)
MAX_BYTES = 10 * 1024 * 1024

#: column -> (the template's Vietnamese header, other accepted spellings in Vietnamese and English)
AGENCY_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("Mã cơ quan", ("mã", "mã đơn vị", "code", "agency code")),
    "name_vi": ("Tên cơ quan", ("tên", "tên đơn vị", "tên tiếng việt", "name", "name vi", "vietnamese name")),
    "name_en": ("Tên tiếng Anh", ("name en", "english name")),
    "short_name": ("Tên viết tắt", ("viết tắt", "short name", "abbreviation")),
    "kind": ("Loại", ("loại cơ quan", "kind", "type")),
    "level": ("Cấp", ("cấp hành chính", "level")),
    "parent": ("Mã cơ quan cấp trên", ("cơ quan cấp trên", "cấp trên", "parent", "parent code")),
    "aliases": ("Tên gọi khác", ("tên khác", "aliases", "alias", "other names")),
    "groups": ("Nhóm", ("nhóm cơ quan", "groups", "group")),
}
USER_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "username": ("Tên đăng nhập", ("username", "user name", "login")),
    "full_name": ("Họ và tên", ("họ tên", "full name", "name")),
    "email": ("Thư điện tử", ("email", "e-mail", "địa chỉ email", "địa chỉ thư điện tử", "mail")),
    "agency": ("Mã cơ quan", ("cơ quan", "mã đơn vị", "agency", "agency code")),
    "role": ("Vai trò", ("role",)),
    "is_head": ("Lãnh đạo đơn vị", ("lãnh đạo", "head", "is head", "agency head")),
}
COLUMNS = {AGENCIES: AGENCY_COLUMNS, USERS: USER_COLUMNS}
REQUIRED = {AGENCIES: ("code", "name_vi"), USERS: ("username", "full_name", "role")}
_SHEET_NAMES = {AGENCIES: {"co quan", "agencies", "don vi"}, USERS: {"nguoi dung", "users", "tai khoan", "accounts"}}

_NOISE = re.compile(r"[*_()\[\]:]+")


def header_key(text: str) -> str:
    """A header as compared: no diacritics, case, underscores, stars or brackets ("Mã cơ quan (*)" = "ma co quan")."""
    return " ".join(_NOISE.sub(" ", fold(text)).split())


def _aliases(columns: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, str]:
    found = {}
    for name, (title, others) in columns.items():
        for spelling in (name, title, *others):
            found.setdefault(header_key(spelling), name)
    return found


_ALIASES = {kind: _aliases(columns) for kind, columns in COLUMNS.items()}


class OnboardingFileError(ValueError):
    """The file cannot be read at all (not a spreadsheet, not UTF-8, no sheet we know); the message is translated."""


@dataclass
class Row:
    #: the line in the file as a spreadsheet numbers it (the header is line 1)
    number: int
    values: dict[str, str]


@dataclass
class Sheet:
    kind: str
    #: the sheet's title in the workbook, or the file's name for a CSV
    title: str
    #: column -> the header as the file writes it (problems name the column the way the user wrote it)
    headers: dict[str, str]
    rows: list[Row] = field(default_factory=list)
    #: headers that name no column we know, reported as problems
    unknown_headers: list[str] = field(default_factory=list)
    #: the line of the headers (blank lines above it are skipped)
    header_line: int = 1

    def header(self, column: str) -> str:
        return self.headers.get(column) or COLUMNS[self.kind][column][0]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def _kind_of(title: str, headers: list[str]) -> str | None:
    """Which kind a sheet holds: by its title, else by its headers (a username column means users)."""
    name = header_key(title)
    for kind, names in _SHEET_NAMES.items():
        if name in names:
            return kind
    keys = {header_key(h) for h in headers}
    if keys & {key for key, column in _ALIASES[USERS].items() if column == "username"}:
        return USERS
    if keys & {key for key, column in _ALIASES[AGENCIES].items() if column == "name_vi"}:
        return AGENCIES
    return None


def _sheet(kind: str, title: str, raw_rows: list[tuple[int, list[str]]]) -> Sheet:
    header_number, header_cells = raw_rows[0]
    aliases = _ALIASES[kind]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown = []
    for index, text in enumerate(header_cells):
        if not text:
            continue
        column = aliases.get(header_key(text))
        if column is None or column in positions:
            unknown.append(text)
            continue
        positions[column], headers[column] = index, text
    sheet = Sheet(kind=kind, title=title, headers=headers, unknown_headers=unknown, header_line=header_number)
    for number, cells in raw_rows[1:]:
        values = {column: (cells[i] if i < len(cells) else "") for column, i in positions.items()}
        if any(values.values()):
            sheet.rows.append(Row(number=number, values=values))
    return sheet


def _too_many() -> OnboardingFileError:
    return OnboardingFileError(_("Tệp có quá nhiều dòng (tối đa %(count)s dòng mỗi trang).", count=MAX_ROWS))


def _read_xlsx(content: bytes) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        check_archive(io.BytesIO(content)).close()
        # read-only: rows are streamed from the sheet's XML instead of building every cell object first
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (UnsafeFile, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise OnboardingFileError(_("Không đọc được tệp Excel (.xlsx): tệp hỏng hoặc không phải .xlsx.")) from error
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            rows: list[tuple[int, list[str]]] = []
            for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):
                texts = [_cell_text(c) for c in cells]
                if not rows and not any(texts):
                    continue  # blank lines above the header
                rows.append((number, texts))
                if len(rows) > MAX_ROWS + 1:
                    raise _too_many()
            sheets.append((worksheet.title, rows))
    finally:
        workbook.close()
    return sheets


def _read_csv(content: bytes, title: str) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    try:
        text = content.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM; other tools do not
    except UnicodeDecodeError as error:
        raise OnboardingFileError(_("Tệp CSV phải được lưu với bảng mã UTF-8 (Excel: “CSV UTF-8”).")) from error
    first_line = text.split("\n", 1)[0]
    # Excel writes ";" where the decimal separator is a comma (Vietnamese settings), "," elsewhere
    delimiter = max((",", ";", "\t"), key=first_line.count)
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            texts = [c.strip() for c in cells]
            if not rows and not any(texts):
                continue
            rows.append((number, texts))
            if len(rows) > MAX_ROWS + 1:
                raise _too_many()
    except csv.Error as error:
        raise OnboardingFileError(_("Không đọc được tệp CSV: %(reason)s.", reason=str(error))) from error
    return [(title, rows)]


def read_file(filename: str, content: bytes, *, only: str | None = None) -> list[Sheet]:
    """The sheets of an onboarding file; `only` keeps one kind. Raise OnboardingFileError when none can be read."""
    if len(content) > MAX_BYTES:
        raise OnboardingFileError(_("Tệp quá lớn (tối đa %(mb)s MB).", mb=MAX_BYTES // (1024 * 1024)))
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xlsx" or content[:2] == b"PK":
        raw = _read_xlsx(content)
    elif suffix in (".csv", ".txt", ""):
        raw = _read_csv(content, PurePath(filename or "").name or "CSV")
    else:
        raise OnboardingFileError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    sheets = []
    for title, rows in raw:
        if not rows:
            continue
        kind = _kind_of(title, rows[0][1])
        if kind is None and only is not None and len(raw) == 1:
            kind = only  # a lone sheet given to `agencies import`: its missing columns are reported
        if kind is None or (only is not None and kind != only):
            continue
        sheets.append(_sheet(kind, title, rows))
    if not sheets:
        if only == AGENCIES:
            raise OnboardingFileError(_("Tệp không có trang danh sách cơ quan (trang “Cơ quan”)."))
        if only == USERS:
            raise OnboardingFileError(_("Tệp không có trang danh sách người dùng (trang “Người dùng”)."))
        raise OnboardingFileError(_("Tệp không có trang “Cơ quan” hay “Người dùng”, và không nhận ra tiêu đề cột nào."))
    return sheets
