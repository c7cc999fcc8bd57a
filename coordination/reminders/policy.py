"""Which reminder is due today for one assignment: a pure function of dates and earlier reminders."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from coordination.workdays.models import DayUnit

if TYPE_CHECKING:
    from coordination.workdays.calendar import WorkCalendar


class Rule(enum.StrEnum):
    before = "before"
    on_day = "on_day"
    overdue = "overdue"
    escalation = "escalation"
    manual = "manual"


@dataclass(frozen=True)
class Policy:
    days_before: int = 3
    remind_on_day: bool = True
    overdue_every_days: int = 3
    escalate_after: int = 2
    #: how days_before and overdue_every_days count: every day, or working days ("3 ngày làm việc trước hạn")
    days_unit: DayUnit = DayUnit.calendar


@dataclass(frozen=True)
class Sent:
    rule: Rule
    on: date


def due_rules(
    deadline: date | None,
    today: date,
    sent: list[Sent],
    policy: Policy,
    *,
    escalated: bool,
    calendar: WorkCalendar | None = None,
) -> list[Rule]:
    """The reminders to send today (in order), given what was sent before.

    - before: once, when the deadline is `days_before` days away or closer (a missed day is caught up);
    - on_day: on the deadline itself;
    - overdue: the first day late, then every `overdue_every_days` days while late;
    - escalation: once, after `escalate_after` overdue reminders, when the next overdue one falls due.

    With `days_unit` working, both numbers count the working days of `calendar` (required then).
    """
    if deadline is None:
        return []
    working = policy.days_unit == DayUnit.working
    if working and calendar is None:
        raise ValueError("a policy in working days needs the working-day calendar")
    rules: list[Rule] = []
    already = {s.rule for s in sent}
    if working:
        window_opens = calendar.add_working_days(deadline, -policy.days_before)  # type: ignore[union-attr]
    else:
        window_opens = deadline - timedelta(days=policy.days_before)
    if policy.days_before > 0 and window_opens <= today < deadline and Rule.before not in already:
        rules.append(Rule.before)
    if today == deadline and policy.remind_on_day and Rule.on_day not in already:
        rules.append(Rule.on_day)
    if today > deadline:
        overdue = [s.on for s in sent if s.rule == Rule.overdue]
        late = sorted(s.on for s in sent if s.rule in (Rule.overdue, Rule.escalation))
        if late and working:
            since = calendar.working_days_between(late[-1], today)  # type: ignore[union-attr]
        elif late:
            since = (today - late[-1]).days
        if not late or since >= policy.overdue_every_days:
            if len(overdue) >= policy.escalate_after and not escalated and Rule.escalation not in already:
                rules.append(Rule.escalation)
            else:
                rules.append(Rule.overdue)
    return rules
