"""A real HTTP receiver in the test process (http.server in a thread), and the setting that lets webhooks reach it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the endpoint got, and what it answers: `statuses` in turn, then 200; each answer after `delay` s."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def delivery_ids(self) -> list[int]:
        return [int(r.headers["X-Coordination-Delivery"]) for r in self.requests]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if receiver.delay:
                time.sleep(receiver.delay)
            with receiver.lock:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
            answer = b'{"ok": true}' if status < 300 else b"receiver broke: " + b"x" * 3000
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 and a free port, for the test's length."""
    holder = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    holder.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/coordination"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def allow_private(app: Flask) -> Iterator[None]:
    """The receiver listens on 127.0.0.1, which production refuses (SSRF): this deployment allows it."""
    previous = app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"]
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = True
    yield
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = previous
