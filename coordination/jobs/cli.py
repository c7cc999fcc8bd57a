"""`flask --app wsgi jobs worker`: the export worker; `jobs purge`: expired files away (daily)."""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from rq import SimpleWorker, Worker

jobs_cli = AppGroup("jobs", help="Background exports: the worker, and the purge of expired files.")

log = logging.getLogger(__name__)


class QuickStop:
    """Listen to the worker's command channel waking every second, not every 60 s.

    redis 8.2's PubSubWorkerThread.stop() waits for the thread, which RQ 3.0 starts with sleep_time=60: every
    stop of a worker (a burst's end, systemd's restart) took up to a minute. Otherwise RQ's own subscribe().
    """

    def subscribe(self) -> None:
        worker: Any = self
        worker.log.info("Worker %s: subscribing to channel %s", worker.name, worker.pubsub_channel_name)
        worker.pubsub = worker.connection.pubsub()
        worker.pubsub.subscribe(**{worker.pubsub_channel_name: worker.handle_payload})
        worker.pubsub_thread = worker.pubsub.run_in_thread(
            sleep_time=1, daemon=True, exception_handler=worker._pubsub_exception_handler
        )


class SimpleExportWorker(QuickStop, SimpleWorker):
    """Each job in the worker's own process (`--simple`; the tests)."""


class ExportWorker(QuickStop, Worker):
    """RQ's forking worker, keeping the export table in step with what happens to the work horse."""

    def main_work_horse(self, *args: Any, **kwargs: Any) -> None:
        # The forked child must not share the parent's database connections: it opens its own.
        from coordination.extensions import db

        db.engine.dispose(close=False)
        super().main_work_horse(*args, **kwargs)

    def handle_job_failure(self, job: Any, queue: Any, *args: Any, **kwargs: Any) -> None:
        # A work horse killed (timeout, out of memory) never reached run_export's own handler.
        super().handle_job_failure(job, queue, *args, **kwargs)
        job_id = _export_id(job.id)
        if job_id is None:
            return
        from flask_babel import gettext as _

        from coordination.extensions import db
        from coordination.jobs.operations import mark_failed

        with current_app.app_context():
            mark_failed(job_id, _("Quá thời gian xử lý hoặc tiến trình bị dừng; hãy yêu cầu lại."))
            db.session.commit()


def _export_id(rq_id: str) -> int | None:
    prefix, _sep, number = rq_id.partition("-")
    return int(number) if prefix == "export" and number.isdigit() else None


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Work until the queue is empty, then stop.")
@click.option("--simple", is_flag=True, help="Run each job in this process instead of a forked child.")
def worker_command(burst: bool, simple: bool) -> None:
    """Run the export worker on REDIS_URL (systemd: coordination-worker.service)."""
    from coordination.jobs.queue import QUEUE_NAME, queue_configured, redis_connection

    if not queue_configured():
        raise click.ClickException("REDIS_URL is not set: there is no queue to work on.")
    # WeasyPrint narrates every step of every PDF at INFO: the journal wants the worker's own lines.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    worker_class = SimpleExportWorker if simple else ExportWorker
    worker = worker_class([QUEUE_NAME], connection=redis_connection())
    worker.work(burst=burst, logging_level=current_app.config.get("LOG_LEVEL", "INFO"), with_scheduler=False)


@jobs_cli.command("purge")
def purge_command() -> None:
    """Delete the files of expired exports; mark failed the jobs stuck past their timeout."""
    from coordination.extensions import db
    from coordination.jobs.operations import purge_exports

    removed, failed = purge_exports()
    db.session.commit()
    click.echo(f"files removed {removed}, stuck jobs failed {failed}")
