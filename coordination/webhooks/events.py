"""The events a webhook endpoint may subscribe to, and the audit actions that raise them.

The audit history is the outbox: every operation already writes its AuditEvent in the transaction of its
change, so an event exists exactly when the change was committed. `deliver` turns new audit events into
deliveries (see operations.enqueue_new_events). A new event is one line in ACTION_EVENTS.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

DIRECTIVE_ACTIVATED = "directive.activated"
ASSIGNMENT_STATUS_CHANGED = "assignment.status_changed"
REMINDER_SENT = "reminder.sent"
REPORT_GENERATED = "report.generated"
#: sent by "send a test event", never subscribed to
PING = "ping"

#: the events an endpoint may subscribe to, with their labels
EVENT_LABELS = {
    DIRECTIVE_ACTIVATED: _l("Văn bản được kích hoạt"),
    ASSIGNMENT_STATUS_CHANGED: _l("Nhiệm vụ đổi trạng thái"),
    REMINDER_SENT: _l("Đã gửi đôn đốc"),
    REPORT_GENERATED: _l("Đã lập báo cáo"),
}
EVENT_TYPES = tuple(EVENT_LABELS)

#: audit action -> webhook event (the state machine's actions, the reminder rules, the report)
ACTION_EVENTS = {
    "directive.activate": DIRECTIVE_ACTIVATED,
    "assignment.start": ASSIGNMENT_STATUS_CHANGED,
    "assignment.report_done": ASSIGNMENT_STATUS_CHANGED,
    "assignment.accept": ASSIGNMENT_STATUS_CHANGED,
    "assignment.return": ASSIGNMENT_STATUS_CHANGED,
    "assignment.resume": ASSIGNMENT_STATUS_CHANGED,
    "assignment.cancel": ASSIGNMENT_STATUS_CHANGED,
    "reminder.manual": REMINDER_SENT,
    "reminder.before": REMINDER_SENT,
    "reminder.on_day": REMINDER_SENT,
    "reminder.overdue": REMINDER_SENT,
    "reminder.escalation": REMINDER_SENT,
    "report.generate": REPORT_GENERATED,
}

#: free text of an audit snapshot (notes, reasons, messages, recipients' names) may hold personal data:
#: a receiver reads it through the API, with its own permissions, never in a webhook body
PRIVATE_KEYS = frozenset({"note", "reason", "message", "recipients", "question", "answer"})


def actions_for(event_types: list[str]) -> list[str]:
    """The audit actions that raise any of these events."""
    return sorted(action for action, event in ACTION_EVENTS.items() if event in event_types)
