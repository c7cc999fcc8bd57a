"""Issue 11, "Texts": letters, notices and e-mails write numbers as the pages do and name sub-items readably."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.notifications import notify_activation
from coordination.reminders.mail import DigestItem, build_digest
from coordination.reminders.policy import Rule
from coordination.reminders.texts import reminder_text
from tests.conftest import get_user

#: a fixed "today": 1.526 days after 2157's campaign deadline (30/09/2022)
TODAY = date(2026, 12, 4)


def _assignment(position: int, agency_code: str = "TN-CA") -> Assignment:
    """The agency's assignment on 2157's task at `position` (2: the heading "Công an tỉnh", 3 and 4 its dashes)."""
    return db.session.scalar(
        sa.select(Assignment)
        .join(Task)
        .join(Directive)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Directive.ref == "2157/UBND-KSTT", Task.position == position, Agency.code == agency_code)
    )


def test_a_letter_writes_days_late_as_the_pages_and_names_the_dash_readably(app) -> None:
    text = reminder_text(_assignment(3), Rule.overdue, TODAY)
    assert "nhiệm vụ 2, ý thứ nhất: “Xây dựng kế hoạch cao điểm" in text
    assert "đã quá hạn 1.526 ngày" in text
    assert "1526" not in text and "2 -" not in text
    second = reminder_text(_assignment(4), Rule.escalation, TODAY, times_reminded=3)
    assert "nhiệm vụ 2, ý thứ hai: “Phối hợp với Sở Tài chính" in second
    assert "quá hạn 1.526 ngày, đã được đôn đốc 3 lần" in second


def test_a_heading_task_is_quoted_with_its_own_words_not_only_its_first_agency(app) -> None:
    """Task 2 of 2157 reads "2. Công an tỉnh" and its dashes: the letter quotes what the heading asks."""
    text = reminder_text(_assignment(2), Rule.before, date(2022, 9, 20))
    assert "thực hiện nhiệm vụ 2: “Công an tỉnh: Xây dựng kế hoạch cao điểm triển khai cấp CCCD" in text
    assert "; Phối hợp với Sở Tài chính tham mưu UBND tỉnh dự trù kinh phí" in text
    assert "(còn 10 ngày)" in text


def test_new_work_notice_lists_every_task_once_in_document_order(app) -> None:
    directive = db.session.scalar(sa.select(Directive).where(Directive.ref == "2157/UBND-KSTT"))
    notes = {note.user.username: note.message for note in notify_activation(directive)}
    # was "8 nhiệm vụ (1, 2, 2 -, 5, 9, 12, 11)": seven labels for eight tasks, in deadline order
    assert notes["monitor.tayninh"] == (
        "Văn bản 2157/UBND-KSTT giao cho đơn vị 8 nhiệm vụ "
        "(1; 2; 2, ý thứ nhất; 2, ý thứ hai; 5; 9; 12; 11), hạn sớm nhất 30/09/2022."
    )


def test_the_digest_writes_numbers_as_the_pages(app) -> None:
    items = [
        DigestItem("2157/UBND-KSTT", "2, ý thứ nhất", "Xây dựng kế hoạch", date(2022, 9, 30), -1526, "Công an tỉnh"),
        DigestItem("2157/UBND-KSTT", "5", "Sở Tư pháp chỉ đạo", date(2030, 1, 1), 1124, "Sở Tư pháp"),
    ]
    with app.test_request_context():
        message = build_digest(get_user("monitor.tayninh"), items, TODAY)
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "nhiệm vụ 2, ý thứ nhất (Công an tỉnh): thời hạn 30/09/2022 — quá hạn 1.526 ngày" in plain
    assert "còn 1.124 ngày" in plain
    assert "Quá hạn 1.526 ngày" in html and "Còn 1.124 ngày" in html
    assert "1526" not in plain + html


def test_the_assignment_page_says_overdue_once(client, login) -> None:
    """ "Quá hạn trễ 1.525 ngày" said late twice: the badge, then the number of days."""
    assignment = _assignment(3)
    login("monitor.tayninh")
    html = client.get(f"/app/assignment/details/?id={assignment.id}").get_data(as_text=True)
    assert 'Quá hạn</span> <span class="days-late">' in html
    assert "trễ" not in html.split('class="days-late"')[1][:40]
