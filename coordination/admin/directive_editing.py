"""The office registers and assigns: a directive as a draft, then activate, close, and task-by-task edits.

Each route: load or 404 → permission (403) → validate the form → one operation → commit → redirect with
a message, or the same page again with the form's errors.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _

from coordination.access import get_or_404
from coordination.admin import directive_forms as forms
from coordination.admin.base import current
from coordination.admin.forms import bind, show_error
from coordination.admin.queries import flatten, task_tree
from coordination.admin.working_days import warn_days_off
from coordination.assignments.models import Assignment
from coordination.collation import vi_key
from coordination.directives import operations
from coordination.directives.models import Directive, Task
from coordination.directives.states import can_amend, can_edit_structure
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.permissions import Permission, can


class DirectiveEditing:
    """Routes of DirectiveView that change directives; mixed in so that the reading side stays short."""

    form_template = "directives/form.html"
    task_template = "directives/task.html"
    add_task_template = "directives/add_task.html"

    def _page(self, template: str, status: int = 200, **kwargs: Any) -> Any:
        return self.render(template, **kwargs), status  # type: ignore[attr-defined]

    def _back(self, directive: Directive, anchor: str = "") -> Any:
        return redirect(url_for(".details_view", id=directive.id) + anchor)

    def _closed(self, directive: Directive) -> Any:
        """A form page of a closed directive: nothing to fill in; back to the directive, saying why."""
        flash(_("Văn bản đã đóng: không thể sửa."), "warning")
        return self._back(directive)

    # --- a draft --------------------------------------------------------------------------------------

    def _form_page(self, form: Any, directive: Directive | None, issuer: Any, status: int = 200) -> Any:
        return self._page(
            self.form_template,
            status,
            form=form,
            directive=directive,
            issuer=issuer,
            # the row the "add a task" button copies (workflow.js numbers it)
            template_row=forms.TaskRowForm(prefix="tasks-__i__-"),
        )

    def _save_draft(self, form: Any, directive: Directive | None, issuer: Any) -> Any:
        """Validate and save the directive form (create or update); the page again if anything is wrong."""
        if request.method != "POST":
            return self._form_page(form, directive, issuer)
        if "add_row" in request.form:
            # Without JavaScript the "add a row" buttons post the form: one more row, nothing saved.
            form.tasks.append_entry({"level": forms.SUB if request.form["add_row"] == forms.SUB else forms.TOP})
            return self._form_page(form, directive, issuer)
        if not form.validate():
            return self._form_page(form, directive, issuer, 422)
        try:
            if directive is None:
                directive = operations.create_directive(forms.directive_data(form), actor=current())
            else:
                operations.update_directive(directive, forms.directive_data(form), actor=current())
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return self._form_page(form, directive, issuer, error.status)
        flash(_("Đã lưu bản nháp %(ref)s.", ref=directive.ref), "success")
        warn_days_off([directive.deadline, *(t.deadline for t in directive.tasks)])
        return self._back(directive)

    @expose("/register/", methods=("GET", "POST"))
    def register_view(self) -> Any:
        user = current()
        if user is None or user.agency_id is None or not can(user, Permission.directive_create):
            abort(403)
        g.workflow_issuer_id = user.agency_id
        return self._save_draft(bind(forms.DirectiveForm), None, user.agency)

    @expose("/<int:directive_id>/draft/", methods=("GET", "POST"))
    def edit_draft_view(self, directive_id: int) -> Any:
        directive = get_or_404(Directive, directive_id, Permission.directive_edit)
        if not can_edit_structure(directive.status):
            flash(_("Văn bản đang thực hiện: sửa từng nhiệm vụ trên trang văn bản."), "warning")
            return self._back(directive)
        g.workflow_issuer_id = directive.issuer_id
        forms.keep_agencies(forms.directive_agency_codes(directive))
        data = forms.directive_form_data(directive, flatten(task_tree(directive.tasks)))
        return self._save_draft(bind(forms.DirectiveForm, data=data), directive, directive.issuer)

    @expose("/<int:directive_id>/activate/", methods=("POST",))
    def activate_view(self, directive_id: int) -> Any:
        directive = get_or_404(Directive, directive_id, Permission.directive_edit)
        if not bind(forms.ConfirmForm).validate():
            abort(400)
        try:
            operations.activate_directive(directive, actor=current())
        except OperationError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return self._back(directive)
        flash(_("Đã kích hoạt văn bản %(ref)s: các cơ quan được giao đã thấy nhiệm vụ.", ref=directive.ref), "success")
        return self._back(directive)

    @expose("/<int:directive_id>/close/", methods=("POST",))
    def close_view(self, directive_id: int) -> Any:
        directive = get_or_404(Directive, directive_id, Permission.directive_edit)
        if not bind(forms.ConfirmForm).validate():
            abort(400)
        try:
            operations.close_directive(directive, actor=current())
        except OperationError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return self._back(directive)
        flash(_("Đã đóng văn bản %(ref)s.", ref=directive.ref), "success")
        return self._back(directive)

    # --- task by task ---------------------------------------------------------------------------------

    @expose("/<int:directive_id>/tasks/new/", methods=("GET", "POST"))
    def add_task_view(self, directive_id: int) -> Any:
        directive = get_or_404(Directive, directive_id, Permission.directive_edit)
        if request.method == "GET" and not can_amend(directive.status):
            return self._closed(directive)
        g.workflow_issuer_id = directive.issuer_id
        form = bind(forms.AddTaskForm)
        top_tasks = [t for t in directive.tasks if t.parent_id is None]
        form.set_parents(top_tasks)
        if request.method == "POST" and form.validate():
            parent = next((t for t in top_tasks if str(t.id) == form.parent.data), None)
            try:
                task = operations.add_task(directive, forms.add_task_data(form), actor=current(), parent=parent)
            except OperationError as error:
                db.session.rollback()
                show_error(form, error)
                return self._page(self.add_task_template, error.status, form=form, directive=directive)
            flash(_("Đã thêm nhiệm vụ %(label)s.", label=task.display_label), "success")
            warn_days_off([task.deadline, *(sub.deadline for sub in task.subtasks)])
            return self._back(directive, f"#task-{task.id}")
        status = 422 if request.method == "POST" else 200
        return self._page(self.add_task_template, status, form=form, directive=directive)

    def _task_or_404(self, task_id: int) -> Task:
        task = get_or_404(Task, task_id, Permission.directive_edit, of=lambda t: t.directive)
        g.workflow_issuer_id = task.directive.issuer_id
        return task

    def _task_page(self, task: Task, status: int = 200, **forms_given: Any) -> Any:
        page_forms = {
            "edit_form": forms.TaskEditForm(
                data={
                    "label": task.label,
                    "text": task.text,
                    "deadline": task.deadline,
                    "deadline_working_days": task.deadline_working_days,
                }
            ),
            "assign_form": forms.AddAgenciesForm(),
            "remove_form": forms.RemoveAssignmentForm(),
            "removing": None,
        }
        page_forms.update(forms_given)
        assignments = sorted(
            task.assignments, key=lambda a: (a.role.value != "lead", vi_key(a.agency.name_vi), a.period_index)
        )
        return self._page(
            self.task_template, status, task=task, directive=task.directive, assignments=assignments, **page_forms
        )

    @expose("/task/<int:task_id>/", methods=("GET", "POST"))
    def task_view(self, task_id: int) -> Any:
        task = self._task_or_404(task_id)
        if request.method == "GET" and not can_amend(task.directive.status):
            return self._closed(task.directive)
        if request.method == "GET":
            return self._task_page(task)
        form = bind(forms.TaskEditForm)
        if not form.validate():
            return self._task_page(task, 422, edit_form=form)
        try:
            operations.update_task(
                task,
                {
                    "label": form.label.data,
                    "text": form.text.data,
                    # written in working days, the date follows from the issue date
                    "deadline": None if form.deadline_working_days.data else form.deadline.data,
                    "deadline_working_days": form.deadline_working_days.data,
                },
                actor=current(),
            )
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return self._task_page(task, error.status, edit_form=form)
        flash(_("Đã lưu nhiệm vụ %(label)s.", label=task.display_label), "success")
        warn_days_off([task.deadline])
        return self._back(task.directive, f"#task-{task.id}")

    @expose("/task/<int:task_id>/assign/", methods=("POST",))
    def assign_view(self, task_id: int) -> Any:
        task = self._task_or_404(task_id)
        form = bind(forms.AddAgenciesForm)
        if not form.validate():
            return self._task_page(task, 422, assign_form=form)
        try:
            created = operations.add_assignments(task, forms.assignment_specs(form), actor=current())
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return self._task_page(task, error.status, assign_form=form)
        if created:
            flash(_("Đã giao thêm cho %(count)s cơ quan.", count=len({a.agency_id for a in created})), "success")
        else:
            flash(_("Các cơ quan đã chọn đều đã được giao nhiệm vụ này."), "info")
        return redirect(url_for(".task_view", task_id=task.id))

    @expose("/assignment/<int:assignment_id>/remove/", methods=("POST",))
    def remove_assignment_view(self, assignment_id: int) -> Any:
        assignment = get_or_404(Assignment, assignment_id)
        task = self._task_or_404(assignment.task_id)
        form = bind(forms.RemoveAssignmentForm)
        if not form.validate():
            return self._task_page(task, 422, remove_form=form, removing=assignment.id)
        agency = assignment.agency.name_vi
        try:
            operations.remove_assignment(assignment, actor=current(), reason=form.reason.data or "")
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return self._task_page(task, error.status, remove_form=form, removing=assignment_id)
        flash(_("Đã gỡ phân công của %(agency)s.", agency=agency), "success")
        return redirect(url_for(".task_view", task_id=task.id))
