"""/api/v1/directives and /api/v1/tasks: read what the user may see; register, edit, activate, close.

Every change runs in the same order: load or 404, validate, one operation (which decides the
permission and refuses with 403 or 409), commit, dump.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from coordination.access import found_or_404
from coordination.api.core import Blueprint, loads, reads_only, signed_in
from coordination.api.pagination import paginate
from coordination.api.schemas import MAX_ID, page_of
from coordination.assignments.models import Assignment
from coordination.directives.models import Directive, Task
from coordination.directives.operations import (
    activate_directive,
    add_assignments,
    add_task,
    close_directive,
    create_directive,
    update_directive,
    update_task,
)
from coordination.directives.queries import directive_query, get_directive
from coordination.directives.schemas import (
    AssignmentsAddSchema,
    DirectiveArgsSchema,
    DirectiveCreateSchema,
    DirectiveDetailSchema,
    DirectivePatchSchema,
    DirectiveSchema,
    TaskAddSchema,
    TaskAssignmentSchema,
    TaskPatchSchema,
    TaskSchema,
)
from coordination.errors import Invalid, NotFound
from coordination.extensions import db
from coordination.permissions import visible_directives

blp = Blueprint("api_directives", __name__, url_prefix="/api/v1/directives", description="Directives and their tasks")
tasks_blp = Blueprint("api_tasks", __name__, url_prefix="/api/v1/tasks", description="Tasks of active directives")

DIRECTIVE_ID = f"/<int(max={MAX_ID}):directive_id>"
TASK_ID = f"/<int(max={MAX_ID}):task_id>"


def _not_found(directive_id: int) -> NotFound:
    # The same answer when it exists but is not yours to see: its existence is not told.
    return NotFound(
        _("Không tìm thấy văn bản số %(id)s.", id=directive_id),
        errors={"id": [_("Không có văn bản này, hoặc bạn không được xem.")]},
    )


def visible_directive(directive_id: int) -> Directive:
    """The directive with its tasks, if the signed-in user may see it; else NotFound."""
    directive = get_directive(current_user, directive_id)
    if directive is None:
        raise _not_found(directive_id)
    return directive


def visible_task(task_id: int) -> Task:
    """The task, if the signed-in user may see its directive; else NotFound."""
    return found_or_404(
        db.session.scalar(
            sa.select(Task).join(Task.directive).where(Task.id == task_id, visible_directives(current_user))
        ),
        _("Không tìm thấy nhiệm vụ số %(id)s.", id=task_id),
        errors={"id": [_("Không có nhiệm vụ này, hoặc bạn không được xem.")]},
    )


def _shown(directive_id: int) -> Directive:
    """The directive as GET shows it, read again after the commit."""
    return visible_directive(directive_id)


@blp.get("")
@reads_only
@blp.arguments(DirectiveArgsSchema, location="query", as_kwargs=True)
@blp.response(200, page_of(DirectiveSchema))
def list_directives(page_size: int, page_token: int | None, q: str | None = None, **filters: Any) -> dict[str, Any]:
    """List the directives you may see; `q` searches ref, subject and task texts."""
    query = directive_query(current_user, q, **filters)
    return paginate(query, {"page_size": page_size, "page_token": page_token}, key=Directive.id)


@blp.post("")
@blp.arguments(DirectiveCreateSchema)
@blp.response(201, DirectiveDetailSchema, headers={"Location": {"schema": {"type": "string"}}})
@blp.alt_response(403, response="FORBIDDEN", description="Only an office registers directives")
@blp.alt_response(409, response="CONFLICT", description="Your agency already has a directive with this number")
def create(data: dict[str, Any]) -> tuple[Directive, dict[str, str]]:
    """Register a whole directive as a draft: header, addressees, tasks, assignments; your agency issues it.

    An assignment names one agency (`agency`: code), a group (`group`: name) or `all_addressees`;
    a group or all addressees expands to one assignment per member agency. An unknown code or group
    is a 422 naming the field.
    """
    directive = create_directive(data, actor=signed_in())
    location = url_for("api_directives.get_directive_detail", directive_id=directive.id)
    return _shown(directive.id), {"Location": location}


@blp.get(DIRECTIVE_ID)
@reads_only
@blp.response(200, DirectiveDetailSchema)
def get_directive_detail(directive_id: int) -> Directive:
    """One directive with its tasks in document order and each task's assignments."""
    return visible_directive(directive_id)


@blp.patch(DIRECTIVE_ID)
@loads("directive", visible_directive)
@blp.arguments(DirectivePatchSchema)
@blp.response(200, DirectiveDetailSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's directive")
@blp.alt_response(409, response="CONFLICT", description="Closed; or `tasks` given once active; or a duplicate number")
def patch(data: dict[str, Any], directive: Directive) -> Directive:
    """Change header fields; `tasks` replaces the tasks while a draft (edit tasks one by one once active)."""
    update_directive(directive, data, actor=signed_in())
    return _shown(directive.id)


@blp.post(f"{DIRECTIVE_ID}/activate")
@loads("directive", visible_directive)
@blp.response(200, DirectiveDetailSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's directive")
@blp.alt_response(409, response="CONFLICT", description="Not a draft")
def activate(directive: Directive) -> Directive:
    """Publish a draft: the agencies see it and the clock runs."""
    activate_directive(directive, actor=signed_in())
    return _shown(directive.id)


@blp.post(f"{DIRECTIVE_ID}/close")
@loads("directive", visible_directive)
@blp.response(200, DirectiveDetailSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's directive")
@blp.alt_response(409, response="CONFLICT", description="Not active")
def close(directive: Directive) -> Directive:
    """Close a finished directive; its work stays as it is."""
    close_directive(directive, actor=signed_in())
    return _shown(directive.id)


@blp.post(f"{DIRECTIVE_ID}/tasks")
@loads("directive", visible_directive)
@blp.arguments(TaskAddSchema)
@blp.response(201, TaskSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Not your agency's directive")
@blp.alt_response(409, response="CONFLICT", description="Closed")
def post_task(data: dict[str, Any], directive: Directive) -> Task:
    """Add a task at the end of the document, or as the last sub-item of `parent_id`, with its assignments."""
    parent_id = data.pop("parent_id", None)
    parent = None
    if parent_id is not None:
        parent = next((task for task in directive.tasks if task.id == parent_id), None)
        if parent is None:
            raise Invalid(_("Nhiệm vụ cha không thuộc văn bản này."), errors={"parent_id": [_("Không hợp lệ.")]})
    task = add_task(directive, data, actor=signed_in(), parent=parent)
    return task


@tasks_blp.patch(TASK_ID)
@loads("task", visible_task)
@tasks_blp.arguments(TaskPatchSchema)
@tasks_blp.response(200, TaskSchema)
@tasks_blp.alt_response(403, response="FORBIDDEN", description="Not your agency's directive")
@tasks_blp.alt_response(409, response="CONFLICT", description="Closed")
def patch_task(data: dict[str, Any], task: Task) -> Task:
    """Edit a task's label, text or deadline; a new deadline reaches the assignments not extended on their own."""
    update_task(task, data, actor=signed_in())
    return task


@tasks_blp.post(f"{TASK_ID}/assignments")
@loads("task", visible_task)
@tasks_blp.arguments(AssignmentsAddSchema)
@tasks_blp.response(201, TaskAssignmentSchema(many=True))
@tasks_blp.alt_response(403, response="FORBIDDEN", description="Not your agency's directive")
@tasks_blp.alt_response(409, response="CONFLICT", description="Closed")
def post_assignments(data: dict[str, Any], task: Task) -> list[Assignment]:
    """Give the task to more agencies (codes, groups or all addressees); those already assigned are skipped."""
    created = add_assignments(task, data["assignments"], actor=signed_in())
    return created
