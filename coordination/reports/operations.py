"""What generating a report writes: one audit event (who, which scope, as of which day, which format)."""

from __future__ import annotations

from datetime import date

from coordination import audit
from coordination.reports.compliance import ReportScope


def record_report_generated(scope: ReportScope, day: date, fmt: str, *, actor: audit.Actor) -> None:
    """Record in the history that a report was generated (issue 15: the `report.generated` webhook).

    Called once the report is built, right before the answer: the history's append lock is then held only
    to the commit, never through a long PDF. A report carries the agencies' notes, which may hold personal
    data, so who printed what is worth keeping anyway. The event names no directive_id: it is not a change of
    the directive and stays out of its history page.
    """
    audit.record(
        actor,
        "report.generate",
        "report",
        # the object reported on; 0 for a period or everything (no single row)
        (scope.directive.id if scope.directive else scope.agency.id if scope.agency else 0),
        after={
            "scope": scope.kind,
            "directive": scope.directive.ref if scope.directive else None,
            "agency": scope.agency.code if scope.agency else None,
            "issued_from": scope.issued_from,
            "issued_to": scope.issued_to,
            "as_of": day,
            "format": fmt,
            "role": scope.role,
            "status": sorted(scope.statuses),
            "timeliness": sorted(scope.timeliness),
        },
    )
