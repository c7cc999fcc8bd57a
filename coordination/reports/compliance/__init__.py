"""Compliance reports: which work is done on time, done late, open in time or overdue, as of any day.

Query functions here return rows (dataclasses); the renderers (HTML, PDF, xlsx, CSV, JSON) only
format them. A report is built from a handful of bulk queries per batch of directives, never one
query per row, and a past day's report is rebuilt from the audit history (see `asof`).

The parts: `scope` (who may report on what, the scope), `rows` (what a report holds), `queries` (building
it), `header` (the document around the tables).
"""

from coordination.reports.compliance.queries import ReportTotals, build_report, iter_blocks
from coordination.reports.compliance.rows import SUMMARY_KEYS, SUMMARY_LABELS, ComplianceReport, Counts, DirectiveBlock
from coordination.reports.compliance.scope import (
    ReportScope,
    directive_by_ref,
    directive_for_report,
    may_report,
    reportable_clause,
    require_reporter,
    resolve_scope,
)

__all__ = [
    "SUMMARY_KEYS",
    "SUMMARY_LABELS",
    "ComplianceReport",
    "Counts",
    "DirectiveBlock",
    "ReportScope",
    "ReportTotals",
    "build_report",
    "directive_by_ref",
    "directive_for_report",
    "iter_blocks",
    "may_report",
    "reportable_clause",
    "require_reporter",
    "resolve_scope",
]
