"""Helpers for the workflow pages' tests: the office's directive form as a browser posts it, history."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape
from typing import Any

import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.audit import AuditEvent
from coordination.db import today
from coordination.directives.models import Directive, Task
from coordination.extensions import db

DISTRICTS = "Ủy ban nhân dân các huyện, thị xã, thành phố"
DEPARTMENTS = "Các sở, ban, ngành tỉnh"
REF = "318/UBND-KT"


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def directive_form(**overrides: Any) -> dict[str, Any]:
    """The directive form as a browser posts it: two tasks, the first with two sub-items, the second for a group."""
    deadline = today() + timedelta(days=30)
    data: dict[str, Any] = {
        "number": "318",
        "symbol": "UBND-KT",
        "doc_type": "cong_van",
        "issued_on": vn(today()),
        "place": "Tây Ninh",
        "subject": "kiểm tra việc cấp CCCD lưu động tại các xã biên giới",
        "legal_basis": "Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ\n\nKế hoạch số 12/KH-UBND",
        "addressee_groups": [DISTRICTS],
        "addressee_agencies": ["TN-STP", "TN-CA"],
        "monitor_agency": "TN-CA",
        "report_to_agency": "TN-VPUBND",
        "deadline": "",
        "signer_authority": "KT. Chủ tịch",
        "signer_title": "Phó Chủ tịch",
        "signer_name": "Võ Đức Trọng",
        "tasks-0-level": "0",
        "tasks-0-label": "1",
        "tasks-0-text": "Sở Tư pháp rà soát giấy khai sinh thiếu ngày, tháng sinh.",
        "tasks-0-lead": ["TN-STP"],
        "tasks-0-coordinate": ["TN-CA"],
        "tasks-0-deadline": vn(deadline),
        "tasks-0-recurrence": "none",
        "tasks-1-level": "1",
        "tasks-1-label": "a)",
        "tasks-1-text": "Lập danh sách các trường hợp.",
        "tasks-2-level": "1",
        "tasks-2-label": "b)",
        "tasks-2-text": "Báo cáo số trường hợp đã cấp lại.",
        "tasks-2-deadline": vn(deadline),
        # an index skipped, as after a row removed in the browser
        "tasks-4-level": "0",
        "tasks-4-label": "2",
        "tasks-4-text": "UBND các huyện bố trí điểm cấp lưu động.",
        "tasks-4-group": DISTRICTS,
        "tasks-4-group_role": "lead",
        "tasks-4-recurrence": "monthly",
        "tasks-4-recurrence_day": "25",
        "tasks-4-deadline": vn(today() + timedelta(days=95)),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def get_directive(ref: str = REF) -> Directive | None:
    return db.session.scalar(sa.select(Directive).where(Directive.ref == ref))


def own_assignment(directive: Directive, label: str, code: str) -> Assignment:
    assignment = db.session.scalar(
        sa.select(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Task.directive_id == directive.id, Task.label == label, Agency.code == code)
        .order_by(Assignment.period_index)
    )
    assert assignment is not None, (label, code)
    return assignment


def events(**where: Any) -> list[str]:
    query = sa.select(AuditEvent.action).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return list(db.session.scalars(query))


def event_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def text(html: str) -> str:
    """The page's text, tags dropped and spaces squeezed, to look for what a reader sees."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def section(html: str, element_id: str) -> str:
    """The text of the element with this id (up to the next section)."""
    start = html.index(f'id="{element_id}"')
    end = html.find("<section", start + 1)
    return text(html[start : end if end != -1 else len(html)])


def fresh(obj: Any) -> Any:
    """The object as the database has it now (after a request committed or rolled back)."""
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)
