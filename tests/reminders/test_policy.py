"""The reminder policy on a table of (deadline, today, earlier reminders) cases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from coordination.reminders.policy import Policy, Rule, Sent, due_rules

DEADLINE = date(2026, 12, 10)
D = timedelta(days=1)
P = Policy(days_before=3, remind_on_day=True, overdue_every_days=3, escalate_after=2)


@pytest.mark.parametrize(
    ("today", "sent", "escalated", "expected"),
    [
        (DEADLINE - 10 * D, [], False, []),
        (DEADLINE - 4 * D, [], False, []),
        (DEADLINE - 3 * D, [], False, [Rule.before]),
        (DEADLINE - 2 * D, [Sent(Rule.before, DEADLINE - 3 * D)], False, []),
        # a missed cron day is caught up, once
        (DEADLINE - 1 * D, [], False, [Rule.before]),
        (DEADLINE, [Sent(Rule.before, DEADLINE - 3 * D)], False, [Rule.on_day]),
        (DEADLINE, [Sent(Rule.before, DEADLINE - 3 * D), Sent(Rule.on_day, DEADLINE)], False, []),
        (DEADLINE + D, [Sent(Rule.on_day, DEADLINE)], False, [Rule.overdue]),
        (DEADLINE + 2 * D, [Sent(Rule.overdue, DEADLINE + D)], False, []),
        (DEADLINE + 3 * D, [Sent(Rule.overdue, DEADLINE + D)], False, []),
        (DEADLINE + 4 * D, [Sent(Rule.overdue, DEADLINE + D)], False, [Rule.overdue]),
        # after two overdue reminders, the next one escalates
        (
            DEADLINE + 7 * D,
            [Sent(Rule.overdue, DEADLINE + D), Sent(Rule.overdue, DEADLINE + 4 * D)],
            False,
            [Rule.escalation],
        ),
        (
            DEADLINE + 8 * D,
            [
                Sent(Rule.overdue, DEADLINE + D),
                Sent(Rule.overdue, DEADLINE + 4 * D),
                Sent(Rule.escalation, DEADLINE + 7 * D),
            ],
            True,
            [],
        ),
        # once escalated, plain overdue reminders continue every K days
        (
            DEADLINE + 10 * D,
            [
                Sent(Rule.overdue, DEADLINE + D),
                Sent(Rule.overdue, DEADLINE + 4 * D),
                Sent(Rule.escalation, DEADLINE + 7 * D),
            ],
            True,
            [Rule.overdue],
        ),
        # first seen long after the deadline: one overdue reminder, not a backlog
        (DEADLINE + 400 * D, [], False, [Rule.overdue]),
    ],
)
def test_policy_table(today: date, sent: list[Sent], escalated: bool, expected: list[Rule]) -> None:
    assert due_rules(DEADLINE, today, sent, P, escalated=escalated) == expected


def test_no_deadline_no_reminder() -> None:
    assert due_rules(None, DEADLINE, [], P, escalated=False) == []


def test_policy_can_switch_off_parts() -> None:
    quiet = Policy(days_before=0, remind_on_day=False, overdue_every_days=7, escalate_after=1)
    assert due_rules(DEADLINE, DEADLINE - D, [], quiet, escalated=False) == []
    assert due_rules(DEADLINE, DEADLINE, [], quiet, escalated=False) == []
    assert due_rules(DEADLINE, DEADLINE + D, [], quiet, escalated=False) == [Rule.overdue]
    assert due_rules(DEADLINE, DEADLINE + 8 * D, [Sent(Rule.overdue, DEADLINE + D)], quiet, escalated=False) == [
        Rule.escalation
    ]
