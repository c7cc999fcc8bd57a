"""Nhập từ Excel: upload a file of agencies and users → check → confirm (the same file, checked again) → done.

The checked file stays on the server (coordination/onboarding/pending.py) until it is imported, so the
confirmation imports exactly the bytes that were checked, and the problems file can be downloaded.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import FileField, HiddenField, StringField
from wtforms.validators import ValidationError

from coordination.admin.base import SecureBaseView, current
from coordination.admin.forms import WorkflowForm, bind, max_length, required
from coordination.auth.operations import USERNAME_MAX, get_user_by_username
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.onboarding import pending
from coordination.onboarding.files import problems_csv, template_csv, template_xlsx
from coordination.onboarding.invitations import reissue_invitation
from coordination.onboarding.operations import OnboardingResult, Upload, import_onboarding
from coordination.onboarding.reading import AGENCIES, USERS
from coordination.permissions import Permission

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
#: file name -> (how it is built, its MIME type)
TEMPLATES = {
    "mau-nhap-co-quan-nguoi-dung.xlsx": (template_xlsx, XLSX),
    "mau-co-quan.csv": (lambda: template_csv(AGENCIES), CSV),
    "mau-nguoi-dung.csv": (lambda: template_csv(USERS), CSV),
}


class UploadForm(WorkflowForm):
    file = FileField(_l("Tệp danh sách (.xlsx hoặc .csv)"), render_kw={"accept": ".xlsx,.csv"})

    def validate_file(self, field: Any) -> None:
        if not getattr(field.data, "filename", ""):
            raise ValidationError(_("Hãy chọn một tệp .xlsx hoặc .csv."))


class ConfirmForm(WorkflowForm):
    upload_id = HiddenField()


class InviteForm(WorkflowForm):
    username = StringField(_l("Tên đăng nhập"), validators=[required(), max_length(USERNAME_MAX)])


def _attachment(content: bytes, name: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class OnboardingView(SecureBaseView):
    """Admin only (onboarding:import); others get 403 and no menu entry."""

    permission = Permission.onboarding_import

    def _page(self, status: int = 200, **context: Any) -> Any:
        context.setdefault("form", UploadForm())
        context.setdefault("invite_form", InviteForm())
        context.setdefault("templates", list(TEMPLATES))
        return self.render("onboarding/index.html", **context), status

    @expose("/")
    def index(self) -> Any:
        return self._page()

    @expose("/check", methods=("POST",))
    def check_view(self) -> Any:
        form = bind(UploadForm, files=True)
        if not form.validate():
            return self._page(422, form=form)
        upload = Upload(form.file.data.filename, form.file.data.read())
        try:
            result = import_onboarding(upload, actor=current(), dry_run=True)
        except OperationError as error:
            form.file.errors = [error.message]
            return self._page(error.status, form=form)
        upload_id = pending.keep(upload)
        return self._page(
            422 if result.problems else 200,
            result=result,
            filename=upload.filename,
            upload_id=upload_id,
            confirm=ConfirmForm(data={"upload_id": upload_id}),
        )

    @expose("/confirm", methods=("POST",))
    def confirm_view(self) -> Any:
        form = bind(ConfirmForm)
        upload_id = form.upload_id.data or ""
        upload = pending.load(upload_id) if form.validate() else None
        if upload is None:
            return self._page(
                422, gone=_("Không còn tệp đã kiểm tra (đã nhập, hoặc quá một ngày). Hãy tải tệp lên lại.")
            )
        try:
            # Checked again: the registry may have changed since the check (another admin, another file).
            result: OnboardingResult = import_onboarding(upload, actor=current())
        except OperationError as error:
            db.session.rollback()
            return self._page(error.status, gone=error.message)
        if result.problems:
            db.session.rollback()
            return self._page(
                422,
                result=result,
                filename=upload.filename,
                upload_id=upload_id,
                confirm=ConfirmForm(data={"upload_id": upload_id}),
            )
        pending.discard(upload_id)
        return self._page(result=result, filename=upload.filename, imported=True)

    @expose("/invite", methods=("POST",))
    def invite_view(self) -> Any:
        """A new invitation link for one user (the earlier one expired or never arrived)."""
        form = bind(InviteForm)
        if not form.validate():
            return self._page(422, invite_form=form)
        try:
            issued = reissue_invitation(get_user_by_username(form.username.data), actor=current())
        except OperationError as error:
            db.session.rollback()
            form.username.errors = [error.message]
            return self._page(error.status, invite_form=form)
        return self._page(reissued=issued)

    @expose("/problems/<upload_id>.csv")
    def problems_view(self, upload_id: str) -> Any:
        upload = pending.load(upload_id)
        if upload is None:
            abort(404)
        try:
            result = import_onboarding(upload, actor=current(), dry_run=True)
        except OperationError:
            abort(404)
        return _attachment(problems_csv(result.problems), "van-de-nhap-lieu.csv", CSV)

    @expose("/template/<filename>")
    def template_view(self, filename: str) -> Any:
        if filename not in TEMPLATES:
            abort(404)
        build, mimetype = TEMPLATES[filename]
        return _attachment(build(), filename, mimetype)
