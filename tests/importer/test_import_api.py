"""POST /api/v1/directives/parse and /import: both demo directives' texts become drafts as reviewed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.conftest import tiny_pdf
from tests.support.api import assert_problem

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "directives"

#: label → (lead agencies, coordinating agencies) of each task and sub-item, in document order
TAY_NINH_TASKS = [
    ("1", 22, 1),  # all addressees: MTTQ, 8 sở/ban/ngành, 4 more socio-political organisations, 9 districts
    ("2", 1, 1),
    ("-", 1, 1),
    ("-", 1, 1),
    ("3", 2, 0),
    ("4", 1, 0),
    ("5", 1, 1),
    ("7", 1, 0),
    ("8", 1, 0),
    ("9", 6, 1),  # MTTQ and the 5 socio-political organisations
    ("10", 1, 0),
    ("12", 1, 1),  # "chính quyền địa phương" is unresolved: left for the reviewer
    ("11", 9, 1),
]
TAM_DIEP_TASKS = [("1", 20, 0), ("2", 9, 0), ("3", 1, 2)]


def _counts(detail: dict) -> list[tuple[str, int, int]]:
    return [
        (
            task["label"],
            sum(1 for a in task["assignments"] if a["role"] == "lead"),
            sum(1 for a in task["assignments"] if a["role"] == "coordinate"),
        )
        for task in detail["tasks"]
    ]


def _parse(office, name: str) -> dict:  # type: ignore[no-untyped-def]
    text = (FIXTURES / name).read_text(encoding="utf-8")
    response = office.post("/api/v1/directives/parse", json={"text": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_tay_ninh_parsed_resolved_and_imported(api) -> None:
    office = api("office.tayninh")
    body = _parse(office, "2157_UBND-KSTT.txt")
    assert body["ref"] == "2157/UBND-KSTT"
    assert body["resolutions"]["Công an tỉnh"]["matches"] == [
        {"agency": "TN-CA", "name": "Công an tỉnh Tây Ninh", "score": 100.0}
    ]
    unresolved = body["resolutions"]["chính quyền địa phương"]
    assert unresolved["status"] == "unresolved" and len(unresolved["candidates"]) == 5
    proposal = body["proposal"]
    assert proposal["addressees"] == [
        "TN-MTTQ",
        "Các sở, ban, ngành tỉnh",
        "Các tổ chức chính trị - xã hội tỉnh",
        "Ủy ban nhân dân các huyện, thị xã, thành phố",
    ]
    # The demo already holds 2157: the reviewer registers it under another number.
    proposal["number"] = "2158"
    response = office.post("/api/v1/directives/import", json=proposal)
    assert response.status_code == 201, response.get_data(as_text=True)
    detail = response.get_json()
    assert (detail["ref"], detail["status"], detail["issuer"]["code"]) == ("2158/UBND-KSTT", "draft", "TN-UBND")
    assert _counts(detail) == TAY_NINH_TASKS
    assert {task["deadline"] for task in detail["tasks"]} == {"2022-09-30"}
    task_3 = next(t for t in detail["tasks"] if t["label"] == "3")
    assert sorted(a["agency"]["code"] for a in task_3["assignments"]) == ["TN-BAOTN", "TN-DPTTH"]
    assert response.headers["Location"].endswith(f"/api/v1/directives/{detail['id']}")


def test_tam_diep_parsed_resolved_and_imported(api) -> None:
    office = api("office.tamdiep")
    body = _parse(office, "570_UBND-CA.txt")
    assert all(r["status"] == "resolved" for r in body["resolutions"].values())
    proposal = body["proposal"]
    assert (proposal["monitor_agency"], proposal["report_to_agency"]) == ("TD-CA", "TD-UBND")
    proposal["number"] = "571"
    response = office.post("/api/v1/directives/import", json=proposal)
    assert response.status_code == 201, response.get_data(as_text=True)
    detail = response.get_json()
    assert _counts(detail) == TAM_DIEP_TASKS
    assert (detail["monitor_agency"]["code"], detail["report_to_agency"]["code"]) == ("TD-CA", "TD-UBND")
    task_3 = detail["tasks"][2]
    assert sorted(a["agency"]["code"] for a in task_3["assignments"]) == ["TD-CA", "TD-TTVHTTTT", "TD-VPUBND"]
    assert {task["deadline"] for task in detail["tasks"]} == {"2021-05-14"}


def test_a_file_upload_is_parsed_too(api) -> None:
    office = api("office.tamdiep")
    data = {"file": (open(FIXTURES / "570_UBND-CA.txt", "rb"), "570.txt")}  # noqa: SIM115 - the client closes it
    response = office.post("/api/v1/directives/parse", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [t["label"] for t in response.get_json()["tasks"]] == ["1", "2", "3"]


@pytest.mark.parametrize("username", ["justice.tayninh", "monitor.tayninh", "admin"])
def test_only_an_office_parses_or_imports(api, username) -> None:
    client = api(username)
    assert_problem(client.post("/api/v1/directives/parse", json={"text": "1. Sở Tư pháp rà soát."}), 403)
    assert_problem(client.post("/api/v1/directives/import", json={}), 403)


def test_bad_inputs_are_422(api) -> None:
    office = api("office.tayninh")
    assert_problem(office.post("/api/v1/directives/parse", json={"text": "   "}), 422, field="text")
    assert_problem(office.post("/api/v1/directives/parse", json={"txt": "x"}), 422)
    scan = {"file": (io.BytesIO(tiny_pdf()), "scan.pdf")}
    assert_problem(
        office.post("/api/v1/directives/parse", data=scan, content_type="multipart/form-data"), 422, field="file"
    )
    assert_problem(office.post("/api/v1/directives/import", json={"number": "1"}), 422)
    bad_agency = {
        "number": "9",
        "symbol": "UBND-X",
        "issued_on": "2022-08-14",
        "subject": "thử",
        "tasks": [{"label": "1", "text": "Làm", "assignments": [{"agency": "NO-SUCH"}]}],
    }
    assert_problem(office.post("/api/v1/directives/import", json=bad_agency), 422)
