"""Evidence in an S3-compatible object store (AWS S3, MinIO, Ceph, a cloud provider's object storage).

Chosen by `EVIDENCE_STORE = "s3"`, for several app servers sharing the files. Keys are the same
content addresses as on disk (`<prefix>ab/cd/<sha256>`). The bytes are hashed while they are spooled
to a temporary file, so the key is known before the upload; an S3 PUT is atomic, so a key holds the
whole file or nothing, as the directory store's rename gives.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any, BinaryIO

from coordination.evidence.storage import CHUNK, StoredBlob, check_key, copy_hashed, is_key, stream_sha256

#: files up to this size stay in memory while they are hashed; larger ones go to a temporary file
SPOOL_IN_MEMORY = 8 * CHUNK


class S3EvidenceStore:
    """A bucket and a key prefix; the client comes from boto3's usual chain of credentials."""

    def __init__(self, client: Any, bucket: str, prefix: str = "evidence/") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _key(self, sha256: str) -> str:
        check_key(sha256)
        return f"{self.prefix}{sha256[:2]}/{sha256[2:4]}/{sha256}"

    def put(self, stream: BinaryIO, *, max_size: int) -> StoredBlob:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
            key, size = copy_hashed(stream, spool, max_size=max_size)
            if self.exists(key):
                return StoredBlob(key, size, created=False)
            spool.seek(0)
            self.client.upload_fileobj(spool, self.bucket, self._key(key))
        return StoredBlob(key, size, created=True)

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(sha256))["Body"]
        except self.client.exceptions.NoSuchKey:
            raise FileNotFoundError(sha256) from None

    def exists(self, sha256: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(sha256))
        except self.client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(sha256))

    def stored_keys(self) -> Iterator[str]:
        """Yield the stored keys in sorted order (S3 lists keys in UTF-8 binary order, as sorted() does)."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"].rsplit("/", 1)[-1]
                if item["Key"] == f"{self.prefix}{name[:2]}/{name[2:4]}/{name}" and is_key(name):
                    yield name

    def sha256(self, sha256: str) -> str:
        """Re-hash the stored bytes (for `evidence verify`)."""
        with self.open(sha256) as stream:
            return stream_sha256(stream)


def s3_store_from_config(config: Any) -> S3EvidenceStore:
    """The store the settings describe; boto3 is imported only by deployments that use it."""
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=config.get("EVIDENCE_S3_ENDPOINT_URL") or None,
        region_name=config.get("EVIDENCE_S3_REGION") or None,
    )
    return S3EvidenceStore(client, config["EVIDENCE_S3_BUCKET"], config.get("EVIDENCE_S3_PREFIX", "evidence/"))
