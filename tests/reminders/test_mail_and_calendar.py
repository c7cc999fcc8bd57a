"""Digest mail through a real SMTP server started in the test, and the iCalendar feed."""

from __future__ import annotations

import socket
from datetime import date
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from icalendar import Calendar

from coordination.extensions import db
from coordination.reminders.calendar import ensure_calendar_token, revoke_calendar_token
from coordination.reminders.mail import send_digests
from coordination.reminders.models import Notification
from coordination.reminders.operations import run_scheduled
from tests.conftest import get_user


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(app):  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    previous = (app.config["MAIL_SERVER"], app.config["MAIL_PORT"])
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = "127.0.0.1", controller.port
    yield inbox
    app.config["MAIL_SERVER"], app.config["MAIL_PORT"] = previous
    controller.stop()


def test_one_digest_per_user_with_items_sorted_and_vietnamese(app, smtp_server) -> None:
    day = date(2026, 11, 25)
    run_scheduled(day)
    db.session.commit()
    sent, failed = send_digests(day)
    assert failed == 0 and sent == len(smtp_server.messages) > 0
    recipients = [tuple(r) for r, _m in smtp_server.messages]
    assert len(recipients) == len(set(recipients))  # one mail per user
    justice = get_user("justice.tayninh")
    _rcpts, message = next((r, m) for r, m in smtp_server.messages if justice.email in r)
    assert message["Subject"].startswith("[Đôn đốc]") and "25/11/2026" in message["Subject"]
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "2157/UBND-KSTT" in plain and "quá hạn" in plain and "Sở Tư pháp" in plain
    assert "<table" in html and "Quá hạn" in html
    assert "/app/" in plain  # link to the list in the app
    lines = [line for line in plain.splitlines() if line.startswith("- ")]
    deadlines = [line.split("thời hạn ")[1][:10] for line in lines]
    parsed = [date(int(d[6:]), int(d[3:5]), int(d[:2])) for d in deadlines]
    assert parsed == sorted(parsed)
    # nothing left to mail: a second call sends nothing
    assert send_digests(day) == (0, 0)


def test_smtp_failure_keeps_notifications_and_retries(app, smtp_server) -> None:
    day = date(2026, 11, 25)
    run_scheduled(day)
    db.session.commit()
    working_port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = _free_port()  # nobody listens there
    sent, failed = send_digests(day)
    assert sent == 0 and failed > 0
    pending = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(Notification.emailed_at.is_(None)))
    assert pending > 0
    app.config["MAIL_PORT"] = working_port
    sent, failed = send_digests(day)
    assert failed == 0 and sent == len(smtp_server.messages) > 0


def test_calendar_feed_parses_and_revoked_token_is_404(app, client) -> None:
    user = get_user("justice.tayninh")
    token = ensure_calendar_token(user)
    db.session.commit()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    events = [c for c in calendar.walk("VEVENT")]
    assert events, "Sở Tư pháp has open work with deadlines in the demo"
    assert all("2157/UBND-KSTT" in str(e["summary"]) for e in events)
    revoke_calendar_token(user, actor=user)
    db.session.commit()
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
