"""Import a directive from its text: paste or upload, review beside the original, create the draft.

The review page is the registration form (DirectiveForm) filled from the parser and the registry,
with the original text beside it; "Tạo dự thảo" saves it through the same operation.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import FileField, HiddenField, TextAreaField
from wtforms.validators import ValidationError

from coordination.admin import directive_forms as forms
from coordination.admin.base import current
from coordination.admin.forms import WorkflowForm, bind, show_error
from coordination.admin.working_days import warn_days_off
from coordination.auth.models import User
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.importer.operations import import_directive, proposed_directive, review_form_data
from coordination.importer.parser import parse_directive
from coordination.importer.resolve import Resolution, resolve_extraction
from coordination.importer.text import ImportTextError, extract_text
from coordination.importer.warnings import describe_warning
from coordination.permissions import Permission, can

#: the longest text accepted for review (a directive runs to tens of pages, not hundreds)
MAX_TEXT = 200_000


class ImportSourceForm(WorkflowForm):
    text = TextAreaField(_l("Dán nội dung văn bản"), render_kw={"rows": 14})
    file = FileField(_l("Hoặc chọn tệp (.txt, .docx, .pdf có lớp chữ)"), render_kw={"accept": ".txt,.docx,.pdf"})

    def validate_text(self, field: Any) -> None:
        if not (field.data or "").strip() and not getattr(self.file.data, "filename", ""):
            raise ValidationError(_("Hãy dán nội dung văn bản hoặc chọn một tệp."))
        if len(field.data or "") > MAX_TEXT:
            raise ValidationError(_("Văn bản quá dài (tối đa %(max)s ký tự).", max=MAX_TEXT))


class ImportReviewForm(forms.DirectiveForm):
    """The registration form, carrying the original text to store with the draft."""

    source_text = HiddenField()


def _importer() -> User:
    """The office user who may register directives of its own agency; 403 for anyone else."""
    user = current()
    if user is None or user.agency_id is None or not can(user, Permission.directive_create):
        abort(403)
    g.workflow_issuer_id = user.agency_id
    return user


def _found_codes(resolutions: dict[str, Resolution]) -> set[str]:
    """The agencies the importer matched or proposes: the review form's pickers offer them."""
    codes = {code for r in resolutions.values() for code in r.agency_codes}
    return codes | {c["agency"] for r in resolutions.values() for c in r.candidates if "agency" in c}


class DirectiveImporting:
    """Routes of DirectiveView that import a directive from its text."""

    import_template = "directives/import.html"
    review_template = "directives/import_review.html"

    def _review_page(self, form: ImportReviewForm, text: str, status: int = 200) -> Any:
        # Parsing again is cheap (milliseconds) and keeps the warnings beside the form after an error.
        extraction = parse_directive(text)
        resolutions = resolve_extraction(extraction, issuer=current().agency)
        unresolved = [r for r in resolutions.values() if not r.resolved]
        return self._page(  # type: ignore[attr-defined]
            self.review_template,
            status,
            form=form,
            text=text,
            warnings=[describe_warning(w) for w in extraction.get("warnings") or []],
            unresolved=unresolved,
            resolved=[r for r in resolutions.values() if r.resolved],
            issuer=current().agency,
            template_row=forms.TaskRowForm(prefix="tasks-__i__-"),
        )

    @expose("/import/", methods=("GET", "POST"))
    def import_view(self) -> Any:
        user = _importer()
        form = bind(ImportSourceForm, files=True)
        if request.method != "POST":
            return self._page(self.import_template, form=form)  # type: ignore[attr-defined]
        if not form.validate():
            return self._page(self.import_template, 422, form=form)  # type: ignore[attr-defined]
        text = form.text.data or ""
        upload = form.file.data
        if getattr(upload, "filename", ""):
            try:
                text = extract_text(upload.filename, upload.read())
            except ImportTextError as error:
                form.file.errors = [str(error)]
                return self._page(self.import_template, 422, form=form)  # type: ignore[attr-defined]
        if not text.strip():
            form.file.errors = [_("Tệp không có chữ nào để đọc.")]
            return self._page(self.import_template, 422, form=form)  # type: ignore[attr-defined]
        extraction = parse_directive(text)
        resolutions: dict[str, Resolution] = resolve_extraction(extraction, issuer=user.agency)
        forms.keep_agencies(_found_codes(resolutions))
        proposal = proposed_directive(extraction, resolutions, text)
        review = ImportReviewForm(data=review_form_data(proposal, resolutions))
        return self._review_page(review, text)

    @expose("/import/review/", methods=("POST",))
    def import_review_view(self) -> Any:
        user = _importer()
        form = bind(ImportReviewForm)
        # Browsers send the hidden copy's line breaks as CRLF.
        text = (form.source_text.data or "").replace("\r\n", "\n")[:MAX_TEXT]
        # What the importer found in the text stays offered, as on the first review page.
        resolutions = resolve_extraction(parse_directive(text), issuer=user.agency)
        forms.keep_agencies(_found_codes(resolutions))
        if "add_row" in request.form:
            # Without JavaScript the "add a row" buttons post the form: one more row, nothing saved.
            form.tasks.append_entry({"level": forms.SUB if request.form["add_row"] == forms.SUB else forms.TOP})
            return self._review_page(form, text)
        if not form.validate():
            return self._review_page(form, text, 422)
        try:
            directive = import_directive({**forms.directive_data(form), "source_text": text or None}, actor=user)
        except OperationError as error:
            db.session.rollback()
            show_error(form, error)
            return self._review_page(form, text, error.status)
        flash(_("Đã tạo bản nháp %(ref)s từ văn bản: kiểm tra lại rồi kích hoạt.", ref=directive.ref), "success")
        warn_days_off([directive.deadline, *(t.deadline for t in directive.tasks)])
        return redirect(url_for(".details_view", id=directive.id))
