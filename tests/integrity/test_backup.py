"""A backup of the demo restores into a fresh database, and the app serves it with every file verified."""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from coordination.assignments.models import Assignment
from coordination.evidence.operations import add_evidence
from coordination.extensions import db
from tests.assignments.test_operations import fresh_assignment
from tests.conftest import DEMO_PASSWORD, empty_database, get_user, make_test_app

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def restore_database(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A second empty database to restore into (beside the scratch one), dropped after."""
    with empty_database(tmp_path, "restore") as url:
        yield url


def test_backup_restores_into_a_fresh_database(scratch_demo_app: Flask, restore_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = scratch_demo_app
    with source.app_context():
        assignment = fresh_assignment()
        add_evidence(assignment, io.BytesIO(PDF_BYTES), "Báo cáo.pdf", actor=get_user("education.tayninh"))
        assignment_id = assignment.id
        db.session.commit()

    runner = source.test_cli_runner()
    target_dir = tmp_path / "backup"
    result = runner.invoke(args=["backup", str(target_dir)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((target_dir / "manifest.json").read_text())
    # the newest migration, whichever it is (a literal revision broke with each new migration)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "migrations")
    assert manifest["migration_head"] == ScriptDirectory.from_config(config).get_current_head()
    key = hashlib.sha256(PDF_BYTES).hexdigest()
    assert {"path": f"evidence/{key[:2]}/{key[2:4]}/{key}", "sha256": key, "size": len(PDF_BYTES)} in manifest["files"]
    assert sorted(os.listdir(tmp_path)) == [
        "backup",
        "evidence",
        *(["scratch.db"] if "sqlite" in str(source.config["SQLALCHEMY_DATABASE_URI"]) else []),
    ]

    # A second backup into the same, now full, directory is refused and changes nothing.
    again = runner.invoke(args=["backup", str(target_dir)])
    assert again.exit_code == 1
    assert "Thư mục sao lưu đã có nội dung" in again.output

    restored = make_test_app(str(tmp_path / "restored"), restore_database)
    restored_runner = restored.test_cli_runner()
    result = restored_runner.invoke(args=["restore", str(target_dir)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "restored" / "evidence" / key[:2] / key[2:4] / key).read_bytes() == PDF_BYTES

    # The restored app serves the demo: log in, open the assignment, download nothing lost.
    client = restored.test_client()
    response = client.post("/login", data={"username": "education.tayninh", "password": DEMO_PASSWORD})
    assert response.status_code in (302, 303)
    page = client.get(f"/app/assignment/details/?id={assignment_id}")
    assert page.status_code == 200
    assert "Báo cáo.pdf" in page.get_data(as_text=True)
    with restored.app_context():
        assert db.session.get(Assignment, assignment_id) is not None

    assert restored_runner.invoke(args=["evidence", "verify"]).exit_code == 0
    audit_result = restored_runner.invoke(args=["audit", "verify"])
    assert audit_result.exit_code == 0, audit_result.output

    # Restoring into the now non-empty database is refused.
    refused = restored_runner.invoke(args=["restore", str(target_dir)])
    assert refused.exit_code == 1
    assert "Cơ sở dữ liệu đích không trống; chỉ khôi phục vào một cơ sở dữ liệu trống." in refused.output
    for app in (source, restored):
        with app.app_context():
            db.engine.dispose()


def test_restore_refuses_a_tampered_backup(scratch_demo_app: Flask, restore_database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target_dir = tmp_path / "backup"
    assert scratch_demo_app.test_cli_runner().invoke(args=["backup", str(target_dir)]).exit_code == 0
    database_file = next(p for p in target_dir.iterdir() if p.name.startswith("database"))
    with database_file.open("ab") as stream:
        stream.write(b"\0")
    restored = make_test_app(str(tmp_path / "restored"), restore_database)
    result = restored.test_cli_runner().invoke(args=["restore", str(target_dir)])
    assert result.exit_code == 1
    assert f"Tệp {database_file.name} của bản sao lưu bị thiếu hoặc đã thay đổi." in result.output
    with restored.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
    for app in (scratch_demo_app, restored):
        with app.app_context():
            db.engine.dispose()
