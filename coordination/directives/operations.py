"""Registering directives: create, activate, close. Operations flush; the caller commits."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from coordination import audit
from coordination.agencies.lookup import agency_by_code, group_by_name
from coordination.agencies.models import Agency, AgencyGroup
from coordination.assignments.models import Assignment, AssignmentRole
from coordination.db import utcnow
from coordination.directives import states
from coordination.directives.models import (
    Directive,
    DirectiveAddressee,
    DirectiveStatus,
    DocType,
    Recurrence,
    Task,
)
from coordination.directives.recurrence import PERIODIC, due_dates
from coordination.errors import Conflict, Forbidden, Invalid
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.notifications import notify_activation
from coordination.permissions import Permission, can
from coordination.text import fold
from coordination.workdays.calendar import add_working_days

DIRECTIVE_AUDIT_FIELDS = ["ref", "doc_type", "issued_on", "subject", "status", "deadline", "monitor_agency_id"]


def _require(actor: audit.Actor, permission: Permission, obj: Any = None) -> None:
    # A system actor (demo loader, importer, scheduled jobs) is trusted code, not a user.
    if not audit.is_system(actor) and not can(actor, permission, obj):
        raise Forbidden(_("Bạn không có quyền thực hiện thao tác này."))


def _refuse_closed(directive: Directive) -> None:
    # Said before the permission check, so the office learns why rather than "no permission".
    if not states.can_amend(directive.status):
        raise Conflict(_("Văn bản đã đóng: không thể sửa."))


def create_directive(data: dict[str, Any], *, actor: audit.Actor, issuer: Agency | None = None) -> Directive:
    """Register a directive as a draft, with its addressees, tasks and assignments.

    `data` has the shape of the API body: number, symbol, doc_type, issued_on, subject, place?,
    legal_basis?, signer?, addressees? (codes or group names), monitor_agency?, report_to_agency?
    (codes), deadline?, source_text?, tasks [{label, text, deadline?, recurrence?, subtasks?,
    assignments: [{agency | group | all_addressees, role}]}].
    """
    _require(actor, Permission.directive_create)
    if issuer is None:
        user = audit.acting_user(actor)
        if user is None or user.agency is None:
            raise Invalid(_("Chưa xác định cơ quan ban hành."), errors={"issuer": [_("Bắt buộc.")]})
        issuer = user.agency
    refuse_deadlines_before_issue(data.get("issued_on"), data.get("deadline"), data.get("tasks") or [])
    ref = Directive.make_ref(data["number"], data["symbol"])
    if db.session.scalar(db.select(Directive.id).where(Directive.issuer_id == issuer.id, Directive.ref == ref)):
        raise Conflict(_("Văn bản %(ref)s của cơ quan này đã có.", ref=ref), errors={"number": [_("Đã tồn tại.")]})
    signer = data.get("signer") or {}
    directive = Directive(
        number=data["number"].strip(),
        symbol=data["symbol"].strip(),
        ref=ref,
        doc_type=DocType(data.get("doc_type", DocType.cong_van)),
        issuer=issuer,
        place=data.get("place"),
        issued_on=data["issued_on"],
        subject=data["subject"].strip(),
        legal_basis=list(data.get("legal_basis") or []),
        signer_name=signer.get("name"),
        signer_title=signer.get("title"),
        signer_authority=signer.get("authority"),
        monitor_agency=agency_by_code(data["monitor_agency"], field="monitor_agency")
        if data.get("monitor_agency")
        else None,
        report_to_agency=agency_by_code(data["report_to_agency"], field="report_to_agency")
        if data.get("report_to_agency")
        else None,
        deadline=data.get("deadline"),
        source_text=data.get("source_text"),
        status=DirectiveStatus.draft,
    )
    db.session.add(directive)
    _set_addressees(directive, data.get("addressees") or [], issuer)
    position = 0
    for task_data in data.get("tasks") or []:
        position = _add_task(directive, task_data, parent=None, position=position, issuer=issuer)
    directive.search_text = search_text_of(directive)
    db.session.flush()
    audit.record(
        actor,
        "directive.create",
        "directive",
        directive.id,
        after={**audit.snapshot(directive, DIRECTIVE_AUDIT_FIELDS), "tasks": len(directive.tasks)},
        directive_id=directive.id,
    )
    return directive


def _early_deadlines(issued_on: date | None, deadline: date | None, tasks: list[dict[str, Any]]) -> dict[str, str]:
    """{dotted path: name read by a clerk} of every deadline (the directive's, its tasks') before `issued_on`."""
    early: dict[str, str] = {}
    if issued_on is None:
        return early
    if deadline is not None and deadline < issued_on:
        early["deadline"] = _("thời hạn chung")

    def walk(items: list[dict[str, Any]], path: str) -> None:
        for index, task in enumerate(items):
            here = f"{path}.{index}"
            if task.get("deadline") is not None and task["deadline"] < issued_on:
                early[f"{here}.deadline"] = _("hạn của nhiệm vụ %(label)s", label=str(task.get("label") or index + 1))
            walk(task.get("subtasks") or [], f"{here}.subtasks")

    walk(tasks, "tasks")
    return early


def refuse_deadlines_before_issue(
    issued_on: date | None, deadline: date | None, tasks: list[dict[str, Any]], *, on_field: str | None = None
) -> None:
    """A deadline before the day the directive was issued would show work late from its first day: refuse it.

    Each early deadline is named (API: its dotted path, `tasks.0.deadline`); with `on_field`, every
    error is put on that one field instead (the issue date moved past deadlines already saved).
    """
    early = _early_deadlines(issued_on, deadline, tasks)
    if not early:
        return
    day = format_date(issued_on)
    message = _(
        "Thời hạn không được trước ngày ban hành văn bản (%(date)s): %(fields)s.",
        date=day,
        fields=", ".join(early.values()),
    )
    field_message = _("Trước ngày ban hành (%(date)s).", date=day)
    errors = {on_field: [message]} if on_field else {path: [field_message] for path in early}
    raise Invalid(message, errors=errors)


def _saved_tasks(directive: Directive) -> list[dict[str, Any]]:
    """The directive's saved tasks as the operations' `tasks` data (top level with their sub-items).

    A deadline written in working days counts from the issue date and moves with it: never early, left out.
    """

    def shape(task: Task) -> dict[str, Any]:
        deadline = None if task.deadline_working_days else task.deadline
        return {"label": task.display_label, "deadline": deadline, "subtasks": [shape(s) for s in task.subtasks]}

    return [shape(task) for task in sorted(directive.tasks, key=lambda t: t.position) if task.parent_id is None]


def _set_addressees(directive: Directive, addressees: list[Any], issuer: Agency) -> None:
    for index, item in enumerate(addressees):
        # An addressee is an agency code, a group name, or {"name", "agency"|"group"} as printed.
        if isinstance(item, dict):
            name = item.get("name") or item.get("agency") or item.get("group")
            agency = agency_by_code(item["agency"], field="addressees") if item.get("agency") else None
            group = group_by_name(item["group"], owner=issuer, field="addressees") if item.get("group") else None
        else:
            agency = db.session.scalar(db.select(Agency).where(Agency.code == item))
            group = None if agency else group_by_name(item, owner=issuer, field="addressees")
            name = agency.name_vi if agency else item
        directive.addressees.append(DirectiveAddressee(position=index, name=name, agency=agency, group=group))


def addressee_agencies(directive: Directive) -> list[Agency]:
    """Every agency the directive addresses, groups expanded, in the order named."""
    seen: dict[int, Agency] = {}
    for addressee in directive.addressees:
        members = [addressee.agency] if addressee.agency else list(addressee.group.members if addressee.group else [])
        for agency in members:
            if agency.active:
                seen.setdefault(agency.id, agency)
    return list(seen.values())


#: the longest deadline written in working days (a year and a half of them)
MAX_DEADLINE_WORKING_DAYS = 400


def task_deadline(data: dict[str, Any], issued_on: date | None) -> tuple[date | None, int | None]:
    """A task's deadline and how it was written: a date, or "trong N ngày làm việc kể từ ngày nhận được văn bản".

    N working days count from the issue date, the day the agencies receive the directive as far as this
    application knows (it records no date of receipt); a date given as well must be the same day.
    """
    n = data.get("deadline_working_days")
    deadline: date | None = data.get("deadline")
    if n is None or n == "":
        return deadline, None
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_DEADLINE_WORKING_DAYS:
        message = _("Từ %(min)s đến %(max)s.", min=1, max=MAX_DEADLINE_WORKING_DAYS)
        raise Invalid(
            _("Số ngày làm việc không hợp lệ: %(message)s", message=message),
            errors={"deadline_working_days": [message]},
        )
    if issued_on is None:
        raise Invalid(_("Cần ngày ban hành để tính hạn theo ngày làm việc."), errors={"issued_on": [_("Bắt buộc.")]})
    computed = add_working_days(issued_on, n)
    if deadline is not None and deadline != computed:
        message = _(
            "%(n)s ngày làm việc kể từ ngày %(issued)s là ngày %(computed)s, không phải %(date)s.",
            n=n,
            issued=format_date(issued_on),
            computed=format_date(computed),
            date=format_date(deadline),
        )
        raise Invalid(message, errors={"deadline": [message]})
    return computed, n


def _add_task(directive: Directive, data: dict[str, Any], *, parent: Task | None, position: int, issuer: Agency) -> int:
    position += 1
    deadline, working_days = task_deadline(data, directive.issued_on)
    task = Task(
        directive=directive,
        parent=parent,
        label=str(data["label"]).strip(),
        position=position,
        text=data["text"].strip(),
        deadline=deadline,
        deadline_working_days=working_days,
        recurrence=Recurrence(data.get("recurrence") or Recurrence.none),
        recurrence_day=data.get("recurrence_day"),
    )
    db.session.add(task)
    specs = data.get("assignments") or []
    if not specs and parent is not None:
        # A sub-item that names nobody belongs to its parent's agencies.
        specs = [{"agency_obj": a.agency, "role": a.role} for a in parent.assignments]
    assign_task(task, specs, issuer=issuer)
    for sub in data.get("subtasks") or []:
        position = _add_task(directive, sub, parent=task, position=position, issuer=issuer)
    return position


def _resolve_specs(
    task: Task, specs: list[dict[str, Any]], issuer: Agency
) -> list[tuple[Agency, AssignmentRole, dict]]:
    """(agency, role, provenance) for every agency the specs name; an agency named twice keeps the lead role."""
    chosen: dict[int, tuple[Agency, AssignmentRole, dict]] = {}
    for spec in specs:
        role = AssignmentRole(spec.get("role", AssignmentRole.lead))
        group: AgencyGroup | None = None
        if spec.get("agency_obj") is not None:
            agencies = [spec["agency_obj"]]
        elif spec.get("agency"):
            agencies = [agency_by_code(spec["agency"], field="assignments")]
        elif spec.get("group"):
            group = group_by_name(spec["group"], owner=issuer, field="assignments")
            agencies = [a for a in group.members if a.active]
        elif spec.get("all_addressees"):
            agencies = addressee_agencies(task.directive)
            if not agencies:
                raise Invalid(
                    _("Văn bản chưa có nơi nhận để giao “tất cả nơi nhận”."), errors={"assignments": [_("Trống.")]}
                )
        else:
            raise Invalid(
                _("Mỗi phân công cần một cơ quan, một nhóm hoặc tất cả nơi nhận."),
                errors={"assignments": [_("Thiếu cơ quan.")]},
            )
        provenance = {"via_group": group, "via_all_addressees": bool(spec.get("all_addressees"))}
        for agency in agencies:
            if agency.id in chosen:
                if role == AssignmentRole.lead:
                    chosen[agency.id] = (agency, role, chosen[agency.id][2])
                continue
            chosen[agency.id] = (agency, role, provenance)
    return list(chosen.values())


def assign_task(task: Task, specs: list[dict[str, Any]], *, issuer: Agency) -> list[Assignment]:
    """Create one assignment per agency named, expanding groups and "all addressees".

    A recurring task yields one due item per period for each agency, each with its own deadline.
    """
    existing = {a.agency_id for a in task.assignments}
    due = due_dates(
        task.recurrence, task.recurrence_day, task.directive.issued_on, task.deadline or task.directive.deadline
    )
    created = []
    for agency, role, provenance in _resolve_specs(task, specs, issuer):
        if agency.id in existing:
            continue
        periods = list(enumerate(due)) if task.recurrence in PERIODIC else [(0, task.deadline)]
        for index, deadline in periods:
            assignment = Assignment(agency=agency, role=role, deadline=deadline, period_index=index, **provenance)
            task.assignments.append(assignment)
            created.append(assignment)
    return created


def search_text_of(directive: Directive) -> str:
    parts = [directive.ref, directive.subject, *(t.text for t in directive.tasks)]
    return fold(" ".join(p for p in parts if p))


def activate_directive(directive: Directive, *, actor: audit.Actor) -> Directive:
    """Publish a draft: agencies see it and the clock runs."""
    _require(actor, Permission.directive_edit, directive)
    if not states.can_activate(directive.status):
        raise Conflict(_("Chỉ văn bản nháp mới kích hoạt được."))
    if not any(t.assignments for t in directive.tasks):
        raise Invalid(_("Văn bản chưa giao nhiệm vụ cho cơ quan nào."), errors={"tasks": [_("Chưa có phân công.")]})
    # A draft saved before this check existed (or by trusted code) must not start its life overdue.
    refuse_deadlines_before_issue(directive.issued_on, directive.deadline, _saved_tasks(directive))
    before = audit.snapshot(directive, ["status"])
    directive.status = states.next_directive_status(states.DirectiveAction.activate, directive.status)
    directive.activated_at = utcnow()
    audit.record(
        actor,
        "directive.activate",
        "directive",
        directive.id,
        before=before,
        after=audit.snapshot(directive, ["status"]),
        directive_id=directive.id,
    )
    notify_activation(directive)  # issue 5: each assigned agency's users learn of their new work
    return directive


def close_directive(directive: Directive, *, actor: audit.Actor) -> Directive:
    """Close a finished directive; its work stays as it is."""
    _require(actor, Permission.directive_edit, directive)
    if not states.can_close(directive.status):
        raise Conflict(_("Chỉ văn bản đang thực hiện mới đóng được."))
    before = audit.snapshot(directive, ["status"])
    directive.status = states.next_directive_status(states.DirectiveAction.close, directive.status)
    directive.closed_at = utcnow()
    audit.record(
        actor,
        "directive.close",
        "directive",
        directive.id,
        before=before,
        after=audit.snapshot(directive, ["status"]),
        directive_id=directive.id,
    )
    return directive


HEADER_FIELDS = (
    "number",
    "symbol",
    "doc_type",
    "issued_on",
    "subject",
    "place",
    "legal_basis",
    "deadline",
    "source_text",
)


def update_directive(directive: Directive, data: dict[str, Any], *, actor: audit.Actor) -> Directive:
    """Change header fields (and, while a draft, replace the tasks); every change is audited."""
    _refuse_closed(directive)
    _require(actor, Permission.directive_edit, directive)
    before = audit.snapshot(directive, [*HEADER_FIELDS, "monitor_agency_id", "report_to_agency_id", "signer_name"])
    issued_on = data.get("issued_on", directive.issued_on)
    deadline = data.get("deadline", directive.deadline)
    if "tasks" in data:
        refuse_deadlines_before_issue(issued_on, deadline, data["tasks"] or [])
    else:
        typed = "deadline" in data
        refuse_deadlines_before_issue(issued_on, deadline if typed else None, [])
        # The issue date moved past deadlines already saved: the issue date is what was just typed.
        saved = None if typed else deadline
        refuse_deadlines_before_issue(issued_on, saved, _saved_tasks(directive), on_field="issued_on")
    for field in HEADER_FIELDS:
        if field in data:
            value = data[field]
            setattr(directive, field, DocType(value) if field == "doc_type" else value)
    if "signer" in data:
        signer = data["signer"] or {}
        directive.signer_name = signer.get("name")
        directive.signer_title = signer.get("title")
        directive.signer_authority = signer.get("authority")
    for field in ("monitor_agency", "report_to_agency"):
        if field in data:
            setattr(directive, field, agency_by_code(data[field], field=field) if data[field] else None)
    if "number" in data or "symbol" in data:
        ref = Directive.make_ref(directive.number, directive.symbol)
        clash = db.session.scalar(
            db.select(Directive.id).where(
                Directive.issuer_id == directive.issuer_id, Directive.ref == ref, Directive.id != directive.id
            )
        )
        if clash:
            raise Conflict(_("Văn bản %(ref)s của cơ quan này đã có.", ref=ref), errors={"number": [_("Đã tồn tại.")]})
        directive.ref = ref
    if "addressees" in data:
        directive.addressees.clear()
        db.session.flush()
        _set_addressees(directive, data["addressees"] or [], directive.issuer)
    if "tasks" in data:
        if not states.can_edit_structure(directive.status):
            raise Conflict(
                _("Văn bản đang thực hiện: sửa từng nhiệm vụ thay vì thay cả danh sách."),
                errors={"tasks": [_("Chỉ thay được khi là bản nháp.")]},
            )
        directive.tasks.clear()
        db.session.flush()
        position = 0
        for task_data in data["tasks"] or []:
            position = _add_task(directive, task_data, parent=None, position=position, issuer=directive.issuer)
    elif directive.issued_on != before["issued_on"]:
        # "Trong N ngày làm việc kể từ ngày nhận": a new issue date moves those deadlines with it.
        for task in directive.tasks:
            if task.deadline_working_days:
                update_task(task, {"deadline_working_days": task.deadline_working_days}, actor=actor)
    directive.search_text = search_text_of(directive)
    db.session.flush()
    after = audit.snapshot(directive, [*HEADER_FIELDS, "monitor_agency_id", "report_to_agency_id", "signer_name"])
    changed = {k for k in after if after[k] != before[k]}
    audit.record(
        actor,
        "directive.update",
        "directive",
        directive.id,
        before={k: before[k] for k in changed},
        after={**{k: after[k] for k in changed}, **({"tasks": len(directive.tasks)} if "tasks" in data else {})},
        directive_id=directive.id,
    )
    return directive


TASK_FIELDS = ["label", "text", "deadline", "deadline_working_days", "recurrence", "recurrence_day", "position"]


def _count_tasks(data: dict[str, Any]) -> int:
    return 1 + sum(_count_tasks(sub) for sub in data.get("subtasks") or [])


def _descendants_end(task: Task) -> int:
    return max([task.position, *(_descendants_end(sub) for sub in task.subtasks)])


def add_task(directive: Directive, data: dict[str, Any], *, actor: audit.Actor, parent: Task | None = None) -> Task:
    """Add a task at the end of the document, or as the last sub-item of `parent`, with its assignments."""
    _refuse_closed(directive)
    _require(actor, Permission.directive_edit, directive)
    if parent is not None and parent.directive_id != directive.id:
        raise Invalid(_("Nhiệm vụ cha không thuộc văn bản này."), errors={"parent": [_("Không hợp lệ.")]})
    _refuse_task_deadline(directive, data.get("deadline"), data.get("label"))
    if parent is None:
        after = max((t.position for t in directive.tasks), default=0)
    else:
        after = _descendants_end(parent)
        # Make room after the parent's block; two steps, so the unique (directive, position) never clashes.
        shift = _count_tasks(data)
        later = (Task.directive_id == directive.id) & (Task.position > after)
        db.session.execute(db.update(Task).where(later).values(position=Task.position + 1_000_000))
        db.session.execute(
            db.update(Task)
            .where(Task.directive_id == directive.id, Task.position > 1_000_000)
            .values(position=Task.position - 1_000_000 + shift)
        )
        db.session.expire_all()
    _add_task(directive, data, parent=parent, position=after, issuer=directive.issuer)
    db.session.flush()
    task = db.session.scalar(db.select(Task).where(Task.directive_id == directive.id, Task.position == after + 1))
    directive.search_text = search_text_of(directive)
    audit.record(
        actor,
        "task.add",
        "task",
        task.id,
        after={**audit.snapshot(task, TASK_FIELDS), "agencies": [a.agency.code for a in task.assignments]},
        directive_id=directive.id,
    )
    return task


def _refuse_task_deadline(directive: Directive, deadline: date | None, label: Any) -> None:
    """One task's deadline (the add and edit forms, the API's task calls) against the issue date."""
    early = _early_deadlines(directive.issued_on, None, [{"label": label, "deadline": deadline}])
    if early:
        message = _(
            "Hạn của nhiệm vụ (%(deadline)s) không được trước ngày ban hành văn bản (%(date)s).",
            deadline=format_date(deadline),
            date=format_date(directive.issued_on),
        )
        raise Invalid(
            message, errors={"deadline": [_("Trước ngày ban hành (%(date)s).", date=format_date(directive.issued_on))]}
        )


def update_task(task: Task, data: dict[str, Any], *, actor: audit.Actor) -> Task:
    """Edit a task's label, text or deadline; a new deadline reaches assignments not extended on their own."""
    directive = task.directive
    _refuse_closed(directive)
    _require(actor, Permission.directive_edit, directive)
    if "deadline" in data:
        _refuse_task_deadline(directive, data["deadline"], data.get("label") or task.display_label)
    before = audit.snapshot(task, TASK_FIELDS)
    for field in ("label", "text"):
        if field in data and data[field] is not None:
            setattr(task, field, str(data[field]).strip())
    if "deadline" in data or "deadline_working_days" in data:
        deadline, task.deadline_working_days = task_deadline(
            {"deadline": data.get("deadline"), "deadline_working_days": data.get("deadline_working_days")},
            directive.issued_on,
        )
        data = {**data, "deadline": deadline}
    if "deadline" in data and data["deadline"] != task.deadline:
        for assignment in task.assignments:
            # An approved extension is the agency's own deadline: a task-wide change leaves it alone.
            if assignment.deadline == task.deadline and assignment.is_open:
                # Each assignment's own history records the change, so past reports can be rebuilt.
                audit.record(
                    actor,
                    "assignment.deadline",
                    "assignment",
                    assignment.id,
                    before={"deadline": assignment.deadline},
                    after={"deadline": data["deadline"]},
                    directive_id=directive.id,
                    assignment_id=assignment.id,
                )
                assignment.deadline = data["deadline"]
        task.deadline = data["deadline"]
    directive.search_text = search_text_of(directive)
    db.session.flush()
    audit.record(
        actor,
        "task.update",
        "task",
        task.id,
        before=before,
        after=audit.snapshot(task, TASK_FIELDS),
        directive_id=directive.id,
    )
    return task


def add_assignments(task: Task, specs: list[dict[str, Any]], *, actor: audit.Actor) -> list[Assignment]:
    """Give a task to more agencies (codes, groups or all addressees)."""
    directive = task.directive
    _refuse_closed(directive)
    _require(actor, Permission.directive_edit, directive)
    created = assign_task(task, specs, issuer=directive.issuer)
    db.session.flush()
    for assignment in created:
        audit.record(
            actor,
            "assignment.add",
            "assignment",
            assignment.id,
            after={"agency": assignment.agency.code, "role": assignment.role.value, "deadline": assignment.deadline},
            directive_id=directive.id,
            assignment_id=assignment.id,
        )
    return created


def remove_assignment(assignment: Assignment, *, actor: audit.Actor, reason: str = "") -> None:
    """Take a task away from an agency; once the agency has worked on it, only with a reason."""
    from coordination.assignments.models import ProgressUpdate
    from coordination.assignments.states import Status

    directive = assignment.task.directive
    _refuse_closed(directive)
    _require(actor, Permission.directive_edit, directive)
    if assignment.status in (Status.done, Status.cancelled):
        raise Conflict(_("Phân công đã kết thúc (hoàn thành hoặc hủy): không thể gỡ."))
    has_progress = assignment.status != Status.not_started or db.session.scalar(
        db.select(ProgressUpdate.id).where(ProgressUpdate.assignment_id == assignment.id).limit(1)
    )
    if has_progress and not reason.strip():
        raise Invalid(
            _("Cơ quan đã có báo cáo về nhiệm vụ này: hãy ghi lý do gỡ phân công."),
            errors={"reason": [_("Bắt buộc.")]},
        )
    audit.record(
        actor,
        "assignment.remove",
        "assignment",
        assignment.id,
        before={
            "agency": assignment.agency.code,
            "role": assignment.role.value,
            "status": assignment.status.value,
            "progress_percent": assignment.progress_percent,
        },
        after={"reason": reason.strip()},
        directive_id=directive.id,
        assignment_id=assignment.id,
    )
    if has_progress:
        # Work already reported stays in the record: the assignment is cancelled, not deleted.
        from coordination.assignments.states import Action, next_status

        assignment.status = next_status(Action.cancel, assignment.status)
    else:
        assignment.task.assignments.remove(assignment)
        db.session.delete(assignment)
    db.session.flush()
