"""A full disk under the evidence store: the upload is refused with a clear 507, and nothing is kept."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest

from coordination.assignments.states import Status
from tests.factories import make_assignment
from tests.support.api import assert_problem
from tests.support.workflow import PDF, files_in, fingerprint, upload


@pytest.fixture
def full_store(app, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The evidence directory on a 64 KB tmpfs of its own (a real full disk, not a mock; needs root)."""
    root = tmp_path / "store"
    root.mkdir()
    command = ["/usr/bin/mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(root)]
    mounted = subprocess.run(command, capture_output=True, check=False)  # noqa: S603 - fixed arguments, our path
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    previous = app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = str(root)
    try:
        yield str(root)
    finally:
        app.config["EVIDENCE_DIR"] = previous
        subprocess.run(["/usr/bin/umount", str(root)], check=True)  # noqa: S603 - fixed arguments, our path


def test_a_full_disk_refuses_the_file_and_writes_no_row(api, full_store):
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=10)
    officer = api("justice.tayninh")
    before = fingerprint()
    big = PDF + b"0" * (200 * 1024)  # larger than the 64 KB disk

    body = assert_problem(upload(officer, work.id, (big, "bao-cao.pdf")), 507, field="file")

    assert body["detail"] == "Máy chủ không còn chỗ lưu tệp “bao-cao.pdf”; hãy báo quản trị viên."
    assert fingerprint() == before  # no evidence row, no audit event
    assert files_in(full_store) == []  # the partial temporary file is gone too
    # A small file still fits: the store works again once there is room.
    assert upload(officer, work.id, (PDF, "nho.pdf")).status_code == 201
