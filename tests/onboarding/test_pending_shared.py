"""A checked file waits where every app server reads it: the check may reach one server and the confirmation
another. In the directory store's EVIDENCE_DIR (shared when that directory is), or in the S3 bucket beside the
evidence; never in a server's own temporary directory, and never among the evidence's content addresses."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer

from coordination.evidence.stores import get_store
from coordination.onboarding import pending
from coordination.onboarding.operations import Upload
from tests.conftest import make_test_app

CONTENT = b"ma,ten\nHB-UBND,Uy ban nhan dan tinh Hoa Binh\n"


def _on(app: Flask, action, *args):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        return action(*args)


def test_a_file_checked_on_one_server_is_read_on_another_sharing_the_evidence_directory(
    database: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    shared = tmp_path / "evidence"
    monkeypatch.setenv("TMPDIR", str(tmp_path / "host-a-tmp"))
    first = make_test_app(str(tmp_path / "a"), database, EVIDENCE_DIR=str(shared))
    second = make_test_app(str(tmp_path / "b"), database, EVIDENCE_DIR=str(shared))
    upload_id = _on(first, pending.keep, Upload("co-quan.csv", CONTENT))
    assert sorted(p.name for p in (shared / ".onboarding").iterdir()) == [f"{upload_id}.bin", f"{upload_id}.json"]
    assert _on(second, pending.load, upload_id) == Upload("co-quan.csv", CONTENT)
    with first.test_request_context():
        assert list(get_store().stored_keys()) == []  # not evidence: verify and backup leave it alone
    _on(second, pending.discard, upload_id)
    assert _on(first, pending.load, upload_id) is None


def test_a_file_older_than_a_day_is_gone_and_swept(database: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(str(tmp_path), database)
    old = _on(app, pending.keep, Upload("cu.csv", CONTENT))
    folder = tmp_path / "evidence" / ".onboarding"
    day_ago = time.time() - pending.KEEP_SECONDS - 60
    (folder / f"{old}.json").write_text(f'{{"filename": "cu.csv", "kept_at": {day_ago}}}')
    for path in folder.iterdir():
        os.utime(path, (day_ago, day_ago))
    assert _on(app, pending.load, old) is None
    new = _on(app, pending.keep, Upload("moi.csv", CONTENT))
    assert sorted(p.name for p in folder.iterdir()) == [f"{new}.bin", f"{new}.json"]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_with_the_s3_store_the_file_waits_in_the_bucket_beside_the_evidence(
    database: str, tmp_path, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    client.create_bucket(Bucket=bucket)
    settings = {"EVIDENCE_STORE": "s3", "EVIDENCE_S3_BUCKET": bucket, "EVIDENCE_S3_ENDPOINT_URL": s3_endpoint}
    # Two servers with nothing on disk in common.
    first = make_test_app(str(tmp_path / "a"), database, **settings)
    second = make_test_app(str(tmp_path / "b"), database, **settings)
    upload_id = _on(first, pending.keep, Upload("nguoi-dung.csv", CONTENT))
    keys = sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == [f"evidence/.onboarding/{upload_id}.bin", f"evidence/.onboarding/{upload_id}.json"]
    assert _on(second, pending.load, upload_id) == Upload("nguoi-dung.csv", CONTENT)
    with second.test_request_context():
        assert list(get_store().stored_keys()) == []
    _on(second, pending.discard, upload_id)
    assert _on(first, pending.load, upload_id) is None
    assert client.list_objects_v2(Bucket=bucket).get("Contents", []) == []
