"""bench/gen_dataset.py writes exactly what the shared generator writes: the same bytes for the same arguments.

The expected digests are those of ../shared/bench/gen_dataset.py for `--directives 40` (default --today and
--seed); a change of the copy that changes its output fails here, so every bench figure stays comparable.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EXPECTED_SHA256 = {
    "agencies.csv": "d881f49db8ec28dfa2551368015634fd91f51b35e6cfad1cc15c42805097ba2d",
    "users.csv": "a8859db6bd66858eee50177611faeb07e4fff5c2497ac2be9113aed0f684051e",
    "directives.csv": "a3fd3afd5e4eaec5478b85445b5b3f771d032d14f74c4265c18a89b3f314ff27",
    "tasks.csv": "0f634a6be9fabab4919d17b1e758c4bd4d6862571dd829e3d83cad44e545c990",
    "assignments.csv": "2315477d7e4d345312cf6e620a43d300bd4505ca2288648f953936319530aa99",
    "updates.csv": "c4a4ad40d6532520290663223570206b6a8e8c85aed2ec94cb09ecd92a3e0819",
}


def test_small_run_output_does_not_change(tmp_path: Path) -> None:
    out = tmp_path / "data"
    done = subprocess.run(  # noqa: S603 - the project's own script, run by this interpreter
        [sys.executable, str(ROOT / "bench" / "gen_dataset.py"), str(out), "--directives", "40"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout.strip() == f"134 agencies, 40 directives, 326 tasks, 2994 assignments, 7694 updates -> {out}"
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(out.iterdir())}
    assert digests == EXPECTED_SHA256
