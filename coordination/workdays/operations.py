"""Changes to the calendar's table (days off and make-up working days): the admin's page and the CSV import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination import audit
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.extensions import db
from coordination.formatting import format_date, parse_date
from coordination.permissions import Permission, can
from coordination.text import fold
from coordination.workdays.calendar import invalidate
from coordination.workdays.models import CalendarDay, DayKind

AUDIT_FIELDS = ["day", "kind", "name"]
NAME_MAX = 200

#: the CSV's headers, folded (no diacritics, lower case), in Vietnamese or English
_HEADERS = {
    "day": {"ngay", "date", "day"},
    "kind": {"loai", "kind", "type"},
    "name": {"ten", "ten goi", "ghi chu", "name", "note"},
}
#: the kinds a file may write, folded
_KINDS = {
    DayKind.off: {"off", "nghi", "ngay nghi", "day off", "holiday"},
    DayKind.working: {"working", "lam viec", "ngay lam viec", "lam bu", "di lam bu", "work", "workday"},
}


def _require(actor: audit.Actor) -> None:
    if not audit.is_system(actor) and not can(actor, Permission.calendar_manage):
        raise Forbidden(_("Bạn không có quyền sửa lịch ngày làm việc."))


def _clean(data: dict[str, Any]) -> tuple[date, DayKind, str]:
    errors: dict[str, list[str]] = {}
    day = data.get("day")
    if not isinstance(day, date):
        errors["day"] = [_("Bắt buộc.")]
    try:
        kind = DayKind(data.get("kind"))
    except ValueError:
        errors["kind"] = [_("Giá trị không hợp lệ.")]
    name = (data.get("name") or "").strip()
    if len(name) > NAME_MAX:
        errors["name"] = [_("Tối đa %(n)s ký tự.", n=NAME_MAX)]
    if errors:
        raise Invalid(_("Ngày trong lịch không hợp lệ: %(fields)s.", fields=", ".join(errors)), errors=errors)
    return day, kind, name  # type: ignore[return-value]


def _changed() -> None:
    # The calendar read later in this same transaction (a deadline computed after an import) sees the change.
    db.session.info["calendar_changed"] = True
    invalidate()


def save_calendar_day(row: CalendarDay | None, data: dict[str, Any], *, actor: audit.Actor) -> CalendarDay:
    """Add a day (row None) or change one: a day off or a make-up working day, with its name; audited."""
    _require(actor)
    day, kind, name = _clean(data)
    other = db.session.scalar(sa.select(CalendarDay).where(CalendarDay.day == day))
    if other is not None and other is not row:
        raise Conflict(_("Ngày %(day)s đã có trong lịch.", day=format_date(day)), errors={"day": [_("Đã tồn tại.")]})
    before = audit.snapshot(row, AUDIT_FIELDS) if row is not None else None
    if row is None:
        row = CalendarDay(day=day, kind=kind, name=name)
        db.session.add(row)
    else:
        row.day, row.kind, row.name = day, kind, name
    db.session.flush()
    _changed()
    audit.record(
        actor,
        "calendar_day.create" if before is None else "calendar_day.update",
        "calendar_day",
        row.id,
        before=before,
        after=audit.snapshot(row, AUDIT_FIELDS),
    )
    return row


def delete_calendar_day(row: CalendarDay, *, actor: audit.Actor) -> None:
    """Remove a correction: the library's answer for that day applies again; audited."""
    _require(actor)
    before = audit.snapshot(row, AUDIT_FIELDS)
    row_id = row.id
    db.session.delete(row)
    db.session.flush()
    _changed()
    audit.record(actor, "calendar_day.delete", "calendar_day", row_id, before=before)


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    years: list[int] = field(default_factory=list)


def read_calendar_csv(content: bytes | str) -> list[dict[str, Any]]:
    """Read the days of a calendar file (ngày, loại, tên — or date, kind, name), or Invalid naming each bad cell.

    Dates as dd/mm/yyyy or yyyy-mm-dd; kinds "nghỉ" / "off" and "làm bù" / "làm việc" / "working".
    """
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise Invalid(_("Tệp lịch trống."), errors={"file": [_("Trống.")]})
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        folded = fold(title)
        for key, names in _HEADERS.items():
            if folded in names and key not in columns:
                columns[key] = index
    missing = [key for key in ("day", "kind") if key not in columns]
    if missing:
        raise Invalid(
            _("Tệp lịch thiếu cột: %(columns)s (cần: ngày, loại, tên).", columns=", ".join(missing)),
            errors={"file": [_("Thiếu cột.")]},
        )
    problems: list[str] = []
    days: list[dict[str, Any]] = []
    seen: dict[date, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        values = {key: cells[index].strip() if index < len(cells) else "" for key, index in columns.items()}
        cell = values.get
        try:
            day = parse_date(cell("day"))
        except ValueError:
            problems.append(_("Dòng %(line)s, cột ngày: “%(value)s” không phải ngày.", line=line, value=cell("day")))
            continue
        kind = next((k for k, names in _KINDS.items() if fold(cell("kind")) in names), None)
        if kind is None:
            problems.append(
                _("Dòng %(line)s, cột loại: “%(value)s” (dùng “nghỉ” hoặc “làm bù”).", line=line, value=cell("kind"))
            )
            continue
        if day in seen:
            problems.append(
                _(
                    "Dòng %(line)s: ngày %(day)s đã có ở dòng %(first)s.",
                    line=line,
                    day=format_date(day),
                    first=seen[day],
                )
            )
            continue
        if len(cell("name") or "") > NAME_MAX:
            problems.append(_("Dòng %(line)s, cột tên: tối đa %(n)s ký tự.", line=line, n=NAME_MAX))
            continue
        seen[day] = line
        days.append({"day": day, "kind": kind, "name": (cell("name") or "")})
    if problems:
        raise Invalid(_("Tệp lịch có lỗi: %(problems)s", problems=" ".join(problems)), errors={"file": problems})
    return days


def import_calendar(days: list[dict[str, Any]], *, actor: audit.Actor, replace: bool = False) -> ImportResult:
    """Write a year's announced days: each day added or corrected; with `replace`, the table's other days
    of the same years removed (the file is then the whole truth for those years). Idempotent."""
    _require(actor)
    result = ImportResult(years=sorted({d["day"].year for d in days}))
    existing = {
        row.day: row
        for row in db.session.scalars(
            sa.select(CalendarDay).where(
                sa.or_(*(sa.extract("year", CalendarDay.day) == y for y in result.years))
                if result.years
                else sa.false()
            )
        )
    }
    wanted = {d["day"] for d in days}
    for data in days:
        day, kind, name = _clean(data)
        row = existing.get(day)
        if row is None:
            row = db.session.scalar(sa.select(CalendarDay).where(CalendarDay.day == day))
        if row is not None and row.kind == kind and row.name == name:
            result.unchanged += 1
            continue
        save_calendar_day(row, {"day": day, "kind": kind, "name": name}, actor=actor)
        if row is None:
            result.created += 1
        else:
            result.updated += 1
    if replace:
        for day, row in sorted(existing.items()):
            if day not in wanted:
                delete_calendar_day(row, actor=actor)
                result.deleted += 1
    return result
