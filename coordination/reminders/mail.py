"""One e-mail digest per user per day of the scheduled reminders; a failed send is retried next run."""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from functools import partial

import sqlalchemy as sa
from flask import current_app, render_template

from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.db import utcnow
from coordination.directives.models import Task
from coordination.extensions import db
from coordination.formatting import format_date, format_number, task_label_text
from coordination.mail import smtp_connection
from coordination.reminders.models import Notification

DIGEST_KINDS = ("reminder", "escalation")
#: issue 11: what an agency asks the monitor and the office to decide; mailed in the same digest
DECISION_KINDS = ("reported_done", "extension_request", "explanation_answer")


@dataclass(frozen=True)
class DecisionItem:
    """A notice of something waiting for the reader's decision, as the digest lists it."""

    kind: str
    message: str


@dataclass(frozen=True)
class DigestItem:
    ref: str
    label: str
    text: str
    deadline: date | None
    days_left: int | None
    agency: str
    #: the task's place in its directive: items of one day and directive follow the document
    position: int = 0


def _items(notifications: list[sa.Row], day: date) -> list[DigestItem]:
    ids = sorted({n.assignment_id for n in notifications if n.assignment_id})
    # the directive and agency with the task: lazy loads would cost a query per directive and agency per user
    task = sa.orm.selectinload(Assignment.task)
    assignments = {
        a.id: a
        for a in db.session.scalars(
            sa.select(Assignment)
            .where(Assignment.id.in_(ids))
            .options(
                sa.orm.selectinload(Assignment.agency),
                task.selectinload(Task.directive),
                task.selectinload(Task.parent),
            )
        )
    }
    items = []
    for assignment in assignments.values():
        task = assignment.task
        items.append(
            DigestItem(
                ref=task.directive.ref,
                label=task_label_text(task, "vi"),
                text=" ".join(task.text.split())[:160],
                deadline=assignment.deadline,
                days_left=(assignment.deadline - day).days if assignment.deadline else None,
                agency=assignment.agency.name_vi,
                position=task.position,
            )
        )
    return sorted(items, key=lambda i: (i.deadline or date.max, i.ref, i.position))


def build_digest(
    user: User, items: list[DigestItem], day: date, decisions: list[DecisionItem] | None = None
) -> EmailMessage:
    base = current_app.config["BASE_URL"].rstrip("/")
    link = f"{base}/app/assignment/"
    decisions = decisions or []
    message = EmailMessage()
    if items:
        message["Subject"] = f"[Đôn đốc] {format_number(len(items))} nhiệm vụ cần thực hiện — ngày {format_date(day)}"
    else:
        waiting = format_number(len(decisions))
        message["Subject"] = f"[Chờ xử lý] {waiting} việc chờ quyết định — ngày {format_date(day)}"
    message["From"] = current_app.config["MAIL_SENDER"]
    # A name is one line: a CR or LF in a header would refuse the message (or, unchecked, inject a header).
    message["To"] = formataddr((" ".join(user.full_name.split()), user.email or ""))
    message["Message-ID"] = make_msgid(domain="coordination")
    context = {
        "user": user,
        "items": items,
        "day": day,
        "link": link,
        "format_date": format_date,
        # the letter is Vietnamese: "1.526 ngày" as on the pages
        "format_number": partial(format_number, locale="vi"),
        "decisions": decisions,
        "queue_link": f"{base}/app/queue/",
    }
    message.set_content(render_template("reminders/digest.txt", **context))
    message.add_alternative(render_template("reminders/digest.html", **context), subtype="html")
    return message


def awaiting_mail() -> sa.ColumnElement[bool]:
    """Notifications (joined to their User) that the next digest mails; /metrics counts them as the e-mail queue."""
    return sa.and_(
        Notification.kind.in_(DIGEST_KINDS + DECISION_KINDS),
        Notification.emailed_at.is_(None),
        User.email.is_not(None),
        User.active.is_(True),
    )


def send_digests(day: date) -> tuple[int, int]:
    """Mail each user the reminders not yet mailed; returns (sent, failed). Commits after each mail.

    The in-app notifications are already committed: a mail failure loses nothing, the next run retries.
    """
    # Plain columns, not Notification objects: each commit below would expire every loaded object, and
    # reading one afterwards cost a query per notification (issue 14: some 150,000 at province scale).
    pending = db.session.execute(
        sa.select(
            Notification.id,
            Notification.user_id,
            Notification.kind,
            # only a decision's notice is quoted; a reminder's letter (~1 kB, 100,000s of them) is not read here
            sa.case((Notification.kind.in_(DECISION_KINDS), Notification.message), else_=None).label("message"),
            Notification.assignment_id,
        )
        .join(User, User.id == Notification.user_id)
        .where(awaiting_mail())
        .order_by(Notification.user_id, Notification.id)
    ).all()
    by_user: dict[int, list[sa.Row]] = {}
    for notification in pending:
        by_user.setdefault(notification.user_id, []).append(notification)
    sent = failed = 0
    connection: smtplib.SMTP | None = None
    try:
        for user_id, notifications in by_user.items():
            user = db.session.get(User, user_id)
            reminders = [n for n in notifications if n.kind in DIGEST_KINDS]
            decisions = [DecisionItem(n.kind, n.message) for n in notifications if n.kind in DECISION_KINDS]
            message = build_digest(user, _items(reminders, day), day, decisions)
            try:
                connection = connection or smtp_connection()
                connection.send_message(message)
            except (OSError, smtplib.SMTPException) as error:
                current_app.logger.warning("digest to %s not sent, retried next run: %s", user.username, error)
                failed += 1
                connection = None
                continue
            now = utcnow()
            ids = [n.id for n in notifications]
            for start in range(0, len(ids), 10000):
                db.session.execute(
                    sa.update(Notification.__table__)
                    .where(Notification.__table__.c.id.in_(ids[start : start + 10000]))
                    .values(emailed_at=now)
                )
            db.session.commit()
            sent += 1
    finally:
        if connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                connection.quit()
    return sent, failed
