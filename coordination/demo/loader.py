"""Load the demo: agencies, groups, accounts and the two real directives, with a story of work done (and,
for `flask demo load`, a current fictional plan: demo/live.py).

Idempotent: agencies and users are matched by code and username, directives by issuer and ref;
what exists is left as it is.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyAlias, AgencyGroup, AgencyKind, AgencyLevel
from coordination.assignments.models import Assignment
from coordination.assignments.operations import report_progress
from coordination.assignments.states import Action
from coordination.auth.models import Role, User
from coordination.demo.live import demo_actor, load_live_directive
from coordination.directives.models import Directive, Task
from coordination.directives.operations import activate_directive, create_directive
from coordination.extensions import db
from coordination.indicators.operations import add_measurement, create_indicator

DATA_DIR = Path(__file__).parent / "data"
DEMO_PASSWORD = "demo-2026"  # noqa: S105 - published demo password, README says so
DIRECTIVE_FILES = ("570_UBND-CA.json", "2157_UBND-KSTT.json")


def _read(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def _parse_dates(value: Any) -> Any:
    """Turn ISO dates in the JSON into date objects, leaving everything else alone."""
    if isinstance(value, dict):
        return {k: _parse_dates(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_parse_dates(v) for v in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def load_agencies() -> int:
    data = _read("agencies.json")
    existing = {a.code: a for a in db.session.scalars(sa.select(Agency))}
    created = 0
    for item in data["agencies"]:
        agency = existing.get(item["code"])
        if agency is None:
            agency = Agency(
                code=item["code"],
                name_vi=item["name_vi"],
                name_en=item.get("name_en"),
                short_name=item.get("short_name"),
                kind=AgencyKind(item["kind"]),
                level=AgencyLevel(item["level"]),
                aliases=[AgencyAlias(alias=a) for a in dict.fromkeys(item.get("aliases", []))],
            )
            db.session.add(agency)
            existing[agency.code] = agency
            created += 1
    db.session.flush()
    for item in data["agencies"]:
        if item.get("parent") and existing[item["code"]].parent_id is None:
            existing[item["code"]].parent = existing[item["parent"]]
    for item in data["groups"]:
        owner = existing[item["owner"]]
        group = db.session.scalar(
            sa.select(AgencyGroup).where(AgencyGroup.owner_id == owner.id, AgencyGroup.name == item["name"])
        )
        if group is None:
            group = AgencyGroup(
                name=item["name"],
                name_en=item.get("name_en"),
                owner=owner,
                aliases="\n".join(item.get("aliases", [])),
                members=[existing[code] for code in item["members"]],
            )
            db.session.add(group)
            created += 1
    db.session.flush()
    return created


def load_users() -> int:
    created = 0
    for item in _read("users.json"):
        if db.session.scalar(sa.select(User.id).where(User.username == item["username"])):
            continue
        agency = db.session.scalar(sa.select(Agency).where(Agency.code == item["agency"])) if item["agency"] else None
        user = User(
            username=item["username"],
            full_name=item["full_name"],
            email=item.get("email"),
            agency=agency,
            role=Role(item["role"]),
            is_head=item.get("is_head", False),
        )
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        created += 1
    db.session.flush()
    return created


def _fill_deadlines(tasks: list[dict[str, Any]], campaign: date | None) -> None:
    # Tasks without a deadline of their own take the campaign's, as the importer proposes.
    for task in tasks:
        task["deadline"] = task.get("deadline") or campaign
        _fill_deadlines(task.get("subtasks") or [], campaign)


def load_directive(name: str) -> Directive | None:
    data = _parse_dates(_read(f"directives/{name}"))
    issuer = db.session.scalar(sa.select(Agency).where(Agency.code == data["issuer"]))
    ref = Directive.make_ref(data["number"], data["symbol"])
    if db.session.scalar(sa.select(Directive.id).where(Directive.issuer_id == issuer.id, Directive.ref == ref)):
        return None
    office = demo_actor(issuer.id, Role.office)
    _fill_deadlines(data["tasks"], data.get("deadline"))
    body = {
        **data,
        "addressees": data.get("addressee_refs") or data.get("addressees"),
        "source_text": (DATA_DIR / data["source"]).read_text(encoding="utf-8") if data.get("source") else None,
    }
    directive = create_directive(body, actor=office, issuer=issuer)
    activate_directive(directive, actor=office)
    for item in data.get("indicators", []):
        agency = (
            db.session.scalar(sa.select(Agency).where(Agency.code == item["agency"])) if item.get("agency") else None
        )
        create_indicator(directive, item, actor=office, agency=agency)
    indicators = {i["name"]: i for i in data.get("indicators", [])}
    for item in data.get("measurements", []):
        from coordination.indicators.models import Indicator

        indicator = db.session.scalar(
            sa.select(Indicator).where(
                Indicator.directive_id == directive.id, Indicator.name == indicators[item["indicator"]]["name"]
            )
        )
        agency = (
            db.session.scalar(sa.select(Agency).where(Agency.code == item["agency"])) if item.get("agency") else None
        )
        add_measurement(
            indicator,
            item["measured_on"],
            item["value"],
            of_value=item.get("of_value"),
            agency=agency,
            actor=demo_actor(agency.id if agency else None),
        )
    for story in data.get("story", []):
        _tell(directive, story)
    return directive


def _tell(directive: Directive, story: dict[str, Any]) -> None:
    """Walk one assignment through the state machine to the status its story ends in."""
    assignment = db.session.scalar(
        sa.select(Assignment)
        .join(Task)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(
            Task.directive_id == directive.id,
            Task.label == story["task"],
            Task.parent_id.is_(None),
            Agency.code == story["agency"],
        )
    )
    worker = demo_actor(assignment.agency_id)
    reviewer = demo_actor(directive.monitor_agency_id, Role.monitor)
    reported = story.get("reported_done_on")
    started = min(directive.issued_on + timedelta(days=2), reported or date.max)
    target = story["status"]
    if target == "not_started":
        return
    report_progress(assignment, actor=worker, action=Action.start, note="", on=started)
    if target == "in_progress":
        report_progress(
            assignment,
            actor=worker,
            note=story.get("note", ""),
            progress_percent=story.get("progress_percent"),
            on=started + timedelta(days=5),
        )
        return
    report_progress(assignment, actor=worker, action=Action.report_done, note=story.get("note", ""), on=reported)
    if target == "done":
        report_progress(
            assignment,
            actor=reviewer,
            action=Action.accept,
            note="Xác nhận hoàn thành.",
            on=story.get("completed_on") or reported,
        )
    elif target == "returned":
        report_progress(
            assignment,
            actor=reviewer,
            action=Action.return_,
            on=reported + timedelta(days=2),
            note=story.get("return_note") or "Báo cáo chưa kèm minh chứng; đề nghị bổ sung danh sách cụ thể.",
        )


def load_demo(*, live_on: date | None = None) -> str:
    """Load everything; return a one-line summary of what was added.

    `live_on`: also the current, fictional plan (demo/live.py) dated from that day, as `flask demo load` does.
    The test suite's shared demo leaves it out, so that its hand-written counts do not move with the clock.
    """
    agencies = load_agencies()
    users = load_users()
    directives = [d for d in (load_directive(name) for name in DIRECTIVE_FILES) if d is not None]
    if live_on is not None and (live := load_live_directive(live_on)) is not None:
        directives.append(live)
    return f"demo: {agencies} agencies/groups, {users} users, {len(directives)} directives added"
