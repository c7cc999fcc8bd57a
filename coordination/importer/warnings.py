"""The parser's warnings in the reader's language.

The parser writes its warnings as stable English phrases (the shape of the expected readings and of the
API's JSON); the review screen shows them translated, Vietnamese first.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"no tasks found: this does not look like a directive"), "no_tasks"),
    (re.compile(r"task (?P<label>.+) has no text"), "no_text"),
    (re.compile(r"date (?P<date>\S+) does not exist"), "bad_date"),
    (re.compile(r"task (?P<label>.+) is missing from the numbering"), "missing"),
    (re.compile(r"task (?P<before>.+) comes before task (?P<after>.+)"), "order"),
    (re.compile(r"task (?P<label>.+) is numbered twice"), "twice"),
]


def describe_warning(warning: str) -> str:
    """Translate one parser warning; an unknown one is shown as it is."""
    for pattern, kind in _PATTERNS:
        match = pattern.fullmatch(warning)
        if match is None:
            continue
        values = match.groupdict()
        if kind == "no_tasks":
            return _("Không tìm thấy nhiệm vụ nào: nội dung này có vẻ không phải văn bản chỉ đạo.")
        if kind == "no_text":
            return _("Nhiệm vụ %(label)s không có nội dung.", **values)
        if kind == "bad_date":
            return _("Ngày %(date)s không có thật.", **values)
        if kind == "missing":
            return _("Thiếu nhiệm vụ %(label)s trong đánh số.", **values)
        if kind == "order":
            return _("Nhiệm vụ %(before)s đứng trước nhiệm vụ %(after)s.", **values)
        return _("Nhiệm vụ %(label)s được đánh số hai lần.", **values)
    return warning
