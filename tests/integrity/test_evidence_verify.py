"""`evidence verify` re-hashes the store and names missing, changed and orphan files."""

from __future__ import annotations

import hashlib
import io

import pytest
from flask import Flask

from coordination.evidence.operations import add_evidence
from coordination.evidence.storage import LocalEvidenceStore
from coordination.extensions import db
from tests.assignments.test_operations import fresh_assignment
from tests.conftest import get_user

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PDF_KEY = hashlib.sha256(PDF_BYTES).hexdigest()


@pytest.fixture
def stored(app: Flask, tmp_path) -> LocalEvidenceStore:  # type: ignore[no-untyped-def]
    """A fresh store holding one uploaded, committed PDF (the demo has no evidence files)."""
    previous = app.config["EVIDENCE_DIR"]
    app.config["EVIDENCE_DIR"] = str(tmp_path / "evidence")
    add_evidence(fresh_assignment(), io.BytesIO(PDF_BYTES), "Báo cáo.pdf", actor=get_user("education.tayninh"))
    db.session.commit()
    yield LocalEvidenceStore(app.config["EVIDENCE_DIR"])
    app.config["EVIDENCE_DIR"] = previous


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["evidence", "verify"])
    return result.exit_code, result.output


def test_intact_store_verifies(app: Flask, stored: LocalEvidenceStore) -> None:
    assert _verify(app) == (0, "OK: 1 tệp khớp; 0 thiếu, 0 đã thay đổi, 0 không được tham chiếu.\n")


def test_missing_file(app: Flask, stored: LocalEvidenceStore) -> None:
    stored.path(PDF_KEY).unlink()
    assert _verify(app) == (
        1,
        f"thiếu: {PDF_KEY}\n0 tệp khớp; 1 thiếu, 0 đã thay đổi, 0 không được tham chiếu.\n",
    )


def test_changed_file(app: Flask, stored: LocalEvidenceStore) -> None:
    stored.path(PDF_KEY).write_bytes(PDF_BYTES.replace(b"1.4", b"1.7"))
    assert _verify(app) == (
        1,
        f"đã thay đổi: {PDF_KEY}\n0 tệp khớp; 0 thiếu, 1 đã thay đổi, 0 không được tham chiếu.\n",
    )


def test_orphan_file(app: Flask, stored: LocalEvidenceStore) -> None:
    stray = stored.put(io.BytesIO(b"not referenced by any row"), max_size=1000)
    (stored.root / ".tmp" / "half-written").write_bytes(b"x")  # temporary files are not the store's
    assert _verify(app) == (
        1,
        f"không được tham chiếu: {stray.sha256}\n1 tệp khớp; 0 thiếu, 0 đã thay đổi, 1 không được tham chiếu.\n",
    )
