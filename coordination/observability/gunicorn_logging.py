"""gunicorn's error and access logs as JSON lines, like the app's (deploy/gunicorn.conf.py names this class)."""

from __future__ import annotations

import datetime
from typing import Any

from gunicorn.glogging import Logger

from coordination.observability.logs import ENV_REQUEST_ID, ENV_ROUTE, ENV_USER_ID, UNMATCHED, json_formatter, quiet


class JsonLogger(Logger):
    """One JSON object per line; the access line names the route's rule, never the path or query string."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            for handler in logger.handlers:
                handler.setFormatter(json_formatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: datetime.timedelta) -> None:
        if not self.cfg.accesslog:
            return
        route = environ.get(ENV_ROUTE) or UNMATCHED
        if quiet(route):
            return
        status = getattr(resp, "status_code", None) or int(str(resp.status).split(" ", 1)[0])
        self.access_log.info(
            "access",
            extra={
                "request_id": environ.get(ENV_REQUEST_ID),
                "user_id": environ.get(ENV_USER_ID),
                "route": route,
                "method": environ.get("REQUEST_METHOD"),
                "status": status,
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
                "bytes": getattr(resp, "sent", None),
                "remote_addr": environ.get("REMOTE_ADDR"),
            },
        )
