"""The export queue: RQ on the Redis of REDIS_URL, and the export files' store."""

from __future__ import annotations

import logging

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from coordination.evidence.storage import EvidenceStore, LocalEvidenceStore
from coordination.extensions import db

QUEUE_NAME = "exports"
#: the function the worker runs, by name: the queue carries nothing but this and the job's id
RUN_EXPORT = "coordination.jobs.operations.run_export"

log = logging.getLogger(__name__)


def queue_configured() -> bool:
    """Whether exports may go to a queue at all (REDIS_URL set)."""
    return bool(current_app.config.get("REDIS_URL"))


def redis_connection() -> Redis:
    """One client per app and URL (it holds a connection pool)."""
    url = current_app.config["REDIS_URL"]
    cached = current_app.extensions.get("jobs_redis")
    if cached is None or cached[0] != url:
        cached = (url, Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10))
        current_app.extensions["jobs_redis"] = cached
    return cached[1]


def queue_available() -> bool:
    """A queue is configured and its Redis answers: otherwise an export is made in its request, as before."""
    if not queue_configured():
        return False
    try:
        return bool(redis_connection().ping())
    except RedisError as error:
        log.warning("export queue unreachable, exporting in the request: %s", error)
        return False


def export_queue() -> Queue:
    return Queue(QUEUE_NAME, connection=redis_connection())


def enqueue_after_commit(job_id: int) -> None:
    """Put the job on the queue once the transaction that wrote it commits; never if it rolls back."""
    session: Session = db.session()
    pending: list[int] = session.info.setdefault("exports_to_enqueue", [])
    pending.append(job_id)
    if session.info.get("exports_hooks"):
        return
    session.info["exports_hooks"] = True
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    @event.listens_for(session, "after_commit")
    def _enqueue(sess: Session) -> None:
        ids, sess.info["exports_to_enqueue"] = sess.info.get("exports_to_enqueue", []), []
        if ids:
            with app.app_context():
                queue = export_queue()
                for job_id in ids:
                    queue.enqueue(
                        RUN_EXPORT,
                        job_id,
                        job_id=f"export-{job_id}",
                        job_timeout=app.config.get("EXPORT_JOB_TIMEOUT", 3600),
                        result_ttl=3600,
                        failure_ttl=24 * 3600,
                    )

    @event.listens_for(session, "after_soft_rollback")
    def _forget(sess: Session, previous_transaction) -> None:  # type: ignore[no-untyped-def]
        if previous_transaction.parent is None:
            sess.info["exports_to_enqueue"] = []


def export_store() -> EvidenceStore:
    """Where the files go: EXPORT_DIR, or beside the evidence in its S3 bucket (shared by every server)."""
    config = current_app.config
    if config.get("EVIDENCE_STORE", "directory") != "s3":
        return LocalEvidenceStore(config["EXPORT_DIR"])
    from coordination.evidence.s3 import S3EvidenceStore
    from coordination.evidence.stores import get_store

    evidence = get_store()
    return S3EvidenceStore(evidence.client, evidence.bucket, config.get("EXPORT_S3_PREFIX", "exports/"))  # type: ignore[attr-defined]
