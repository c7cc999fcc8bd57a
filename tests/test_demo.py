"""The demo data: both directives entered exactly as the reader's expected JSON says, loading twice adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyGroup
from coordination.assignments.models import Assignment, AssignmentRole
from coordination.assignments.states import Status, Timeliness
from coordination.auth.models import User
from coordination.demo.loader import load_demo
from coordination.directives.models import Directive, DirectiveStatus, Task
from coordination.extensions import db
from coordination.indicators.models import Indicator, Measurement

FIXTURES = Path(__file__).parent / "fixtures" / "directives"


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Agency, AgencyGroup, User, Directive, Task, Assignment, Indicator, Measurement)
    }


def test_loading_twice_adds_nothing(app) -> None:
    before = _counts()
    summary = load_demo()
    db.session.commit()
    assert _counts() == before
    assert "0 directives" in summary


def _directive(ref: str) -> Directive:
    return db.session.scalar(sa.select(Directive).where(Directive.ref == ref))


@pytest.mark.parametrize("stem", ["2157_UBND-KSTT", "570_UBND-CA"])
def test_directive_matches_expected_reading(app, stem: str) -> None:
    expected = json.loads((FIXTURES / f"{stem}.json").read_text(encoding="utf-8"))
    directive = _directive(expected["ref"])
    assert directive.status == DirectiveStatus.active
    assert (directive.number, directive.symbol) == (expected["number"], expected["symbol"])
    assert directive.issued_on.isoformat() == expected["issued_on"]
    assert directive.subject == expected["subject"]
    assert directive.place == expected["place"]
    assert directive.issuer.name_vi == expected["issuer"]
    assert directive.signer_name == expected["signer"]["name"]
    assert directive.signer_title == expected["signer"]["title"]
    assert directive.legal_basis == expected["legal_basis"]
    assert directive.deadline.isoformat() == expected["deadline"]
    assert [a.name for a in directive.addressees][:1] == expected["addressees"][:1]
    assert {a.name for a in directive.addressees} == set(expected["addressees"])
    top = [t for t in directive.tasks if t.parent_id is None]
    assert [t.label for t in top] == [t["label"] for t in expected["tasks"]]
    for task, want in zip(top, expected["tasks"], strict=True):
        assert task.text.startswith(want["text_starts"]), task.label
        if "text_contains" in want:
            assert want["text_contains"] in task.text
        assert len(task.subtasks) == len(want.get("subtasks", []))
        for sub, want_sub in zip(task.subtasks, want.get("subtasks", []), strict=True):
            assert sub.text.startswith(want_sub["text_starts"])
        # a task without a deadline of its own takes the campaign's
        assert task.deadline.isoformat() == (want["deadline"] or expected["deadline"])
        leads = [a for a in task.assignments if a.role == AssignmentRole.lead]
        assert leads, task.label
        if want.get("lead_is_addressees"):
            assert all(a.via_all_addressees for a in leads)
        if want["coordinate"]:
            assert any(a.role == AssignmentRole.coordinate for a in task.assignments), task.label


def test_tay_ninh_task_leads(app) -> None:
    directive = _directive("2157/UBND-KSTT")
    by_label = {t.label: t for t in directive.tasks if t.parent_id is None}
    leads = {
        label: {a.agency.code for a in t.assignments if a.role == AssignmentRole.lead} for label, t in by_label.items()
    }
    assert leads["2"] == {"TN-CA"}
    assert leads["4"] == {"TN-STC"}
    assert leads["5"] == {"TN-STP"}
    assert leads["7"] == {"TN-SGDDT"}
    assert leads["3"] == {"TN-DPTTH", "TN-BAOTN"}
    # "UBND các huyện, thị xã, thành phố": the 9 district-level units of 2022, recorded as a group expansion
    eleven = [a for a in by_label["11"].assignments if a.role == AssignmentRole.lead]
    assert len(eleven) == 9
    assert all(a.via_group is not None for a in eleven)
    assert "6" not in by_label


def test_tam_diep_groups_expand_to_wards_and_communes(app) -> None:
    directive = _directive("570/UBND-CA")
    two = next(t for t in directive.tasks if t.label == "2")
    names = sorted(a.agency.name_vi for a in two.assignments)
    assert len(names) == 9
    assert sum("phường" in n for n in names) == 6
    assert sum(" xã " in f" {n} " for n in names) == 3
    assert directive.monitor_agency.code == "TD-CA"
    assert _directive("2157/UBND-KSTT").monitor_agency.code == "TN-CA"


def test_targets_and_progress_figure(app) -> None:
    targets = {(i.directive.ref, float(i.target_value), i.unit) for i in db.session.scalars(sa.select(Indicator))}
    assert ("2157/UBND-KSTT", 327407.0, "hồ sơ") in targets
    assert any(ref == "570/UBND-CA" and value == 100.0 for ref, value, _unit in targets)
    daily = db.session.scalars(sa.select(Indicator).where(Indicator.daily_rate.is_not(None))).all()
    assert [float(i.daily_rate) for i in daily] == [700.0]
    figure = db.session.scalar(sa.select(Measurement).where(Measurement.value == 37075))
    assert figure.measured_on.isoformat() == "2021-04-22"
    assert float(figure.of_value) == 50527


def test_demo_tells_a_story(app) -> None:
    from datetime import date

    kinds = {a.timeliness_on(date(2026, 11, 25), 3) for a in db.session.scalars(sa.select(Assignment))}
    assert {Timeliness.done_on_time, Timeliness.done_late, Timeliness.overdue} <= kinds
    statuses = set(db.session.scalars(sa.select(Assignment.status)))
    assert {Status.done, Status.in_progress, Status.reported_done, Status.returned, Status.not_started} <= statuses


def test_demo_accounts(app) -> None:
    expected = {
        "admin": ("admin", None),
        "office.tayninh": ("office", "TN-UBND"),
        "monitor.tayninh": ("monitor", "TN-CA"),
        "justice.tayninh": ("officer", "TN-STP"),
        "education.tayninh": ("officer", "TN-SGDDT"),
        "office.tamdiep": ("office", "TD-UBND"),
        "monitor.tamdiep": ("monitor", "TD-CA"),
        "bacson.tamdiep": ("officer", "TD-PBACSON"),
    }
    users = {u.username: u for u in db.session.scalars(sa.select(User))}
    for username, (role, agency) in expected.items():
        user = users[username]
        assert user.role.value == role
        assert (user.agency.code if user.agency else None) == agency
        assert user.check_password("demo-2026")
        assert user.password_hash.startswith("$argon2id$")
