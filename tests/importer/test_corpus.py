"""Score the parser over the hand-read corpus (tests/fixtures/directives/corpus) and print the F1 figures."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from coordination.importer.parser import parse_directive
from coordination.text import fold

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "directives" / "corpus"
#: header fields compared as a whole when the expected reading gives them
HEADER = (
    "ref",
    "doc_type",
    "issuer",
    "issued_on",
    "addressees",
    "signer",
    "legal_basis",
    "deadline",
    "monitor",
    "report_to",
    "targets",
    "progress",
    "warnings",
)


def _read(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if text.startswith("# source:"):  # the fixture's provenance line is not part of the directive
        text = text.split("\n", 1)[1]
    return parse_directive(text)


def _pairs(tasks: list[dict], field: str) -> Counter:
    pairs: Counter = Counter()
    for position, task in enumerate(tasks):
        key = (position, task["label"])
        if field == "label":
            pairs[task["label"]] += 1
        elif field == "deadline":
            if task.get("deadline"):
                pairs[(key, task["deadline"])] += 1
        else:
            for name in task.get(field, []):
                pairs[(key, fold(name))] += 1
    return pairs


def _f1(found: Counter, wanted: Counter) -> tuple[int, int, int]:
    true = sum((found & wanted).values())
    return true, sum(found.values()), sum(wanted.values())


def _score() -> tuple[dict[str, float], list[str]]:
    totals = {f: [0, 0, 0] for f in ("label", "lead", "coordinate", "deadline")}
    header_ok = header_all = 0
    misses: list[str] = []
    for expected_path in sorted(CORPUS.glob("*.json")):
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        got = _read(expected_path.with_suffix(".txt"))
        # tasks are aligned by position only when the labels agree; otherwise agencies count as misses
        aligned = [t["label"] for t in got["tasks"]] == [t["label"] for t in expected["tasks"]]
        for field, total in totals.items():
            wanted = _pairs(expected["tasks"], field)
            found = _pairs(got["tasks"], field) if aligned or field == "label" else Counter()
            for index, value in enumerate(_f1(found, wanted)):
                total[index] += value
            if found != wanted:
                misses.append(f"{expected_path.stem} {field}: missing {wanted - found}, extra {found - wanted}")
        for field in HEADER:
            if field in expected:
                header_all += 1
                header_ok += got[field] == expected[field]
                if got[field] != expected[field]:
                    misses.append(f"{expected_path.stem} {field}: {got[field]!r} != {expected[field]!r}")
    scores = {}
    for field, (true, found, wanted) in totals.items():
        precision = true / found if found else 1.0
        recall = true / wanted if wanted else 1.0
        scores[field] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    scores["header"] = header_ok / header_all if header_all else 1.0
    return scores, misses


def test_corpus_has_enough_varied_directives() -> None:
    texts = sorted(CORPUS.glob("*.txt"))
    assert len(texts) >= 25
    for text in texts:
        assert text.read_text(encoding="utf-8").startswith("# source:"), text.name
        assert text.with_suffix(".json").exists(), text.name


def test_parser_scores_on_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    scores, misses = _score()
    with capsys.disabled():
        print("\ncorpus F1: " + ", ".join(f"{field} {value:.3f}" for field, value in scores.items()))
        for miss in misses:
            print("  " + miss)
    assert scores["label"] >= 0.95
    assert scores["lead"] >= 0.85
    assert scores["coordinate"] >= 0.8
    assert scores["deadline"] >= 0.8
    assert scores["header"] >= 0.85
