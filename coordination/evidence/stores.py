"""The evidence store the settings choose: the directory (storage.py) or an S3-compatible bucket (s3.py)."""

from __future__ import annotations

from flask import current_app

from coordination.evidence.storage import EvidenceStore, LocalEvidenceStore


def get_store() -> EvidenceStore:
    """The app's evidence store, as `EVIDENCE_STORE` chooses: "directory" (default) or "s3"."""
    config = current_app.config
    if config.get("EVIDENCE_STORE", "directory") != "s3":
        return LocalEvidenceStore(config["EVIDENCE_DIR"])
    # One S3 client per app and settings: making a client costs tens of milliseconds.
    settings = tuple(
        config.get(name) for name in ("EVIDENCE_S3_BUCKET", "EVIDENCE_S3_PREFIX", "EVIDENCE_S3_ENDPOINT_URL")
    )
    cached = current_app.extensions.get("evidence_s3_store")
    if cached is None or cached[0] != settings:
        from coordination.evidence.s3 import s3_store_from_config

        cached = (settings, s3_store_from_config(config))
        current_app.extensions["evidence_s3_store"] = cached
    return cached[1]
