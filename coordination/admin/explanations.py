"""Giải trình: the monitor requires an explanation of overdue work; the agency answers with text and files."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from coordination.access import found_or_404
from coordination.admin import queries
from coordination.admin.base import SecureBaseView, current
from coordination.admin.monitoring_forms import ExplanationAnswerForm, ExplanationRequestForm
from coordination.api.schemas import MAX_ID
from coordination.assignments.models import Assignment
from coordination.db import today as local_today
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.permissions import Permission, can, dashboard_scope
from coordination.reminders.models import ExplanationRequest
from coordination.reminders.operations import answer_explanation, request_explanation
from coordination.reports.dashboard import DashboardFilters, unanswered_explanations

ANSWERED_LIMIT = 30


def _with_assignment(query: sa.Select) -> sa.Select:
    return query.options(
        joinedload(ExplanationRequest.assignment).joinedload(Assignment.agency),
        joinedload(ExplanationRequest.assignment)
        .joinedload(Assignment.task)
        .options(joinedload(Task.directive), joinedload(Task.parent)),
    )


def _assignment_or_404(assignment_id: Any) -> Assignment:
    try:
        key = int(assignment_id)
    except (TypeError, ValueError):
        abort(404)
    if not 0 < key <= MAX_ID:
        abort(404)
    return found_or_404(queries.load_assignment(current(), key))


class ExplanationView(SecureBaseView):
    """The requests in the user's scope; the pages to require one and to answer one."""

    @expose("/")
    def index(self) -> Any:
        user = current()
        unanswered = db.session.scalars(_with_assignment(unanswered_explanations(user, DashboardFilters()))).unique()
        answered = db.session.scalars(
            _with_assignment(
                sa.select(ExplanationRequest)
                .join(Assignment, Assignment.id == ExplanationRequest.assignment_id)
                .join(Task, Task.id == Assignment.task_id)
                .join(Directive, Directive.id == Task.directive_id)
                .where(dashboard_scope(user), ExplanationRequest.answered_at.is_not(None))
                .order_by(ExplanationRequest.answered_at.desc(), ExplanationRequest.id.desc())
                .limit(ANSWERED_LIMIT)
            )
        ).unique()
        return self.render(
            "monitoring/explanations.html", unanswered=list(unanswered), answered=list(answered), today=local_today()
        )

    @expose("/new", methods=["GET", "POST"])
    def new(self) -> Any:
        user = current()
        assignment = _assignment_or_404(request.args.get("assignment"))
        if not can(user, Permission.assignment_review, assignment):
            abort(403, _("Bạn không có quyền yêu cầu giải trình nhiệm vụ này."))
        form = ExplanationRequestForm()
        if request.method == "GET":
            form.due_on.data = local_today() + timedelta(days=3)
        if form.validate_on_submit():
            request_explanation(assignment, form.question.data, form.due_on.data, actor=user)
            flash(_("Đã gửi yêu cầu giải trình tới %(agency)s.", agency=assignment.agency.name_vi), "success")
            return redirect(url_for("assignment.details_view", id=assignment.id))
        status = 422 if request.method == "POST" else 200
        return self.render("monitoring/explanation_request.html", form=form, assignment=assignment), status

    @expose(f"/<int(max={MAX_ID}):request_id>/answer", methods=["GET", "POST"])
    def answer(self, request_id: int) -> Any:
        user = current()
        explanation = db.session.get(ExplanationRequest, request_id)
        if explanation is None:
            abort(404)
        assignment = _assignment_or_404(explanation.assignment_id)
        if not can(user, Permission.assignment_work, assignment):
            abort(403, _("Bạn không có quyền trả lời yêu cầu giải trình này."))
        form = ExplanationAnswerForm()
        if form.validate_on_submit():
            files = [(f.stream, f.filename) for f in form.files.data or [] if f and f.filename]
            answer_explanation(explanation, form.answer.data, form.expected_finish_on.data, actor=user, files=files)
            flash(_("Đã gửi nội dung giải trình."), "success")
            return redirect(url_for("assignment.details_view", id=assignment.id))
        status = 422 if request.method == "POST" else 200
        return self.render(
            "monitoring/explanation_answer.html",
            form=form,
            assignment=assignment,
            explanation=explanation,
            today=local_today(),
        ), status
