"""The monitor and the issuer's office are told, once, when an agency reports work done, asks for time, explains."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coordination.assignments.operations import report_progress
from coordination.assignments.states import Action
from coordination.auth.models import User
from coordination.extensions import db
from coordination.notifications import notify_explanation_answer, notify_extension_request, notify_reported_done
from coordination.reminders.mail import send_digests
from coordination.reminders.models import Notification
from tests.conftest import get_user
from tests.queue.helpers import answered_explanation, ask_for_time
from tests.reminders.test_mail_and_calendar import smtp_server  # noqa: F401 - the in-process SMTP server fixture
from tests.support.monitoring import overdue_of

#: who is told of Tây Ninh's agencies (2157/UBND-KSTT: issued by UBND tỉnh, monitored by Công an tỉnh)
DECIDERS = ["monitor.tayninh", "office.tayninh"]


def _told(kind: str) -> list[str]:
    """Usernames holding a notice of this kind, once per notice (a duplicate would show twice)."""
    return list(
        db.session.scalars(
            sa.select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.kind == kind)
            .order_by(User.username)
        )
    )


def test_an_extension_request_reaches_the_monitor_and_the_office_once(app) -> None:
    assert _told("extension_request") == []
    request = ask_for_time()
    assert _told("extension_request") == DECIDERS
    message = db.session.scalar(
        sa.select(Notification.message).where(
            Notification.kind == "extension_request", Notification.user_id == get_user("monitor.tayninh").id
        )
    )
    assert message.startswith("Sở Tư pháp tỉnh Tây Ninh đề nghị gia hạn nhiệm vụ")
    assert "2157/UBND-KSTT" in message and "Thiếu nhân lực." in message
    # the same event again (a retried request): nothing more
    assert notify_extension_request(request) == 0
    db.session.commit()
    assert _told("extension_request") == DECIDERS


def test_reported_done_is_told_once_per_report(app) -> None:
    work = overdue_of("TN-STP")
    before = len(_told("reported_done"))
    update = report_progress(work, actor=get_user("justice.tayninh"), action=Action.report_done, note="Đã xong.")
    told = _told("reported_done")
    assert len(told) == before + 2 and {"monitor.tayninh", "office.tayninh"} <= set(told)
    assert notify_reported_done(update) == 0
    assert len(_told("reported_done")) == before + 2


def test_an_explanation_answer_reaches_the_deciders_once(app) -> None:
    explanation = answered_explanation()
    assert _told("explanation_answer") == DECIDERS
    assert notify_explanation_answer(explanation.id, explanation.assignment) == 0
    # another city's monitor and the agency's other officers are not told
    assert "monitor.tamdiep" not in _told("explanation_answer")


def test_the_unique_constraint_refuses_a_duplicate_written_directly(app) -> None:
    """The database itself keeps one notice per user and event, whatever code writes it."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    monitor = get_user("monitor.tayninh")
    db.session.add(Notification(user=monitor, kind="extension_request", message="a", dedupe_key="extension_request:0"))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Notification(user=monitor, kind="extension_request", message="b", dedupe_key="extension_request:0")
        )
        db.session.flush()


def test_the_digest_carries_the_decisions_and_is_not_sent_twice(app, smtp_server) -> None:  # noqa: F811
    day = date(2026, 12, 4)
    send_digests(day)  # what the demo left to mail goes out first
    smtp_server.messages.clear()
    ask_for_time()
    db.session.commit()
    sent, failed = send_digests(day)
    assert (sent, failed) == (2, 0)
    monitor = get_user("monitor.tayninh")
    _rcpts, message = next((r, m) for r, m in smtp_server.messages if monitor.email in r)
    assert message["Subject"] == "[Chờ xử lý] 1 việc chờ quyết định — ngày 04/12/2026"
    plain = message.get_body(("plain",)).get_content()
    assert "Sở Tư pháp tỉnh Tây Ninh đề nghị gia hạn nhiệm vụ" in plain and "/app/queue/" in plain
    html = message.get_body(("html",)).get_content()
    assert "Chờ xử lý" in html and "đề nghị gia hạn" in html
    assert send_digests(day) == (0, 0)
    assert len(smtp_server.messages) == 2
