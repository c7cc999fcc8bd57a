"""Đề nghị gia hạn: the requests a monitor or an office has to decide, and an agency's own requests."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from flask_admin import expose
from sqlalchemy.orm import contains_eager, joinedload

from coordination.admin.assignment_forms import ExtensionDecisionForm
from coordination.admin.base import SecureBaseView, current
from coordination.assignments.models import Assignment, ExtensionRequest, ExtensionStatus
from coordination.auth.models import User
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.permissions import Permission, can, extension_request_scope, visible_assignments

PENDING, DECIDED = "pending", "decided"
DECIDED_LIMIT = 100


def extension_requests(user: User | None, show: str = PENDING) -> list[ExtensionRequest]:
    """Requests on work the user decides (monitor, office) or does (its own agency), oldest pending first."""
    query = (
        sa.select(ExtensionRequest)
        .join(Assignment, Assignment.id == ExtensionRequest.assignment_id)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(visible_assignments(user))
        .options(
            contains_eager(ExtensionRequest.assignment).contains_eager(Assignment.task).contains_eager(Task.directive),
            contains_eager(ExtensionRequest.assignment).joinedload(Assignment.agency),
            contains_eager(ExtensionRequest.assignment).contains_eager(Assignment.task).joinedload(Task.parent),
            joinedload(ExtensionRequest.requested_by),
            joinedload(ExtensionRequest.decided_by),
        )
    )
    query = query.where(extension_request_scope(user))
    if show == DECIDED:
        query = query.where(ExtensionRequest.status != ExtensionStatus.pending)
        query = query.order_by(ExtensionRequest.decided_at.desc(), ExtensionRequest.id.desc()).limit(DECIDED_LIMIT)
    else:
        query = query.where(ExtensionRequest.status == ExtensionStatus.pending)
        query = query.order_by(ExtensionRequest.requested_at, ExtensionRequest.id)
    return list(db.session.scalars(query).unique())


class ExtensionRequestView(SecureBaseView):
    """Pending requests with approve / reject buttons for those who decide; decided ones on a second tab."""

    @expose("/")
    def index(self) -> Any:
        user = current()
        show = DECIDED if request.args.get("show") == DECIDED else PENDING
        rows = extension_requests(user, show)
        return self.render(
            "assignments/extension_requests.html",
            rows=rows,
            show=show,
            deciding={r.id for r in rows if can(user, Permission.assignment_review, r.assignment)},
            decision_form=ExtensionDecisionForm(),
            here=request.full_path.rstrip("?"),
        )
