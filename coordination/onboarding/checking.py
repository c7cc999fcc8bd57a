"""Checking an onboarding file row by row: every problem with its sheet, line, column and value, nothing written."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination.agencies.models import Agency, AgencyKind, AgencyLevel
from coordination.auth.models import Role, User
from coordination.auth.operations import USERNAME_MAX, USERNAME_RE
from coordination.extensions import db
from coordination.onboarding.reading import AGENCIES, REQUIRED, USERS, Sheet, header_key
from coordination.permissions import role_administers, role_needs_agency

CODE_MAX = 40  # agency.code
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
EMAIL_RE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]+$")
#: widths of the columns the values go to
LIMITS = {"name_vi": 255, "name_en": 255, "short_name": 120, "full_name": 200, "email": 255, "aliases": 255}
GROUP_NAME_MAX = 255
#: columns a spreadsheet often carries that hold nothing to import
IGNORED_HEADERS = {header_key(h) for h in ("STT", "TT", "số thứ tự", "no", "ghi chú", "note", "notes")}

#: accepted spellings of each value besides the code itself; the first is the one the template offers
KIND_WORDS: dict[AgencyKind, tuple[str, ...]] = {
    AgencyKind.people_committee: ("Ủy ban nhân dân", "UBND", "Uỷ ban nhân dân"),
    AgencyKind.police: ("Công an", "CA"),
    AgencyKind.department: ("Sở ban ngành", "Sở, ban, ngành, phòng", "Sở", "Ban", "Ngành", "Phòng"),
    AgencyKind.mass_organization: ("Tổ chức chính trị - xã hội", "Đoàn thể", "Mặt trận"),
    AgencyKind.press: ("Báo chí", "Báo chí, phát thanh, truyền hình", "Báo", "Đài"),
    AgencyKind.board: ("Ban quản lý", "BQL"),
    AgencyKind.other: ("Khác",),
}
LEVEL_WORDS: dict[AgencyLevel, tuple[str, ...]] = {
    AgencyLevel.central: ("Trung ương", "Cấp trung ương"),
    AgencyLevel.province: ("Tỉnh", "Cấp tỉnh"),
    AgencyLevel.district: ("Huyện", "Cấp huyện"),
    AgencyLevel.commune: ("Xã", "Cấp xã", "Phường"),
}
ROLE_WORDS: dict[Role, tuple[str, ...]] = {
    Role.admin: ("Quản trị", "Quản trị hệ thống", "Quản trị viên"),
    Role.office: ("Văn phòng", "Văn phòng (ban hành)"),
    Role.monitor: ("Theo dõi", "Theo dõi, đôn đốc"),
    Role.officer: ("Cán bộ", "Cán bộ đơn vị", "Chuyên viên"),
}
YES = {header_key(w) for w in ("x", "có", "co", "yes", "true", "1", "lãnh đạo")}
NO = {header_key(w) for w in ("không", "khong", "no", "false", "0")}


def _lookup(words: dict[Any, tuple[str, ...]]) -> dict[str, Any]:
    found = {}
    for value, spellings in words.items():
        for spelling in (value.value, *spellings):
            found.setdefault(header_key(spelling), value)
    return found


_KINDS, _LEVELS, _ROLES = _lookup(KIND_WORDS), _lookup(LEVEL_WORDS), _lookup(ROLE_WORDS)


def choices(words: dict[Any, tuple[str, ...]]) -> list[str]:
    """The spellings the template's lists offer, in order."""
    return [spellings[0] for spellings in words.values()]


def split_list(text: str) -> list[str]:
    """A cell holding several names, separated by ";" or line breaks (commas occur inside names)."""
    return [part.strip() for part in re.split(r"[;\n]", text or "") if part.strip()]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file, where it is: the sheet, the line, the column as written, the value."""

    sheet: str
    row: int
    column: str
    value: str
    message: str

    def line(self) -> str:
        """ "dòng 12, cột email: 'abc' không phải địa chỉ e-mail"."""
        return _("dòng %(row)s, cột %(column)s: %(message)s", row=self.row, column=self.column, message=self.message)

    def as_json(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass
class AgencyRow:
    number: int
    code: str
    name_vi: str
    name_en: str | None
    short_name: str | None
    kind: AgencyKind | None
    level: AgencyLevel | None
    parent: str | None
    aliases: list[str]
    groups: list[str]


@dataclass
class UserRow:
    number: int
    username: str
    full_name: str
    email: str | None
    agency: str | None
    role: Role
    is_head: bool | None


@dataclass
class Checked:
    """What a file would write, and what is wrong with it; `problems` empty means it may be imported."""

    kinds: list[str]
    agencies: list[AgencyRow] = field(default_factory=list)
    users: list[UserRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Sheet:
    """Problems of one sheet, located by its title and headers."""

    def __init__(self, sheet: Sheet, problems: list[Problem]) -> None:
        self.sheet, self.problems = sheet, problems

    def problem(self, number: int, column: str, value: str, message: str) -> None:
        self.problems.append(Problem(self.sheet.title, number, self.sheet.header(column), value, message))

    def headers(self) -> None:
        header_line = self.sheet.header_line
        for column in REQUIRED[self.sheet.kind]:
            if column not in self.sheet.headers:
                self.problem(header_line, column, "", _("thiếu cột bắt buộc này"))
        for text in self.sheet.unknown_headers:
            if header_key(text) not in IGNORED_HEADERS:
                self.problems.append(
                    Problem(self.sheet.title, header_line, text, text, _("không nhận ra cột này (xem tệp mẫu)"))
                )

    def text(self, row: Any, column: str, *, required: bool = False) -> str:
        value = row.values.get(column, "")
        if required and column in self.sheet.headers and not value:
            self.problem(row.number, column, value, _("bắt buộc, không được để trống"))
        limit = LIMITS.get(column)
        if limit and len(value) > limit:
            self.problem(row.number, column, value, _("dài quá %(max)s ký tự", max=limit))
        return value

    def choice(self, row: Any, column: str, table: dict[str, Any], words: dict[Any, tuple[str, ...]], what: str) -> Any:
        value = row.values.get(column, "")
        if not value:
            return None
        found = table.get(header_key(value))
        if found is None:
            self.problem(
                row.number,
                column,
                value,
                _(
                    "'%(value)s' không phải %(what)s (%(choices)s)",
                    value=value,
                    what=what,
                    choices=", ".join(choices(words)),
                ),
            )
        return found


def _unknown_code(value: str) -> str:
    return _("không có cơ quan mã '%(value)s' trong tệp hay trong hệ thống", value=value)


def _check_agencies(sheet: Sheet, problems: list[Problem]) -> list[AgencyRow]:
    at = _Sheet(sheet, problems)
    at.headers()
    rows: list[AgencyRow] = []
    first_line: dict[str, int] = {}
    for row in sheet.rows:
        code = at.text(row, "code", required=True)
        if code and (len(code) > CODE_MAX or not CODE_RE.match(code)):
            at.problem(
                row.number,
                "code",
                code,
                _(
                    "'%(value)s' không phải mã hợp lệ (chữ cái không dấu, chữ số, . _ -; tối đa %(max)s ký tự)",
                    value=code,
                    max=CODE_MAX,
                ),
            )
        elif code in first_line:
            at.problem(
                row.number, "code", code, _("mã '%(value)s' trùng với dòng %(row)s", value=code, row=first_line[code])
            )
        elif code:
            first_line[code] = row.number
        name = at.text(row, "name_vi", required=True)
        name_en, short_name = at.text(row, "name_en"), at.text(row, "short_name")
        kind = at.choice(row, "kind", _KINDS, KIND_WORDS, _("loại cơ quan"))
        level = at.choice(row, "level", _LEVELS, LEVEL_WORDS, _("cấp"))
        aliases, groups = split_list(row.values.get("aliases", "")), split_list(row.values.get("groups", ""))
        for column, names in (("aliases", aliases), ("groups", groups)):
            for long_name in (n for n in names if len(n) > GROUP_NAME_MAX):
                at.problem(row.number, column, long_name, _("dài quá %(max)s ký tự", max=GROUP_NAME_MAX))
        rows.append(
            AgencyRow(
                row.number,
                code,
                name,
                name_en or None,
                short_name or None,
                kind,
                level,
                row.values.get("parent") or None,
                aliases,
                groups,
            )
        )
    _check_parents(at, rows, first_line)
    return rows


def _check_parents(at: _Sheet, rows: list[AgencyRow], in_file: dict[str, int]) -> None:
    """Each parent is known (in the file or the registry), not the agency itself, and no chain loops."""
    parent_table = sa.orm.aliased(Agency)
    registry = dict(
        db.session.execute(
            sa.select(Agency.code, parent_table.code).outerjoin(parent_table, parent_table.id == Agency.parent_id)
        ).all()
    )
    parent_of = {**registry, **{r.code: r.parent for r in rows if r.code}}
    for row in rows:
        if not row.parent:
            continue
        if row.parent == row.code:
            at.problem(row.number, "parent", row.parent, _("cơ quan không thể là cấp trên của chính nó"))
        elif row.parent not in in_file and row.parent not in registry:
            at.problem(row.number, "parent", row.parent, _unknown_code(row.parent))
        else:
            seen, current = [row.code], row.parent
            while current is not None and current not in seen:
                seen.append(current)
                current = parent_of.get(current)
            if current == row.code:
                chain = " → ".join([*seen, row.code])
                at.problem(row.number, "parent", row.parent, _("cấp trên tạo vòng lặp: %(chain)s", chain=chain))


def _check_users(sheet: Sheet, problems: list[Problem], file_codes: set[str], me: str | None) -> list[UserRow]:
    at = _Sheet(sheet, problems)
    at.headers()
    registry_codes = set(db.session.scalars(sa.select(Agency.code)))
    known_users = {name.lower(): name for name in db.session.scalars(sa.select(User.username))}
    rows: list[UserRow] = []
    first_line: dict[str, int] = {}
    for row in sheet.rows:
        username = at.text(row, "username", required=True)
        if username and (len(username) > USERNAME_MAX or not USERNAME_RE.match(username)):
            at.problem(
                row.number,
                "username",
                username,
                _(
                    "'%(value)s' không phải tên đăng nhập hợp lệ (chữ cái không dấu, chữ số và . _ @ -; "
                    "tối đa %(max)s ký tự)",
                    value=username,
                    max=USERNAME_MAX,
                ),
            )
        elif username.lower() in first_line:
            at.problem(
                row.number,
                "username",
                username,
                _("tên đăng nhập '%(value)s' trùng với dòng %(row)s", value=username, row=first_line[username.lower()]),
            )
        elif username:
            first_line[username.lower()] = row.number
            other = known_users.get(username.lower())
            if other is not None and other != username:
                at.problem(
                    row.number,
                    "username",
                    username,
                    _(
                        "'%(value)s' trùng với tài khoản '%(other)s' đã có (khác chữ hoa, chữ thường)",
                        value=username,
                        other=other,
                    ),
                )
        full_name = at.text(row, "full_name", required=True)
        email = at.text(row, "email")
        if email and not EMAIL_RE.match(email):
            at.problem(row.number, "email", email, _("'%(value)s' không phải địa chỉ e-mail", value=email))
        role_text = at.text(row, "role", required=True)
        role = at.choice(row, "role", _ROLES, ROLE_WORDS, _("vai trò"))
        if me is not None and username == me and role is not None and not role_administers(role):
            # as update_user: an administrator's own file may not lock them out of administration
            at.problem(row.number, "role", role_text, _("bạn không thể tự bỏ quyền quản trị của chính mình"))
        agency = row.values.get("agency") or None
        if agency is not None and agency not in file_codes and agency not in registry_codes:
            at.problem(row.number, "agency", agency, _unknown_code(agency))
        elif agency is None and role is not None and role_needs_agency(role):
            at.problem(row.number, "agency", "", _("vai trò '%(role)s' cần mã cơ quan", role=role_text))
        head_text = row.values.get("is_head", "")
        is_head = None
        if head_text:
            key = header_key(head_text)
            if key in YES or key in NO:
                is_head = key in YES
            else:
                at.problem(
                    row.number, "is_head", head_text, _("'%(value)s' không phải “có” hay “không”", value=head_text)
                )
        rows.append(UserRow(row.number, username, full_name, email or None, agency, role or Role.officer, is_head))
    return rows


def check_sheets(sheets: list[Sheet], *, acting_username: str | None = None) -> Checked:
    """Check every row of every sheet against the file itself and the registry; collect all problems.

    `acting_username`: the administrator importing, who may not take away their own admin role.
    """
    checked = Checked(kinds=[s.kind for s in sheets])
    file_codes: set[str] = set()
    for sheet in (s for s in sheets if s.kind == AGENCIES):
        rows = _check_agencies(sheet, checked.problems)
        checked.agencies.extend(rows)
        file_codes |= {r.code for r in rows if r.code}
    for sheet in (s for s in sheets if s.kind == USERS):
        checked.users.extend(_check_users(sheet, checked.problems, file_codes, acting_username))
    checked.problems.sort(key=lambda p: (checked.kinds.index(_kind_of_title(sheets, p.sheet)), p.row))
    return checked


def _kind_of_title(sheets: list[Sheet], title: str) -> str:
    return next(s.kind for s in sheets if s.title == title)
