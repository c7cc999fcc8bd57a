"""Trang chủ: what needs attention now, counted in the scope the role acts on, each number a link to its list.

The office counts its issuer's directives, the monitor its monitored ones, an officer its agency's work:
the dashboard's own numbers (reports.dashboard.counts), so that the two pages never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_admin import expose

from coordination.admin import queries
from coordination.admin.base import SecureIndexView, current
from coordination.admin.queue import waiting_number
from coordination.assignments.states import Timeliness
from coordination.auth.models import User
from coordination.permissions import followed_scope, keeps_a_queue
from coordination.queue.queries import QueueKind, queue_counts
from coordination.replica import replica_reads
from coordination.reports.dashboard import DashboardFilters, counts, followed_directive_count
from coordination.templating import format_number

#: open work: everything counted but what is finished (reported work still counts, as on the dashboard)
OPEN_TIMELINESS = [
    Timeliness.on_time.value,
    Timeliness.due_soon.value,
    Timeliness.overdue.value,
    Timeliness.no_deadline.value,
]


@dataclass(frozen=True)
class Counter:
    key: str
    value: int
    url: str
    #: the number as the card shows it (the queue's count stops at its limit: "1.000+"); else the value formatted
    shown: str = ""

    def __post_init__(self) -> None:
        if not self.shown:
            object.__setattr__(self, "shown", format_number(self.value))


def home_counters(user: User) -> list[Counter]:
    """The home page's numbers and the list behind each: two queries (the dashboard's aggregate, the directives)."""
    numbers = counts(user, DashboardFilters())
    work = "assignment.index_view"
    result = [
        Counter("directives", followed_directive_count(user), url_for("directive.index_view", scope=queries.FOLLOWED)),
        Counter(
            "open",
            sum(numbers[t] for t in OPEN_TIMELINESS),
            url_for(work, scope=queries.FOLLOWED, timeliness=OPEN_TIMELINESS),
        ),
        Counter("overdue", numbers["overdue"], url_for(work, scope=queries.FOLLOWED, timeliness="overdue")),
        Counter("due_soon", numbers["due_soon"], url_for(work, scope=queries.FOLLOWED, timeliness="due_soon")),
    ]
    if keeps_a_queue(user):
        waiting = queue_counts(user)[QueueKind.review.value]
        result.append(Counter("review", waiting, url_for("queue.index", _anchor="review"), waiting_number(waiting)))
    return result


class HomeView(SecureIndexView):
    @expose("/")
    def index(self) -> Any:
        user = current()
        with replica_reads():  # issue 14: the counters only read; REPLICA_DATABASE_URL set, from the standby
            counters = home_counters(user)
        return self.render(
            "admin/home.html",
            user=user,
            counters=counters,
            scope=followed_scope(user),
            progress=queries.directive_progress(user),
        )
