"""From a parsed directive to the draft the office confirms: the proposal, the form values, the import.

There is one way to create a directive: the proposal has the shape of the API body of
`directives.operations.create_directive` (and of `admin.directive_forms.directive_data`), and
`import_directive` creates the draft through that operation, audited, in the caller's transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from coordination.agencies.models import Agency
from coordination.assignments.models import AssignmentRole
from coordination.auth.models import User
from coordination.directives.models import Directive, DocType, Recurrence
from coordination.directives.operations import MAX_DEADLINE_WORKING_DAYS, create_directive
from coordination.importer.resolve import Resolution
from coordination.workdays.calendar import add_working_days

#: the value of "tất cả nơi nhận" in the form's group select (coordination.admin.directive_forms)
ALL_ADDRESSEES = "*all*"
_NO_DEADLINE = {Recurrence.continuous, Recurrence.weekly, Recurrence.monthly, Recurrence.quarterly}


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None  # the parser already warned of a date that does not exist


def _recurrence(value: Any) -> Recurrence:
    # "hằng năm" has no recurrence of its own here: the reviewer sets the deadline.
    return Recurrence(value) if value in {r.value for r in Recurrence} else Recurrence.none


def _specs(names: list[str], role: AssignmentRole, resolutions: dict[str, Resolution]) -> list[dict[str, Any]]:
    """The assignments the resolved names make; unresolved names are left for the reviewer."""
    specs: list[dict[str, Any]] = []
    for name in names or []:
        resolution = resolutions.get(name)
        if resolution is None or not resolution.resolved:
            continue
        specs += [{"agency": code, "role": role} for code in resolution.agency_codes]
        specs += [{"group": group, "role": role} for group in resolution.group_names]
    return specs


def _one_agency(name: str | None, resolutions: dict[str, Resolution]) -> str | None:
    resolution = resolutions.get(name or "")
    if resolution is None or not resolution.resolved or len(resolution.agency_codes) != 1:
        return None
    return resolution.agency_codes[0]


def _in_working_days(n: Any, issued_on: date | None) -> tuple[date | None, int | None]:
    """(deadline, N) for "trong N ngày làm việc kể từ ngày nhận": the N-th working day after the issue date."""
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_DEADLINE_WORKING_DAYS:
        return None, None
    return (add_working_days(issued_on, n) if issued_on else None), n


def _task(
    item: dict[str, Any],
    resolutions: dict[str, Resolution],
    fallback: tuple[date | None, int | None],
    parent_lead: list | None = None,
    *,
    issued_on: date | None = None,
) -> dict[str, Any]:
    recurrence = _recurrence(item.get("recurrence"))
    own = (_date(item.get("deadline")), None)
    if own[0] is None:
        own = _in_working_days(item.get("deadline_working_days"), issued_on)
    # A task whose text sets no date falls under the campaign's; a continuous or periodic one has none.
    if own[0] is not None or own[1] is not None:
        deadline, working_days = own
    else:
        deadline, working_days = (None, None) if recurrence in _NO_DEADLINE else fallback
    if item.get("lead_is_addressees"):
        assignments = [{"all_addressees": True, "role": AssignmentRole.lead}]
    else:
        assignments = _specs(item.get("lead") or [], AssignmentRole.lead, resolutions)
    coordinate = _specs(item.get("coordinate") or [], AssignmentRole.coordinate, resolutions)
    if parent_lead and coordinate and not assignments:
        # "- Phối hợp với Sở Tài chính ...": the sub-item's lead is still its task's.
        assignments = list(parent_lead)
    assignments += coordinate
    task: dict[str, Any] = {
        "label": str(item.get("label") or "-")[:20],
        "text": (item.get("text") or "").strip(),
        "deadline": deadline,
        "deadline_working_days": working_days,
        "recurrence": recurrence,
        "recurrence_day": item.get("recurrence_day"),
        "assignments": assignments,
    }
    if "subtasks" in item:
        lead = [spec for spec in assignments if spec["role"] == "lead"]
        task["subtasks"] = [
            _task(sub, resolutions, (deadline, working_days), lead, issued_on=issued_on)
            for sub in item.get("subtasks") or []
        ]
    return task


def proposed_directive(extraction: dict[str, Any], resolutions: dict[str, Resolution], text: str) -> dict[str, Any]:
    """The create_directive body the extraction proposes, resolved names as codes and group names."""
    issued_on = _date(extraction.get("issued_on"))
    campaign: tuple[date | None, int | None] = (_date(extraction.get("deadline")), None)
    if campaign[0] is None:
        campaign = _in_working_days(extraction.get("deadline_working_days"), issued_on)
    tasks = [_task(item, resolutions, campaign, issued_on=issued_on) for item in extraction.get("tasks") or []]
    addressees: list[str] = []
    for name in extraction.get("addressees") or []:
        for spec in _specs([name], AssignmentRole.lead, resolutions):
            value = spec.get("agency") or spec.get("group")
            if value not in addressees:
                addressees.append(value)
    monitor = _one_agency(extraction.get("monitor"), resolutions)
    report_to = _one_agency(extraction.get("report_to"), resolutions)
    for item in extraction.get("tasks") or []:
        # "chủ trì, theo dõi, đôn đốc ... báo cáo về": the task's lead follows the whole directive.
        if item.get("monitors") and monitor is None:
            monitor = next((_one_agency(n, resolutions) for n in item.get("lead") or []), None)
        if isinstance(item.get("report_to"), str) and report_to is None:
            report_to = _one_agency(item["report_to"], resolutions)
    doc_type = extraction.get("doc_type")
    signer = extraction.get("signer") or {}
    return {
        "number": (extraction.get("number") or "")[:20],
        "symbol": (extraction.get("symbol") or "")[:60],
        "doc_type": DocType(doc_type) if doc_type in {t.value for t in DocType} else DocType.other,
        "issued_on": _date(extraction.get("issued_on")),
        "subject": extraction.get("subject") or "",
        "place": extraction.get("place"),
        "legal_basis": list(extraction.get("legal_basis") or []),
        "signer": {key: signer.get(key) for key in ("name", "title", "authority")},
        "addressees": addressees,
        "monitor_agency": monitor,
        "report_to_agency": report_to,
        "deadline": campaign[0],
        "source_text": text,
        "tasks": tasks,
    }


def _row(task: dict[str, Any], level: str, members: dict[str, list[str]]) -> dict[str, Any]:
    """One row of the registration form: agencies as codes, at most one group (the form has one group field)."""
    lead = [s["agency"] for s in task["assignments"] if s.get("agency") and s["role"] == "lead"]
    coordinate = [s["agency"] for s in task["assignments"] if s.get("agency") and s["role"] == "coordinate"]
    group, group_role = "", "lead"
    for spec in task["assignments"]:
        name = ALL_ADDRESSEES if spec.get("all_addressees") else spec.get("group")
        if not name:
            continue
        if not group:
            group, group_role = name, spec["role"].value
        else:
            # A second group goes in as its member agencies: the form gives each row one group.
            codes = lead if spec["role"] == "lead" else coordinate
            codes += [code for code in members.get(name, []) if code not in codes]
    return {
        "level": level,
        "label": task["label"],
        "text": task["text"],
        "deadline": task["deadline"],
        "deadline_working_days": task.get("deadline_working_days"),
        "recurrence": task["recurrence"].value,
        "recurrence_day": task["recurrence_day"],
        "lead": lead,
        "coordinate": [code for code in coordinate if code not in lead],
        "group": group,
        "group_role": group_role,
    }


def review_form_data(proposal: dict[str, Any], resolutions: dict[str, Resolution]) -> dict[str, Any]:
    """The registration form's values (DirectiveForm) for a proposal, tasks flattened in document order."""
    members = {
        match["group"]: match["members"] for r in resolutions.values() for match in r.matches if "group" in match
    }
    rows: list[dict[str, Any]] = []
    for task in proposal["tasks"]:
        rows.append(_row(task, "0", members))
        rows += [_row(sub, "1", members) for sub in task.get("subtasks") or []]
    signer = proposal["signer"]
    groups = set(members)
    return {
        "number": proposal["number"],
        "symbol": proposal["symbol"],
        "doc_type": proposal["doc_type"].value,
        "issued_on": proposal["issued_on"],
        "place": proposal["place"] or "",
        "subject": proposal["subject"],
        "legal_basis": "\n".join(proposal["legal_basis"]),
        "addressee_groups": [a for a in proposal["addressees"] if a in groups],
        "addressee_agencies": [a for a in proposal["addressees"] if a not in groups],
        "monitor_agency": proposal["monitor_agency"] or "",
        "report_to_agency": proposal["report_to_agency"] or "",
        "deadline": proposal["deadline"],
        "signer_authority": signer.get("authority") or "",
        "signer_title": signer.get("title") or "",
        "signer_name": signer.get("name") or "",
        "source_text": proposal["source_text"],
        "tasks": rows or [{}],
    }


def import_directive(data: dict[str, Any], *, actor: User | None, issuer: Agency | None = None) -> Directive:
    """Create the reviewed directive as a draft, through the registration operation (audited there)."""
    return create_directive(data, actor=actor, issuer=issuer)
