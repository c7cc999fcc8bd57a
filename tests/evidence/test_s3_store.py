"""Evidence in an S3-compatible bucket (EVIDENCE_STORE=s3), against a real S3 protocol server in the test process.

moto's server answers the S3 HTTP API on loopback; boto3 talks to it exactly as to AWS or MinIO.
The same guarantees as the directory store: content-addressed keys, nothing left by a refused or
rolled-back upload, downloads through the API, `evidence verify`, backup and restore.
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Iterator

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer

from coordination.assignments.states import Status
from coordination.evidence.operations import PayloadTooLarge, add_evidence
from coordination.evidence.s3 import S3EvidenceStore
from coordination.evidence.stores import get_store
from coordination.extensions import db
from tests.assignments.test_operations import fresh_assignment
from tests.conftest import get_user
from tests.factories import make_assignment
from tests.support.workflow import PDF, upload

KEY = hashlib.sha256(PDF).hexdigest()


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(app: Flask, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new empty bucket, and the app configured to keep evidence in it."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    name = f"evidence-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(Bucket=name)
    saved = {key: app.config.get(key) for key in ("EVIDENCE_STORE", "EVIDENCE_S3_BUCKET", "EVIDENCE_S3_ENDPOINT_URL")}
    app.config.update(EVIDENCE_STORE="s3", EVIDENCE_S3_BUCKET=name, EVIDENCE_S3_ENDPOINT_URL=s3_endpoint)
    yield name
    app.config.update(saved)


def objects(s3_endpoint: str, bucket: str) -> list[str]:
    listed = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", []))


def test_the_app_chooses_the_bucket(app: Flask, bucket: str) -> None:
    store = get_store()
    assert isinstance(store, S3EvidenceStore)
    assert (store.bucket, store.prefix) == (bucket, "evidence/")
    assert get_store() is store  # one client per app and settings


def test_upload_and_download_through_the_api(api, s3_endpoint: str, bucket: str) -> None:  # type: ignore[no-untyped-def]
    work = make_assignment("TN-STP", officer="justice.tayninh", status=Status.in_progress, deadline_in_days=20)
    officer = api("justice.tayninh")
    response = upload(officer, work.id, (PDF, "Báo cáo tiến độ.pdf"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert objects(s3_endpoint, bucket) == [f"evidence/{KEY[:2]}/{KEY[2:4]}/{KEY}"]

    download = officer.get(f"/api/v1/evidence/{response.get_json()[0]['id']}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Security-Policy"].startswith("sandbox")

    # The same content again is stored once.
    assert upload(officer, work.id, (PDF, "bản sao.pdf")).status_code == 201
    assert len(objects(s3_endpoint, bucket)) == 1


def test_a_rolled_back_upload_leaves_no_object(app: Flask, s3_endpoint: str, bucket: str) -> None:
    evidence = add_evidence(fresh_assignment(), io.BytesIO(PDF), "x.pdf", actor=get_user("education.tayninh"))
    assert evidence.sha256 == KEY and len(objects(s3_endpoint, bucket)) == 1
    db.session.rollback()
    assert objects(s3_endpoint, bucket) == []


def test_an_oversized_upload_leaves_no_object(app: Flask, s3_endpoint: str, bucket: str) -> None:
    app.config["EVIDENCE_MAX_BYTES"], saved = 1024, app.config["EVIDENCE_MAX_BYTES"]
    try:
        with pytest.raises(PayloadTooLarge):
            big = io.BytesIO(PDF + b"0" * 4096)
            add_evidence(fresh_assignment(), big, "big.pdf", actor=get_user("education.tayninh"))
    finally:
        app.config["EVIDENCE_MAX_BYTES"] = saved
    assert objects(s3_endpoint, bucket) == []


def test_evidence_verify_reads_the_bucket(app: Flask, s3_endpoint: str, bucket: str) -> None:
    add_evidence(fresh_assignment(), io.BytesIO(PDF), "a.pdf", actor=get_user("education.tayninh"))
    db.session.commit()
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    stray = hashlib.sha256(b"stray").hexdigest()
    client.put_object(Bucket=bucket, Key=f"evidence/{stray[:2]}/{stray[2:4]}/{stray}", Body=b"stray")
    client.put_object(Bucket=bucket, Key="evidence/README", Body=b"not a key")  # not the store's: ignored
    runner = app.test_cli_runner()
    result = runner.invoke(args=["evidence", "verify"])
    assert (result.exit_code, result.output) == (
        1,
        f"không được tham chiếu: {stray}\n1 tệp khớp; 0 thiếu, 0 đã thay đổi, 1 không được tham chiếu.\n",
    )
    client.put_object(Bucket=bucket, Key=f"evidence/{KEY[:2]}/{KEY[2:4]}/{KEY}", Body=PDF + b"edited")
    client.delete_object(Bucket=bucket, Key=f"evidence/{stray[:2]}/{stray[2:4]}/{stray}")
    result = runner.invoke(args=["evidence", "verify"])
    assert (result.exit_code, result.output) == (
        1,
        f"đã thay đổi: {KEY}\n0 tệp khớp; 0 thiếu, 1 đã thay đổi, 0 không được tham chiếu.\n",
    )


def test_backup_copies_the_bucket_and_restore_puts_it_back(app: Flask, s3_endpoint: str, bucket: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from coordination.backup import restore_evidence

    add_evidence(fresh_assignment(), io.BytesIO(PDF), "a.pdf", actor=get_user("education.tayninh"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    entry = {"path": f"evidence/{KEY[:2]}/{KEY[2:4]}/{KEY}", "sha256": KEY, "size": len(PDF)}
    assert entry in manifest["files"]
    assert (tmp_path / "backup" / entry["path"]).read_bytes() == PDF

    boto3.client("s3", endpoint_url=s3_endpoint).delete_object(Bucket=bucket, Key=entry["path"])
    assert restore_evidence(get_store(), tmp_path / "backup", manifest) == [KEY]
    assert objects(s3_endpoint, bucket) == [entry["path"]]


def test_doctor_checks_the_bucket(app: Flask, bucket: str) -> None:
    from coordination.observability.doctor import check_evidence_store

    assert check_evidence_store(app).ok
    app.config["EVIDENCE_S3_BUCKET"] = "no-such-bucket"
    finding = check_evidence_store(app)
    assert (finding.ok, finding.check) == (False, "EVIDENCE_S3_BUCKET")
    assert "no-such-bucket" in finding.detail and "NoSuchBucket" in finding.detail
