"""The calendar link (in /me, on the Lịch page, revocable) and the reminder policy pages."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from coordination.audit import AuditEvent
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.reminders.operations import policy_for
from coordination.reminders.policy import Policy


def _path(url: str) -> str:
    return urlsplit(url).path


def test_calendar_url_in_me_works_and_revoking_makes_it_404(client, login, api) -> None:
    me = api("justice.tayninh").get("/api/v1/me").get_json()
    old = _path(me["calendar_url"])
    assert old.startswith("/calendar/") and old.endswith(".ics")
    feed = client.get(old)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = [c for c in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert events and all("Hạn:" in str(e["SUMMARY"]) for e in events)
    assert api("justice.tayninh").get("/api/v1/me").get_json()["calendar_url"] == me["calendar_url"]  # stable

    login("justice.tayninh")
    page = client.get("/app/calendar/").get_data(as_text=True)
    assert me["calendar_url"] in page
    assert client.post("/app/calendar/revoke").status_code == 302
    assert client.get(old).status_code == 404
    new = api("justice.tayninh").get("/api/v1/me").get_json()["calendar_url"]
    assert new != me["calendar_url"] and client.get(_path(new)).status_code == 200
    assert new in client.get("/app/calendar/").get_data(as_text=True)


def test_revoking_needs_a_post(client, login) -> None:
    """A GET (a reload of the address) leads back to the calendar page and revokes nothing."""
    login("justice.tayninh")
    before = client.get("/app/calendar/").get_data(as_text=True)
    response = client.get("/app/calendar/revoke")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/app/calendar/")
    assert client.get("/app/calendar/").get_data(as_text=True) == before


def _directive(ref: str) -> Directive:
    return db.session.scalar(sa.select(Directive).where(Directive.ref == ref))


POLICY = {"days_before": "5", "remind_on_day": "y", "overdue_every_days": "2", "escalate_after": "4"}


def test_the_office_edits_its_directives_policy(client, login) -> None:
    directive = _directive("2157/UBND-KSTT")
    login("office.tayninh")
    index = client.get("/app/reminders/").get_data(as_text=True)
    assert f"/app/reminders/policy/{directive.id}" in index
    assert client.get(f"/app/reminders/policy/{directive.id}").status_code == 200
    assert client.post(f"/app/reminders/policy/{directive.id}", data=POLICY).status_code == 302
    assert policy_for(directive.id) == Policy(5, True, 2, 4)
    assert policy_for(None) == Policy()  # the default is untouched
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reminder_policy.update"))
    assert event.directive_id == directive.id and event.after["days_before"] == 5
    # unchecked box: no reminder on the day
    client.post(f"/app/reminders/policy/{directive.id}", data={**POLICY, "remind_on_day": ""})
    assert policy_for(directive.id).remind_on_day is False


def test_admin_edits_the_default(client, login) -> None:
    login("admin")
    assert client.post("/app/reminders/policy/", data=POLICY).status_code == 302
    assert policy_for(None) == Policy(5, True, 2, 4)
    assert policy_for(_directive("570/UBND-CA").id) == Policy(5, True, 2, 4)


@pytest.mark.parametrize(
    ("username", "url", "status"),
    [
        ("monitor.tayninh", "/app/reminders/policy/{tn}", 403),
        ("justice.tayninh", "/app/reminders/policy/{tn}", 403),
        ("office.tamdiep", "/app/reminders/policy/{tn}", 404),
        ("office.tayninh", "/app/reminders/policy/", 403),
        ("office.tayninh", "/app/reminders/policy/{td}", 404),
    ],
)
def test_who_may_not_edit(client, login, username, url, status) -> None:
    url = url.format(tn=_directive("2157/UBND-KSTT").id, td=_directive("570/UBND-CA").id)
    login(username)
    assert client.get(url).status_code == status
    assert client.post(url, data=POLICY).status_code == status


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("days_before", "-1"),
        ("days_before", "61"),
        ("overdue_every_days", "0"),
        ("escalate_after", "abc"),
        ("escalate_after", ""),
    ],
)
def test_bad_policy_values_name_the_field(client, login, field, value) -> None:
    directive = _directive("2157/UBND-KSTT")
    login("office.tayninh")
    response = client.post(f"/app/reminders/policy/{directive.id}", data={**POLICY, field: value})
    assert response.status_code == 422
    assert f'data-field="{field}"' in response.get_data(as_text=True)
    assert policy_for(directive.id) == Policy()


def test_everyone_reads_the_policies(client, login) -> None:
    login("justice.tayninh")
    html = client.get("/app/reminders/").get_data(as_text=True)
    assert "Nhắc trước hạn 3 ngày" in html and "/app/reminders/policy/" not in html
