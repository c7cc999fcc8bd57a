"""gunicorn settings for coordination: `gunicorn -c deploy/gunicorn.conf.py wsgi:app` (the systemd unit runs this).

Each setting may be overridden by the GUNICORN_* variable of the environment file; the defaults suit one
virtual machine behind nginx on the same host.
"""

import multiprocessing
import os
import shutil
import tempfile

# Before anything imports prometheus_client (the app, with preload_app, loads after this file): in
# multiprocess mode every worker writes its counters under this directory and /metrics sums them.
metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "coordination-metrics")
)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The usual 2 x CPUs + 1: requests wait mostly on PostgreSQL, not on Python.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Large PDF and xlsx reports take tens of seconds; nginx's proxy_read_timeout is set a little longer.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (at different moments) so that a slow leak never grows for long.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Load the app once in the master: workers fork with it ready, and a broken configuration stops the start.
preload_app = True

# JSON lines on stderr, which systemd sends to the journal; the access line carries the request id.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logger_class = "coordination.observability.gunicorn_logging.JsonLogger"
# nginx passes the client's address in X-Forwarded-For; the app's ProxyFix (PROXY_COUNT) reads it.
forwarded_allow_ips = "127.0.0.1,::1"
proc_name = "coordination"


def on_starting(server):  # type: ignore[no-untyped-def]
    """Start with an empty metrics directory: files left by a previous run would be counted again."""
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    """Forget a dead worker's live gauges (its counters stay summed in)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
