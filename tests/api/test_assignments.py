"""GET /api/v1/assignments (each filter against an independent count) and /api/v1/assignments/{id} (ETag)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from coordination.assignments.models import Assignment
from coordination.assignments.operations import report_progress
from coordination.assignments.states import CLOSED_STATUSES, Action, Status, Timeliness
from coordination.db import today
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.permissions import Permission, can
from tests.conftest import SETUP, get_user
from tests.factories import TAM_DIEP, make_assignment
from tests.support.api import assert_problem


def _directive_id(ref: str) -> int:
    return db.session.scalar(sa.select(Directive.id).where(Directive.ref == ref))


@pytest.fixture
def variety(app) -> dict[str, Assignment]:
    """Beside the demo (all overdue or done): new work due soon, on time, without deadline, and cancelled."""
    soon = app.config["DUE_SOON_DAYS"]
    made = {
        "due_soon": make_assignment("TN-STP", officer="justice.tayninh", deadline_in_days=soon),
        "on_time": make_assignment("TN-SGDDT", deadline_in_days=60),
        "no_deadline": make_assignment("TD-PBACSON", officer="bacson.tamdiep", deadline_in_days=None, **TAM_DIEP),
        "cancelled": make_assignment("TN-SNV", deadline_in_days=5),
    }
    report_progress(made["cancelled"], actor=SETUP, action=Action.cancel, note="Không còn phù hợp")
    db.session.commit()
    return made


def _expected(app, username: str, params: dict[str, Any]) -> set[int]:
    """The assignments `username` may see that match `params`, decided row by row in Python."""
    user = get_user(username)
    day, soon = today(), app.config["DUE_SOON_DAYS"]
    result = set()
    for a in db.session.scalars(sa.select(Assignment)):
        if not can(user, Permission.assignment_view, a):
            continue
        timeliness = a.timeliness_on(day, soon)
        checks = {
            "agency": lambda v, a=a: a.agency.code == v,
            "directive": lambda v, a=a: a.task.directive_id == int(v),
            "status": lambda v, a=a: a.status.value == v,
            "open": lambda v, a=a: (a.status not in CLOSED_STATUSES) == (v == "true"),
            "timeliness": lambda v, t=timeliness: t is not None and t.value == v,
            "due_before": lambda v, a=a: a.deadline is not None and a.deadline <= date.fromisoformat(v),
            "due_after": lambda v, a=a: a.deadline is not None and a.deadline >= date.fromisoformat(v),
        }
        if all(checks[k](v) for k, v in params.items()):
            result.add(a.id)
    return result


FILTERS: list[dict[str, Any]] = [
    {},
    {"agency": "TN-STP"},
    {"agency": "TD-CA"},
    {"agency": "TN-SGDDT"},
    {"directive": "2157/UBND-KSTT"},
    {"directive": "570/UBND-CA"},
    *({"status": s.value} for s in Status),
    {"open": "true"},
    {"open": "false"},
    *({"timeliness": t.value} for t in Timeliness),
    {"due_before": "2022-09-30"},
    {"due_after": "2022-09-30"},
    {"due_after": "2021-05-01", "due_before": "2021-05-31"},
    {"agency": "TN-STP", "open": "true"},
    {"directive": "2157/UBND-KSTT", "timeliness": "overdue", "status": "not_started"},
    {"agency": "TN-STP", "directive": "570/UBND-CA"},
]


@pytest.mark.parametrize("username", ["admin", "justice.tayninh", "monitor.tamdiep"])
@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_each_filter_returns_the_right_rows(app, api, variety, username, params):
    client = api(username)
    params = dict(params)
    if "directive" in params:
        directive_id = _directive_id(params["directive"])
        if not can(get_user(username), Permission.directive_view, db.session.get(Directive, directive_id)):
            assert_problem(client.get(f"/api/v1/assignments?directive={directive_id}"), 422, field="directive")
            return
        params["directive"] = str(directive_id)
    found = [a["id"] for a in client.items("/api/v1/assignments", **params)]
    assert len(found) == len(set(found))
    assert set(found) == _expected(app, username, params)


def test_the_variety_covers_every_timeliness(app, api, variety):
    seen = {a["timeliness"] for a in api("admin").items("/api/v1/assignments")}
    assert seen == {t.value for t in Timeliness} | {None}


def test_list_values_agree_with_the_python_rule(app, api, variety):
    day, soon = today(), app.config["DUE_SOON_DAYS"]
    for item in api("admin").items("/api/v1/assignments"):
        assignment = db.session.get(Assignment, item["id"])
        expected = assignment.timeliness_on(day, soon)
        assert item["timeliness"] == (expected.value if expected else None)
        assert item["status"] == assignment.status.value
        assert item["agency"]["code"] == assignment.agency.code
        assert item["directive"] == {"id": assignment.task.directive.id, "ref": assignment.task.directive.ref}
        assert item["task"] == {"id": assignment.task.id, "label": assignment.task.label}
        assert item["deadline"] == (assignment.deadline.isoformat() if assignment.deadline else None)
        assert item["version"] == assignment.version


def test_the_cancelled_work_has_no_timeliness(api, variety):
    item = api("admin").get(f"/api/v1/assignments/{variety['cancelled'].id}").get_json()
    assert item["status"] == "cancelled"
    assert item["timeliness"] is None
    assert api("admin").get(f"/api/v1/assignments/{variety['due_soon'].id}").get_json()["timeliness"] == "due_soon"


def _task5_lead() -> Assignment:
    directive = db.session.scalar(sa.select(Directive).where(Directive.ref == "2157/UBND-KSTT"))
    (task5,) = [t for t in directive.tasks if t.label == "5"]
    (lead,) = [a for a in task5.assignments if a.agency.code == "TN-STP"]
    return lead


def test_the_assignment_page(api):
    lead = _task5_lead()
    response = api("justice.tayninh").get(f"/api/v1/assignments/{lead.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == lead.id
    assert body["directive"] == {
        "id": lead.task.directive_id,
        "ref": "2157/UBND-KSTT",
        "subject": lead.task.directive.subject,
    }
    assert body["task"] == {"id": lead.task.id, "label": "5", "text": lead.task.text}
    assert body["agency"]["code"] == "TN-STP"
    assert body["role"] == "lead"
    assert body["status"] == lead.status.value
    assert body["timeliness"] == (lead.timeliness.value if lead.timeliness else None)
    for name in ("deadline", "reported_done_on", "completed_on"):
        value = getattr(lead, name)
        assert body[name] == (value.isoformat() if value else None)
    assert body["progress_percent"] == lead.progress_percent
    assert body["version"] == lead.version


def test_the_etag_is_the_version_and_changes_with_it(api):
    lead = _task5_lead()
    client = api("justice.tayninh")
    url = f"/api/v1/assignments/{lead.id}"
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag == lead.etag == f'"{lead.id}-{lead.version}"'

    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.headers["ETag"] == etag
    assert not_modified.get_data() == b""

    report_progress(lead, actor=get_user("justice.tayninh"), note="Đã triển khai", progress_percent=40)
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert changed.get_json()["version"] == lead.version
    assert changed.headers["ETag"] == f'"{lead.id}-{lead.version}"'


@pytest.mark.parametrize(
    ("header", "status"),
    [("*", 304), ('W/"{etag}"', 304), ('"other", "{etag}"', 304), ('"{etag}x"', 200), ('"0-0"', 200)],
)
def test_if_none_match_forms(api, header, status):
    lead = _task5_lead()
    header = header.format(etag=lead.etag.strip('"'))
    response = api("justice.tayninh").get(f"/api/v1/assignments/{lead.id}", headers={"If-None-Match": header})
    assert response.status_code == status


def test_another_agencys_assignment_of_a_directive_i_see_is_visible(api):
    # Officers read the whole directive they are addressed by, so its other assignments too.
    directive = db.session.scalar(sa.select(Directive).where(Directive.ref == "2157/UBND-KSTT"))
    other = next(a for t in directive.tasks for a in t.assignments if a.agency.code != "TN-STP")
    assert api("justice.tayninh").get(f"/api/v1/assignments/{other.id}").status_code == 200


def test_an_assignment_of_an_unseen_directive_is_404(api):
    lead = _task5_lead()
    body = assert_problem(api("bacson.tamdiep").get(f"/api/v1/assignments/{lead.id}"), 404, field="id")
    assert "ETag" not in api("bacson.tamdiep").get(f"/api/v1/assignments/{lead.id}").headers
    assert body["detail"] == f"Không tìm thấy nhiệm vụ số {lead.id}."
