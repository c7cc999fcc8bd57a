"""The assignment page and what is done there: report progress with evidence, extensions, review, downloads.

Each action: load or 404 → permission (403) → validate the form → one operation → commit → back to the
page with a message, or the page again with the form's errors and the operation's message.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from coordination.access import get_or_404
from coordination.admin import assignment_forms as forms
from coordination.admin import history
from coordination.admin.base import current
from coordination.admin.forms import bind, show_error
from coordination.admin.working_days import warn_days_off
from coordination.assignments.models import Assignment, AssignmentRole, ExtensionRequest, ExtensionStatus
from coordination.assignments.operations import (
    assign_handlers,
    request_extension,
)
from coordination.assignments.queries import Listed, latest_return, through_visible_assignment, with_record
from coordination.assignments.states import Status
from coordination.auth.views import safe_next
from coordination.collation import vi_key
from coordination.errors import OperationError
from coordination.evidence.download import evidence_download
from coordination.evidence.models import Evidence
from coordination.evidence.operations import remove_evidence, report_with_evidence
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.permissions import Permission, can


def _too_large(error: RequestEntityTooLarge) -> Any:
    """A request bigger than the server takes: back to the page with the reason, not a dead end."""
    mb = current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024)
    flash(_("Tệp quá lớn: mỗi tệp tối đa %(mb)s MB; hãy gửi lại với tệp nhỏ hơn.", mb=mb), "error")
    assignment_id = (request.view_args or {}).get("assignment_id")
    if assignment_id is not None:
        return redirect(url_for(".details_view", id=assignment_id) + "#report"), 303
    return redirect(url_for(".index_view")), 303


class AssignmentActions:
    """Routes of AssignmentView: the page of one assignment and the actions its forms post to."""

    details_template = "assignments/details.html"

    def create_blueprint(self, admin: Any) -> Blueprint:
        blueprint = super().create_blueprint(admin)  # type: ignore[misc]
        blueprint.register_error_handler(RequestEntityTooLarge, _too_large)
        return blueprint

    # --- the page -------------------------------------------------------------------------------------

    @expose("/details/")
    def details_view(self) -> Any:
        id = request.args.get("id")
        if id is None:
            return redirect(url_for(".index_view"))
        return self._work_page(self.get_one(id))  # type: ignore[attr-defined]

    def _work_page(self, assignment: Assignment, status: int = 200, **given: Any) -> Any:
        """The assignment page; `given` are bound forms to show again with their errors."""
        user = current()
        private = can(user, Permission.assignment_view_private, assignment)
        updates: list = []
        items: list = []
        evidence: list[Evidence] = []
        requests: list[ExtensionRequest] = []
        handlers: list = []
        more_updates = False
        if private:
            # The same record as GET /api/v1/assignments/{id}, read by the same query.
            record = with_record(user, Listed(assignment, None))
            updates, evidence, requests = record.updates or [], record.evidence or [], record.extension_requests or []
            handlers = record.handlers or []
            more_updates = bool(record.more_updates)
            items = history.assignment_history(assignment)
        files_by_update: dict[int, list[Evidence]] = defaultdict(list)
        for item in evidence:
            if item.progress_update_id is not None:
                files_by_update[item.progress_update_id].append(item)
        pending = next((r for r in requests if r.status == ExtensionStatus.pending), None)
        return_note = None
        if assignment.status == Status.returned:
            return_note = next((u for u in updates if u.status_to == Status.returned), None)
            if return_note is None and more_updates:  # returned before the newest notes shown
                return_note = latest_return(assignment)

        may_work = can(user, Permission.assignment_work, assignment)
        may_review = can(user, Permission.assignment_review, assignment)
        page_forms: dict[str, Any] = {
            "report_form": None,
            "review_form": None,
            "extension_form": None,
            "decision_form": None,
            "remove_form": None,
            "handlers_form": None,
        }
        if may_work:
            page_forms["report_form"] = forms.ReportForm()
            page_forms["remove_form"] = forms.RemoveEvidenceForm()
            if pending is None:
                page_forms["extension_form"] = forms.ExtensionRequestForm()
        if can(user, Permission.assignment_delegate, assignment):
            # issue 15: the head's "Phân công xử lý", filled with the current handlers
            page_forms["handlers_form"] = forms.HandlersForm(
                data={
                    "handlers": [h.user_id for h in handlers],
                    "due_on": handlers[0].due_on if handlers else None,
                    "note": handlers[0].note if handlers else "",
                }
            )
        if may_review and assignment.status == Status.reported_done:
            page_forms["review_form"] = forms.ReviewForm()
        if may_review and pending is not None:
            page_forms["decision_form"] = forms.ExtensionDecisionForm()
        page_forms.update({k: v for k, v in given.items() if k in page_forms and page_forms[k] is not None})
        for name in ("report_form", "review_form"):
            if page_forms[name] is not None:
                # The page shows the assignment as it is now: a save from it is based on this version.
                page_forms[name].version.data = str(assignment.version)
        if page_forms["report_form"] is not None:
            page_forms["report_form"].set_actions(forms.work_actions(user, assignment))
        if page_forms["handlers_form"] is not None:
            page_forms["handlers_form"].set_candidates(assignment)

        others = [a for a in assignment.task.assignments if a.id != assignment.id]
        others.sort(key=lambda a: (a.role != AssignmentRole.lead, vi_key(a.agency.name_vi)))
        html = self.render(  # type: ignore[attr-defined]
            self.details_template,
            assignment=assignment,
            model=assignment,
            task=assignment.task,
            directive=assignment.task.directive,
            others=others,
            private=private,
            updates=updates,
            more_updates=more_updates,
            history_items=items,
            evidence=evidence,
            files_by_update=files_by_update,
            extension_requests=requests,
            handlers=handlers,
            pending_request=pending,
            return_note=return_note,
            removing=given.get("removing"),
            return_url=self.get_url(".index_view"),  # type: ignore[attr-defined]
            **page_forms,
        )
        return html, status

    def _back(self, assignment: Assignment, anchor: str = "") -> Any:
        return redirect(url_for(".details_view", id=assignment.id) + anchor)

    def _refused(self, assignment_id: int, form: Any, name: str, error: OperationError, **extra: Any) -> Any:
        """After an operation refused: nothing kept, the page again with the message and the form."""
        db.session.rollback()
        show_error(form, error)
        if error.errors and "file" in error.errors and hasattr(form, "files"):
            form.files.errors = [*form.files.errors, *(str(m) for m in error.errors["file"])]
        return self._work_page(get_or_404(Assignment, assignment_id), error.status, **{name: form}, **extra)

    # --- the agency's actions -------------------------------------------------------------------------

    @expose("/<int:assignment_id>/report/", methods=("POST",))
    def report_view(self, assignment_id: int) -> Any:
        assignment = get_or_404(Assignment, assignment_id, Permission.assignment_work)
        user = current()
        form = bind(forms.ReportForm, files=True)
        form.set_actions(forms.work_actions(user, assignment))
        if not form.validate():
            return self._work_page(assignment, 422, report_form=form)
        uploads = form.uploads()
        try:
            update, attached = report_with_evidence(
                assignment,
                [(upload.stream, upload.filename) for upload in uploads],
                actor=user,
                note=form.note.data or "",
                progress_percent=form.progress_percent.data,
                action=form.chosen_action(),
                expected_version=forms.version_of(form),
            )
        except OperationError as error:
            return self._refused(assignment_id, form, "report_form", error)
        if update is not None and attached:
            flash(_("Đã gửi báo cáo kèm %(count)s tệp minh chứng.", count=len(attached)), "success")
        elif update is not None:
            flash(_("Đã gửi báo cáo."), "success")
        else:
            flash(_("Đã nộp %(count)s tệp minh chứng.", count=len(attached)), "success")
        return self._back(assignment, "#updates")

    @expose("/evidence/<int:evidence_id>/remove/", methods=("POST",))
    def remove_evidence_view(self, evidence_id: int) -> Any:
        evidence = get_or_404(Evidence, evidence_id, Permission.assignment_work, of=lambda e: e.assignment)
        assignment = evidence.assignment
        form = bind(forms.RemoveEvidenceForm)
        if not form.validate():
            return self._work_page(assignment, 422, remove_form=form, removing=evidence.id)
        try:
            remove_evidence(evidence, actor=current(), reason=form.reason.data.strip())
        except OperationError as error:
            return self._refused(assignment.id, form, "remove_form", error, removing=evidence_id)
        flash(_("Đã gỡ minh chứng “%(name)s”.", name=evidence.filename), "success")
        return self._back(assignment, "#evidence")

    @expose("/<int:assignment_id>/extension/", methods=("POST",))
    def request_extension_view(self, assignment_id: int) -> Any:
        assignment = get_or_404(Assignment, assignment_id, Permission.assignment_work)
        form = bind(forms.ExtensionRequestForm)
        if not form.validate():
            return self._work_page(assignment, 422, extension_form=form)
        try:
            request_extension(assignment, form.requested_deadline.data, form.reason.data, actor=current())
        except OperationError as error:
            return self._refused(assignment_id, form, "extension_form", error)
        flash(_("Đã gửi đề nghị gia hạn; đơn vị theo dõi sẽ quyết định."), "success")
        warn_days_off([form.requested_deadline.data])
        return self._back(assignment, "#extension")

    @expose("/<int:assignment_id>/handlers/", methods=("POST",))
    def handlers_view(self, assignment_id: int) -> Any:
        """Phân công xử lý (issue 15): the agency's head names who handles the work inside the agency."""
        assignment = get_or_404(Assignment, assignment_id, Permission.assignment_delegate)
        form = bind(forms.HandlersForm)
        form.set_candidates(assignment)
        if not form.validate():
            return self._work_page(assignment, 422, handlers_form=form)
        try:
            rows = assign_handlers(
                assignment,
                {"handlers": form.handlers.data, "note": form.note.data or "", "due_on": form.due_on.data},
                actor=current(),
            )
        except OperationError as error:
            return self._refused(assignment_id, form, "handlers_form", error)
        names = ", ".join(row.user.full_name for row in rows)
        flash(_("Đã phân công xử lý: %(names)s.", names=names), "success")
        return self._back(assignment, "#handlers")

    # --- the monitor's (and the office's) actions -----------------------------------------------------

    @expose("/<int:assignment_id>/review/", methods=("POST",))
    def review_view(self, assignment_id: int) -> Any:
        assignment = get_or_404(Assignment, assignment_id, Permission.assignment_review)
        form = bind(forms.ReviewForm)
        if not form.validate():
            return self._work_page(assignment, 422, review_form=form)
        try:
            form.submit(assignment)
        except OperationError as error:
            return self._refused(assignment_id, form, "review_form", error)
        if form.decision.data == "accept":
            flash(_("Đã xác nhận hoàn thành."), "success")
        else:
            flash(_("Đã trả lại; cơ quan thực hiện thấy lý do trên trang nhiệm vụ."), "success")
        return self._back(assignment)

    @expose("/extension/<int:request_id>/decide/", methods=("POST",))
    def decide_extension_view(self, request_id: int) -> Any:
        extension = get_or_404(ExtensionRequest, request_id, Permission.assignment_review, of=lambda r: r.assignment)
        assignment = extension.assignment
        form = bind(forms.ExtensionDecisionForm)
        if not form.validate():
            return self._work_page(assignment, 422, decision_form=form)
        try:
            form.submit(extension)
        except OperationError as error:
            return self._refused(assignment.id, form, "decision_form", error)
        if form.decision.data == "approve":
            new_deadline = format_date(extension.requested_deadline)
            flash(_("Đã đồng ý gia hạn đến %(date)s.", date=new_deadline), "success")
        else:
            flash(_("Đã từ chối đề nghị gia hạn."), "success")
        return redirect(safe_next(form.next.data) or url_for(".details_view", id=assignment.id) + "#extension")

    # --- downloads ------------------------------------------------------------------------------------

    @expose("/evidence/<int:evidence_id>/")
    def evidence_view(self, evidence_id: int) -> Any:
        """The file, always as a download: never rendered by the browser, whatever it holds."""
        evidence = through_visible_assignment(Evidence, evidence_id, current())
        if evidence is None:
            abort(404)
        return evidence_download(evidence, actor=current())
