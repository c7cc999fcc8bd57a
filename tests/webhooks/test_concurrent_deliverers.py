"""Two deliverers at once (two servers' timers) send each delivery once: claims skip what the other holds."""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from coordination.audit import SystemActor
from coordination.extensions import db
from coordination.webhooks.models import DeliveryStatus, WebhookDelivery
from coordination.webhooks.operations import create_endpoint, deliver_due, send_test_event
from tests.conftest import make_test_app

ADMIN_CLI = SystemActor("system:test")
NOW = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="PostgreSQL's FOR UPDATE SKIP LOCKED; SQLite has one writer, and one deliverer runs at a time there",
)
def test_two_deliverers_at_once_send_each_delivery_once(scratch_database, tmp_path, receiver) -> None:
    app = make_test_app(str(tmp_path), scratch_database, WEBHOOK_ALLOW_PRIVATE_ADDRESSES=True)
    with app.app_context():
        upgrade()
        endpoint, _ = create_endpoint({"url": receiver.url, "events": ["reminder.sent"]}, actor=ADMIN_CLI)
        ids = [send_test_event(endpoint, actor=ADMIN_CLI, now=NOW).id for _ in range(20)]
        db.session.commit()
    receiver.delay = 0.02  # both deliverers are busy sending at the same time
    errors: list[BaseException] = []

    def deliverer() -> None:
        try:
            with app.app_context():
                deliver_due(NOW, batch=2)
                db.session.remove()
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=deliverer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Counter(receiver.delivery_ids()) == Counter({delivery_id: 1 for delivery_id in ids})
    with app.app_context():
        rows = db.session.execute(sa.select(WebhookDelivery.status, WebhookDelivery.attempts)).all()
        assert rows == [(DeliveryStatus.delivered, 1)] * 20
        db.session.remove()  # its connection back to the pool, which dispose() then closes
        db.engine.dispose()
