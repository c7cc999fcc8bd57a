"""Each user's secret, revocable iCalendar feed of its agency's open deadlines."""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, url_for
from icalendar import Calendar, Event

from coordination import audit
from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.db import utcnow
from coordination.directives.models import Directive, DirectiveStatus, Task
from coordination.extensions import csrf, db
from coordination.reminders.operations import REMINDABLE

bp = Blueprint("calendar", __name__)


def ensure_calendar_token(user: User) -> str:
    """The user's feed token, made on first use."""
    if not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(32)
        db.session.flush()
    return user.calendar_token


def revoke_calendar_token(user: User, *, actor: audit.Actor) -> str:
    """Replace the token: the old URL stops working at once."""
    audit.is_system(actor)  # refuses a missing actor before anything is written
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    audit.record(actor, "calendar.revoke", "user", user.id)
    return user.calendar_token


def calendar_url(user: User) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + url_for("calendar.feed", token=ensure_calendar_token(user))


def build_calendar(user: User) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//coordination//theo doi nhiem vu//VI")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Thời hạn nhiệm vụ — {user.agency.name_vi if user.agency else user.full_name}")
    if user.agency_id is None:
        return calendar.to_ical()
    rows = db.session.scalars(
        sa.select(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(
            Assignment.agency_id == user.agency_id,
            Assignment.status.in_(REMINDABLE),
            Assignment.deadline.is_not(None),
            Directive.status == DirectiveStatus.active,
        )
        .order_by(Assignment.deadline)
        .options(sa.orm.selectinload(Assignment.task).selectinload(Task.directive))
    )
    stamp = utcnow()
    for assignment in rows:
        task = assignment.task
        event = Event()
        event.add("uid", f"assignment-{assignment.id}@coordination")
        event.add("dtstamp", stamp)
        event.add("dtstart", assignment.deadline)
        event.add("dtend", assignment.deadline + timedelta(days=1))
        event.add("summary", f"Hạn: {task.directive.ref} — nhiệm vụ {task.display_label}")
        event.add("description", " ".join(task.text.split()))
        calendar.add_component(event)
    return calendar.to_ical()


@bp.get("/calendar/<token>.ics")
@csrf.exempt
def feed(token: str) -> Response:
    user = db.session.scalar(sa.select(User).where(User.calendar_token == token, User.active.is_(True)))
    if user is None or len(token) < 20:
        abort(404)
    return Response(build_calendar(user), mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})
