"""bench/serve.py --compare: scenarios 1-3 at ten times the data against the default scale's figures (issue 14)."""

from __future__ import annotations

from bench.serve import SCALE_LIMIT, compare


def _run(rps: float, p95: float, errors: int = 0) -> dict:
    return {"what": "x", "rps": rps, "p50_ms": p95 / 2, "p95_ms": p95, "errors": errors}


def test_slowdowns_and_goals():
    default = {
        "directives": 6000,
        "counts": {"assignments": 428_477},
        "scenarios": {"overdue_first": _run(100, 20), "commune_open": _run(100, 20), "writes": _run(50, 40)},
    }
    here = {"overdue_first": _run(80, 26), "commune_open": _run(50, 20), "assignment_detail": _run(10, 10)}
    result = compare(here, default, "serve-1x.json")
    # only the scenarios measured at both scales, and only scenarios 1-3
    assert set(result["scenarios"]) == {"overdue_first", "commune_open"}
    assert result["scenarios"]["overdue_first"]["rps_slowdown"] == 1.25
    assert result["scenarios"]["overdue_first"]["p95_ratio"] == 1.3
    assert result["scenarios"]["commune_open"]["rps_slowdown"] == 2.0
    met = {(g["scenario"], g["kind"]): g["met"] for g in result["goals"]}
    assert met == {
        ("overdue_first", "scale_rps"): True,
        ("overdue_first", "scale_p95"): True,
        ("commune_open", "scale_rps"): False,
        ("commune_open", "scale_p95"): True,
    }
    assert {g["target"] for g in result["goals"]} == {SCALE_LIMIT}


def test_a_run_with_errors_is_not_measured():
    default = {"scenarios": {"overdue_first": _run(100, 20)}}
    result = compare({"overdue_first": _run(0, 0, errors=3)}, default, "serve-1x.json")
    assert result["scenarios"]["overdue_first"]["rps_slowdown"] is None
    assert [g["met"] for g in result["goals"]] == [None, None]
