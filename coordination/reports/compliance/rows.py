"""What a compliance report holds: counts, rows per task and assignment, targets, the header; renderers format these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coordination.assignments.models import AssignmentRole
from coordination.assignments.states import Status, Timeliness
from coordination.directives.labels import DOC_TYPE_LABELS
from coordination.directives.models import Directive
from coordination.indicators.trajectory import Outcome, Rating
from coordination.reports.compliance.scope import ReportScope

#: directives per batch of bulk queries: bounds memory per batch and the size of IN lists
BATCH_DIRECTIVES = 200

#: the four counts the Government Office publishes per agency, then "not started" (a part of the open ones)
SUMMARY_KEYS = ("done_on_time", "done_late", "open_on_time", "open_overdue", "not_started")
SUMMARY_LABELS = {
    "done_on_time": _l("Hoàn thành đúng hạn"),
    "done_late": _l("Hoàn thành quá hạn"),
    "open_on_time": _l("Chưa hoàn thành, còn trong hạn"),
    "open_overdue": _l("Chưa hoàn thành, quá hạn"),
    "not_started": _l("Trong đó: chưa thực hiện"),
}
_BUCKET = {
    Timeliness.done_on_time: "done_on_time",
    Timeliness.done_late: "done_late",
    Timeliness.overdue: "open_overdue",
    Timeliness.on_time: "open_on_time",
    Timeliness.due_soon: "open_on_time",
    Timeliness.no_deadline: "open_on_time",
}
RATING_LABELS = {
    Rating.green: _l("Đạt tiến độ"),
    Rating.amber: _l("Chậm so với kế hoạch, dự kiến kịp hạn"),
    Rating.red: _l("Không kịp thời hạn"),
}
#: a target past its deadline (issue 11)
OUTCOME_LABELS = {Outcome.met: _l("Đạt"), Outcome.missed: _l("Không đạt")}
EMPTY_MESSAGE = _l("Không có nhiệm vụ nào trong phạm vi báo cáo.")


def _percent(part: int, whole: int) -> float | None:
    """One decimal, half up, as the Government Office prints shares (73,3%)."""
    if not whole:
        return None
    return float((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass
class Counts:
    """Assignments by outcome; cancelled work counts in none of them."""

    assignments: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open_on_time: int = 0
    open_overdue: int = 0
    not_started: int = 0
    cancelled: int = 0
    tasks: int = 0

    def add(self, row: AssignmentRow) -> None:
        if row.timeliness is None:
            self.cancelled += 1
            return
        self.assignments += 1
        setattr(self, _BUCKET[Timeliness(row.timeliness)], getattr(self, _BUCKET[Timeliness(row.timeliness)]) + 1)
        if row.status == Status.not_started:
            self.not_started += 1

    def percent(self, key: str) -> float | None:
        return _percent(getattr(self, key), self.assignments)

    def as_dict(self) -> dict:
        return {
            "tasks": self.tasks,
            "assignments": self.assignments,
            **{key: getattr(self, key) for key in SUMMARY_KEYS},
            "cancelled": self.cancelled,
            "percent": {key: self.percent(key) for key in SUMMARY_KEYS},
        }


@dataclass
class AssignmentRow:
    id: int
    agency_id: int
    agency_code: str
    agency_name: str
    role: str
    status: str
    timeliness: str | None
    deadline: date | None
    #: the deadline before the first approved extension, when there was one
    original_deadline: date | None
    reported_done_on: date | None
    completed_on: date | None
    progress_percent: int | None
    days_late: int
    #: the latest progress note (a monitor's bare acceptance note left out: the status says it)
    result: str
    evidence_count: int
    explanations_sent: int = 0
    explanations_unanswered: int = 0

    @property
    def overdue(self) -> bool:
        return self.timeliness == Timeliness.overdue

    @property
    def is_lead(self) -> bool:
        return self.role == AssignmentRole.lead


@dataclass
class TaskRow:
    id: int
    directive_id: int
    label: str
    #: "2 -" for a dash under task 2: what a reader quotes
    display_label: str
    position: int
    parent_id: int | None
    parent_label: str | None
    text: str
    deadline: date | None
    depth: int
    #: running number in the report: 1, 2, 2.1 ...
    stt: str = ""
    assignments: list[AssignmentRow] = field(default_factory=list)
    #: shown only to place its sub-items: none of its own work is in the scope
    context_only: bool = False

    @property
    def leads(self) -> list[str]:
        return list(dict.fromkeys(a.agency_name for a in self.assignments if a.is_lead))

    @property
    def coordinators(self) -> list[str]:
        return list(dict.fromkeys(a.agency_name for a in self.assignments if not a.is_lead))

    @property
    def overdue(self) -> bool:
        return any(a.overdue for a in self.assignments)


@dataclass
class DirectiveInfo:
    id: int
    ref: str
    doc_type: str
    doc_type_label: str
    issued_on: date
    subject: str
    place: str | None
    issuer_id: int
    issuer_name: str
    issuer_short: str
    monitor_agency_id: int | None
    report_to_name: str | None
    signer_name: str | None
    signer_title: str | None
    signer_authority: str | None
    symbol: str

    @property
    def heading(self) -> str:
        """ "Công văn số 2157/UBND-KSTT ngày 14/8/2022 của UBND tỉnh Tây Ninh" """
        return _(
            "%(type)s số %(ref)s ngày %(day)s của %(issuer)s",
            type=self.doc_type_label,
            ref=self.ref,
            day=short_date(self.issued_on),
            issuer=self.issuer_short,
        )


@dataclass
class DirectiveBlock:
    directive: DirectiveInfo
    tasks: list[TaskRow]


@dataclass
class AgencySummary:
    agency_id: int
    code: str
    name: str
    counts: Counts = field(default_factory=Counts)
    explanations_sent: int = 0
    explanations_unanswered: int = 0


@dataclass
class IndicatorRow:
    id: int
    directive_ref: str
    name: str
    unit: str
    target: float
    actual: float | None
    actual_on: date | None
    planned: float | None
    percent: float | None
    rating: str
    rating_label: str
    deadline: date | None
    per_day: bool
    chart: str


@dataclass
class ReportHeader:
    """The parts of an administrative document (Nghị định 30/2020/NĐ-CP) around the tables."""

    superior_name: str | None
    body_name: str | None
    number_line: str
    place: str | None
    dated: date
    title: str
    subtitle: str
    subject: str | None
    notes: list[str]
    recipients: list[str]
    signer_authority: list[str]
    signer_title: str | None
    signer_name: str | None

    @property
    def place_and_date(self) -> str:
        return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s", place=self.place or "……", **_dmy(self.dated))


@dataclass
class ComplianceReport:
    scope: ReportScope
    as_of: date
    header: ReportHeader
    summary: Counts
    agencies: list[AgencySummary]
    blocks: list[DirectiveBlock]
    indicators: list[IndicatorRow]

    @property
    def empty(self) -> bool:
        return not any(task.assignments for block in self.blocks for task in block.tasks)

    @property
    def tasks(self) -> list[TaskRow]:
        return [task for block in self.blocks for task in block.tasks]

    @property
    def several_directives(self) -> bool:
        return len(self.blocks) > 1 or self.scope.kind != "directive"

    @property
    def per_agency(self) -> bool:
        return len(self.agencies) > 1


def short_date(day: date) -> str:
    """14/8/2022: how a directive is cited in running text."""
    return f"{day.day}/{day.month}/{day.year}"


def _dmy(day: date) -> dict[str, str]:
    # Nghị định 30: a day below 10 and the months 1 and 2 take a leading zero.
    return {
        "d": f"{day.day:02d}",
        "m": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "y": str(day.year),
    }


def _directive_info(directive: Directive) -> DirectiveInfo:
    issuer = directive.issuer
    return DirectiveInfo(
        id=directive.id,
        ref=directive.ref,
        doc_type=directive.doc_type.value,
        doc_type_label=str(DOC_TYPE_LABELS[directive.doc_type]),
        issued_on=directive.issued_on,
        subject=directive.subject,
        place=directive.place,
        issuer_id=issuer.id,
        issuer_name=issuer.name_vi,
        issuer_short=issuer.short_name or issuer.name_vi,
        monitor_agency_id=directive.monitor_agency_id,
        report_to_name=directive.report_to_agency.name_vi if directive.report_to_agency else None,
        signer_name=directive.signer_name,
        signer_title=directive.signer_title,
        signer_authority=directive.signer_authority,
        symbol=directive.symbol,
    )
