"""GET /api/v1/directives (filters, search) and /api/v1/directives/{id} (the document, tasks in order)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coordination.assignments.states import Timeliness
from coordination.db import today
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.text import fold


def _id(ref: str) -> int:
    directive_id = db.session.scalar(sa.select(Directive.id).where(Directive.ref == ref))
    assert directive_id is not None
    return directive_id


@pytest.fixture
def tay_ninh(api):
    return api("justice.tayninh").get(f"/api/v1/directives/{_id('2157/UBND-KSTT')}").get_json()


def test_the_tasks_come_in_document_order(tay_ninh):
    assert [t["label"] for t in tay_ninh["tasks"]] == [
        "1",
        "2",
        "-",
        "-",
        "3",
        "4",
        "5",
        "7",
        "8",
        "9",
        "10",
        "12",
        "11",
    ]
    positions = [t["position"] for t in tay_ninh["tasks"]]
    assert positions == sorted(positions)


def test_sub_items_name_their_parent(tay_ninh):
    tasks = tay_ninh["tasks"]
    by_id = {t["id"]: t for t in tasks}
    dashes = [t for t in tasks if t["label"] == "-"]
    assert len(dashes) == 2
    for dash in dashes:
        assert dash["parent_label"] == "2"
        assert by_id[dash["parent_id"]]["label"] == "2"
    assert all(t["parent_id"] is None and t["parent_label"] is None for t in tasks if t["label"] != "-")


def test_task_5_is_led_by_the_department_of_justice(tay_ninh):
    (task5,) = [t for t in tay_ninh["tasks"] if t["label"] == "5"]
    assert "Tư pháp" in task5["text"]
    leads = [a["agency"]["code"] for a in task5["assignments"] if a["role"] == "lead"]
    assert leads == ["TN-STP"]
    for assignment in task5["assignments"]:
        assert set(assignment) == {"id", "agency", "role", "status", "timeliness", "deadline", "progress_percent"}
        assert assignment["timeliness"] in {t.value for t in Timeliness}
        date.fromisoformat(assignment["deadline"])


def test_the_header_reads_like_the_document(tay_ninh):
    directive = db.session.get(Directive, tay_ninh["id"])
    assert tay_ninh["ref"] == "2157/UBND-KSTT"
    assert tay_ninh["number"] == "2157"
    assert tay_ninh["issuer"]["code"] == directive.issuer.code
    assert tay_ninh["monitor_agency"]["code"] == "TN-CA"
    assert tay_ninh["issued_on"] == directive.issued_on.isoformat()
    assert tay_ninh["deadline"] == "2022-09-30"
    assert tay_ninh["subject"] == directive.subject
    assert tay_ninh["legal_basis"] == directive.legal_basis
    assert tay_ninh["signer"] == {
        "name": directive.signer_name,
        "title": directive.signer_title,
        "authority": directive.signer_authority,
    }
    assert [a["name"] for a in tay_ninh["addressees"]] == [a.name for a in directive.addressees]
    assert tay_ninh["status"] == "active"
    assert tay_ninh["doc_type"] == directive.doc_type.value
    assert (tay_ninh["report_to_agency"] or {}).get("code") == (
        directive.report_to_agency.code if directive.report_to_agency else None
    )


def test_the_timeliness_of_each_assignment_is_the_rule_of_today(tay_ninh, app):
    from coordination.assignments.models import Assignment

    for task in tay_ninh["tasks"]:
        for shown in task["assignments"]:
            assignment = db.session.get(Assignment, shown["id"])
            expected = assignment.timeliness_on(today(), app.config["DUE_SOON_DAYS"])
            assert shown["timeliness"] == (expected.value if expected else None)
            assert shown["status"] == assignment.status.value


def test_the_list_item_fields(api):
    (item,) = api("bacson.tamdiep").items("/api/v1/directives")
    assert item["ref"] == "570/UBND-CA"
    assert item["monitor_agency"]["code"] == "TD-CA"
    assert set(item) == {
        "id",
        "ref",
        "number",
        "symbol",
        "doc_type",
        "issuer",
        "issued_on",
        "subject",
        "status",
        "deadline",
        "monitor_agency",
    }


@pytest.mark.parametrize(
    ("q", "refs"),
    [
        ("tu phap", {"2157/UBND-KSTT"}),
        ("Tư Pháp", {"2157/UBND-KSTT"}),
        ("TƯ PHÁP", {"2157/UBND-KSTT"}),
        ("cccd", {"2157/UBND-KSTT", "570/UBND-CA"}),
        ("CCCD", {"2157/UBND-KSTT", "570/UBND-CA"}),
        ("2157", {"2157/UBND-KSTT"}),
        ("570/ubnd", {"570/UBND-CA"}),
        ("  cccd   tu  phap ", {"2157/UBND-KSTT"}),
        ("phap tu", {"2157/UBND-KSTT"}),  # every word, in any order
        ("tu phap xyzzy", set()),
        ("100%", {"2157/UBND-KSTT"}),  # a literal percent sign, not a wildcard
        ("%%%%", set()),
        ("_", set()),
        ("", {"2157/UBND-KSTT", "570/UBND-CA"}),
    ],
)
def test_search_ignores_diacritics_and_case(api, q, refs):
    found = {d["ref"] for d in api("admin").items("/api/v1/directives", q=q)}
    assert found == refs
    words = fold(q).split()
    rows = db.session.scalars(sa.select(Directive)).all()
    assert found == {d.ref for d in rows if all(w in d.search_text for w in words)}


def test_search_stays_within_what_the_user_may_see(api):
    assert {d["ref"] for d in api("justice.tayninh").items("/api/v1/directives", q="cccd")} == {"2157/UBND-KSTT"}
    assert {d["ref"] for d in api("bacson.tamdiep").items("/api/v1/directives", q="tu phap")} == set()


def test_cccd_is_in_the_subject_and_tu_phap_in_task_5(app):
    directive = db.session.scalar(sa.select(Directive).where(Directive.ref == "2157/UBND-KSTT"))
    assert "CCCD" in directive.subject
    (task5,) = [t for t in directive.tasks if t.label == "5"]
    assert "Tư pháp" in task5.text


@pytest.mark.parametrize(
    ("params", "refs"),
    [
        ({"status": "active"}, {"2157/UBND-KSTT", "570/UBND-CA"}),
        ({"status": "closed"}, set()),
        ({"status": "draft"}, set()),
        ({"issuer": "TN-UBND"}, {"2157/UBND-KSTT"}),
        ({"issuer": "TD-UBND"}, {"570/UBND-CA"}),
        ({"issuer": "TN-STP"}, set()),
        ({"issued_from": "2022-01-01"}, {"2157/UBND-KSTT"}),
        ({"issued_to": "2021-12-31"}, {"570/UBND-CA"}),
        ({"issued_from": "2022-08-14", "issued_to": "2022-08-14"}, {"2157/UBND-KSTT"}),
        ({"issued_from": "2022-08-15", "issued_to": "2022-08-13"}, set()),
    ],
)
def test_directive_filters(api, params, refs):
    found = {d["ref"] for d in api("admin").items("/api/v1/directives", **params)}
    assert found == refs
    # The same filters checked independently against the rows.
    rows = db.session.scalars(sa.select(Directive)).all()
    expected = {
        d.ref
        for d in rows
        if ("status" not in params or d.status.value == params["status"])
        and ("issuer" not in params or d.issuer.code == params["issuer"])
        and ("issued_from" not in params or d.issued_on >= date.fromisoformat(params["issued_from"]))
        and ("issued_to" not in params or d.issued_on <= date.fromisoformat(params["issued_to"]))
    }
    assert found == expected
