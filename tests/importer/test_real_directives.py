"""The two real OCR'd directives parse to what a careful reader gets from them (tests/fixtures/directives/*.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coordination.importer.parser import parse_directive

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "directives"
HEADER = (
    "ref",
    "number",
    "symbol",
    "doc_type",
    "issuer",
    "place",
    "issued_on",
    "subject",
    "addressees",
    "signer",
    "legal_basis",
    "deadline",
    "targets",
    "progress",
    "warnings",
)


def _pair(name: str) -> tuple[dict, dict]:
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return parse_directive(text), expected


@pytest.mark.parametrize("name", ["570_UBND-CA", "2157_UBND-KSTT"])
def test_header_fields(name: str) -> None:
    got, expected = _pair(name)
    for field in HEADER:
        assert got[field] == expected[field], field


@pytest.mark.parametrize("name", ["570_UBND-CA", "2157_UBND-KSTT"])
def test_tasks_field_by_field(name: str) -> None:
    got, expected = _pair(name)
    assert [t["label"] for t in got["tasks"]] == [t["label"] for t in expected["tasks"]]
    assert [t["position"] for t in got["tasks"]] == list(range(1, len(expected["tasks"]) + 1))
    for task, want in zip(got["tasks"], expected["tasks"], strict=True):
        label = want["label"]
        assert task["text"].startswith(want["text_starts"]), label
        assert want.get("text_contains", "") in task["text"], label
        assert task["lead"] == want["lead"], label
        assert task["coordinate"] == want["coordinate"], label
        assert task["lead_is_addressees"] is want.get("lead_is_addressees", False), label
        assert task["deadline"] == want["deadline"], label
        assert task["monitors"] is want.get("monitors", False), label
        assert task["report_to"] == want.get("report_to"), label
        assert len(task["subtasks"]) == len(want.get("subtasks", [])), label
        for sub, sub_want in zip(task["subtasks"], want.get("subtasks", []), strict=True):
            assert sub["text"].startswith(sub_want["text_starts"]), label
            assert sub["deadline"] == sub_want.get("deadline"), label
            assert sub["coordinate"] == sub_want.get("coordinate", []), label


def test_page_break_inside_a_task_is_joined() -> None:
    got, _ = _pair("570_UBND-CA")
    assert "tiếp nhận hồ sơ, thành phần, đối tượng được cấp thẻ" in got["tasks"][2]["text"]
    assert got["tasks"][2]["text"].endswith("báo cáo kết quả thực hiện về UBND thành phố theo quy định")


def test_monitor_and_report_to_are_directive_fields() -> None:
    got, _ = _pair("570_UBND-CA")
    assert (got["monitor"], got["report_to"]) == ("Công an thành phố", "UBND thành phố")
    got, _ = _pair("2157_UBND-KSTT")
    assert (got["monitor"], got["report_to"]) == (None, None)


def test_ocr_noise_in_the_number_and_the_signature() -> None:
    got, _ = _pair("2157_UBND-KSTT")
    assert (got["ref"], got["signer"]["name"]) == ("2157/UBND-KSTT", "Võ Đức Trọng")
