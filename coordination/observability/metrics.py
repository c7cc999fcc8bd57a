"""/metrics in Prometheus' text format, summed over every gunicorn worker (prometheus_client's multiprocess mode).

Request counters and latency histograms are written by each worker as it serves (into the files under
PROMETHEUS_MULTIPROC_DIR, which deploy/gunicorn.conf.py sets up); the figures the database holds (evidence
bytes, the last reminders run, the e-mail queue, open and overdue work) are read at scrape time by a few
cheap aggregate queries, once for the whole deployment: no label per agency or directive.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Iterator
from datetime import UTC

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from werkzeug.wrappers import Response

from coordination.extensions import csrf, db
from coordination.observability.logs import RequestOutcome

bp = Blueprint("metrics", __name__)

# Not registered in prometheus_client's global registry: each scrape builds its own (see _registry).
REQUESTS = Counter(
    "coordination_http_requests",
    "Requests served, by route rule, method and status class.",
    ["route", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "coordination_http_request_duration_seconds",
    "Time to answer a request, by route rule, method and status class.",
    ["route", "method", "status"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)
# A worker's pool, summed over the live workers.
POOL = Gauge(
    "coordination_db_pool_connections",
    "Database connections of the workers' pools, by state (checked_out, idle, overflow).",
    ["state"],
    multiprocess_mode="livesum",
    registry=None,
)
PROCESS_METRICS = (REQUESTS, LATENCY, POOL)


def observe_request(outcome: RequestOutcome) -> None:
    """Count and time one served request (a RequestObserver observer); /metrics itself is not counted."""
    if outcome.route == "/metrics":
        return
    labels = (outcome.route, outcome.method, f"{outcome.status // 100}xx")
    REQUESTS.labels(*labels).inc()
    LATENCY.labels(*labels).observe(outcome.duration)


def observe_pool(app: Flask) -> None:
    """This worker's pool as it stands after a request (QueuePool only; SQLite's memory pools have no count)."""
    engine = app.extensions.get("coordination.engine")
    if engine is None:
        with app.app_context():  # once: the engine lives as long as the app (dispose() swaps only its pool)
            engine = app.extensions["coordination.engine"] = db.engine
    pool = engine.pool
    if not hasattr(pool, "checkedout"):
        return
    POOL.labels("checked_out").set(pool.checkedout())
    POOL.labels("idle").set(pool.checkedin())
    POOL.labels("overflow").set(max(pool.overflow(), 0))


class DatabaseCollector(Collector):
    """Figures read from the database at scrape time: a handful of aggregate queries, no per-object label."""

    def collect(self) -> Iterator[Metric]:
        # The request metrics are still served when the database is down; this gauge says it is.
        try:
            figures = list(self._figures())
        except sa.exc.SQLAlchemyError:
            db.session.rollback()
            figures = []
        yield GaugeMetricFamily(
            "coordination_database_up", "1 when the figures below could be read from the database.", 1 if figures else 0
        )
        yield from figures

    def _figures(self) -> Iterator[Metric]:
        from coordination.assignments.models import Assignment
        from coordination.assignments.queries import timeliness_is
        from coordination.assignments.states import OPEN_STATUSES, Timeliness
        from coordination.auth.models import User
        from coordination.directives.models import Directive, DirectiveStatus, Task
        from coordination.evidence.models import Evidence
        from coordination.reminders.mail import awaiting_mail
        from coordination.reminders.models import Notification, ReminderRun

        session = db.session
        # Files are stored once per content: count each SHA-256 once.
        per_file = sa.select(sa.func.max(Evidence.size).label("size")).group_by(Evidence.sha256).subquery()
        stored = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(per_file.c.size), 0)))
        yield GaugeMetricFamily("coordination_evidence_stored_bytes", "Bytes of evidence files stored.", stored)

        run = session.scalars(sa.select(ReminderRun).order_by(ReminderRun.finished_at.desc()).limit(1)).first()
        finished = run.finished_at.astimezone(UTC).timestamp() if run else 0
        yield GaugeMetricFamily(
            "coordination_reminders_last_run_timestamp_seconds",
            "When the last reminders run finished (Unix time; 0: never).",
            finished,
        )
        yield GaugeMetricFamily(
            "coordination_reminders_last_run_sent", "Reminders the last run sent.", run.sent if run else 0
        )
        yield GaugeMetricFamily(
            "coordination_reminders_last_run_emails_failed",
            "E-mail digests the last run could not send (retried next run).",
            run.emails_failed if run else 0,
        )
        queued = session.scalar(
            sa.select(sa.func.count(sa.distinct(Notification.user_id)))
            .join(User, User.id == Notification.user_id)
            .where(awaiting_mail())
        )
        yield GaugeMetricFamily(
            "coordination_email_queue_digests", "E-mail digests waiting for the next reminders run.", queued
        )

        published = (
            sa.select(sa.func.count(Assignment.id))
            .join(Task, Task.id == Assignment.task_id)
            .join(Directive, Directive.id == Task.directive_id)
            .where(Directive.status != DirectiveStatus.draft)
        )
        open_work = session.scalar(published.where(Assignment.status.in_([s.value for s in OPEN_STATUSES])))
        overdue = session.scalar(published.where(timeliness_is(Timeliness.overdue)))
        yield GaugeMetricFamily("coordination_assignments_open", "Open assignments of published directives.", open_work)
        yield GaugeMetricFamily(
            "coordination_assignments_overdue", "Overdue assignments of published directives (today, local).", overdue
        )


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every worker's files, live and dead
    else:
        for metric in PROCESS_METRICS:
            registry.register(metric)
    registry.register(DatabaseCollector())
    return registry


def allowed(address: str | None, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def allowed_networks(setting: str | tuple[str, ...] | list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    items = setting.split(",") if isinstance(setting, str) else setting
    return [ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip()]


@bp.get("/metrics")
@csrf.exempt
def metrics() -> Response:
    # Unknown to anyone not allowed: the same 404 as a page that does not exist.
    if not allowed(request.remote_addr, current_app.extensions["coordination.metrics_networks"]):
        abort(404)
    return Response(generate_latest(_registry()), mimetype=CONTENT_TYPE_LATEST)


def init_metrics(app: Flask) -> list[Callable[[RequestOutcome], None]]:
    """Register /metrics; return the observers the request middleware calls after each request."""
    app.extensions["coordination.metrics_networks"] = allowed_networks(app.config["METRICS_ALLOWED_IPS"])
    app.register_blueprint(bp)
    # After the request, outside it: its connection is back in the pool by then.
    return [observe_request, lambda _outcome: observe_pool(app)]
