"""Chờ xử lý: what waits for the monitor's or the office's decision, oldest first, decided from the row.

Three sections (work reported done, extension requests, explanations answered and not read), each
paginated on its own. A row's buttons post here: load or 404 → permission → the same form as the
assignment page → the same operation → back to this page with a message (errors too: nothing is kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext as _

from coordination import keyset
from coordination.access import get_or_404
from coordination.admin import assignment_forms as forms
from coordination.admin.base import SecureBaseView, current
from coordination.admin.forms import WorkflowForm, bind
from coordination.assignments.models import Assignment, ExtensionRequest
from coordination.db import today as local_today
from coordination.errors import OperationError
from coordination.extensions import db
from coordination.formatting import format_date
from coordination.permissions import Permission, keeps_a_queue
from coordination.queue.queries import (
    KEY_KINDS,
    QueueKind,
    count_limit,
    over_limit,
    queue_counts,
    queue_page,
    waiting_total,
)
from coordination.reminders.models import ExplanationRequest
from coordination.reminders.operations import read_explanation_answer
from coordination.templating import format_number

PAGE_SIZE = 20


class ReadForm(WorkflowForm):
    """ "Đã đọc" on an explanation: nothing but the CSRF token."""


def _cursor_arg(kind: QueueKind) -> str:
    """Each section pages on its own (keyset, issue 14): `review_cursor`, ... (an old `review_page` is ignored)."""
    return f"{kind.value}_cursor"


def _salt(kind: QueueKind) -> str:
    return f"queue-{kind.value}"


class QueueView(SecureBaseView):
    """For monitor, office and admin; officers have no decisions to make here."""

    def is_accessible(self) -> bool:
        return super().is_accessible() and keeps_a_queue(current())

    @expose("/")
    def index(self) -> Any:
        user = current()
        counts = queue_counts(user)
        cursors, notices, kept = {}, {}, {}
        for kind in QueueKind:
            token = request.args.get(_cursor_arg(kind))
            # the order (waiting since, id) does not change with the day: yesterday's link still continues
            cursor = keyset.decode(token, _salt(kind), KEY_KINDS[kind], dated=False)
            if isinstance(cursor, keyset.Refusal):
                notices[kind], cursor = cursor, None
            elif cursor is not None:
                kept[_cursor_arg(kind)] = token
            cursors[kind] = cursor
        sections = []
        for kind in QueueKind:
            found = (
                queue_page(kind, user, cursor=cursors[kind], size=PAGE_SIZE, salt=_salt(kind))
                if counts[kind.value]
                else keyset.Page([], 0, None, None)
            )
            arg = _cursor_arg(kind)
            others = {k: v for k, v in kept.items() if k != arg}
            links = keyset.links_by(
                found,
                lambda c, arg=arg, others=others, kind=kind: (
                    url_for(".index", **others, **({arg: c} if c else {})) + f"#{kind.value}"
                ),
            )
            sections.append(
                {
                    "kind": kind.value,
                    "count": counts[kind.value],
                    "rows": found.rows,
                    "links": links,
                    "notice": notices.get(kind),
                }
            )
        return self.render(
            "queue/index.html",
            sections=sections,
            total=waiting_total(counts),
            review_form=forms.ReviewForm(),
            decision_form=forms.ExtensionDecisionForm(),
            read_form=ReadForm(),
            today=local_today(),
            page_args=kept,
        )

    def _back(self) -> Any:
        """Back to the queue, on the pages the user was reading (the form carries their cursors, checked when read)."""
        names = {_cursor_arg(kind) for kind in QueueKind}
        kept = {k: v for k, v in request.form.items() if k in names and 0 < len(v) <= 1000}
        return redirect(url_for(".index", **kept), code=303)

    def _refused(self, form: Any, error: OperationError | None = None) -> Any:
        """Nothing kept; the reason said at the top of the queue."""
        db.session.rollback()
        if error is not None:
            flash(str(error.message), "error")
        for messages in form.errors.values():
            for message in messages:
                flash(str(message), "error")
        return self._back()

    # A GET of an action URL (a reload after a refused form) leads back to the queue, never a 405.
    @expose("/review/<int:assignment_id>/", methods=("GET", "POST"))
    def review(self, assignment_id: int) -> Any:
        if request.method != "POST":
            return redirect(url_for(".index"))
        assignment = get_or_404(Assignment, assignment_id, Permission.assignment_review)
        form = bind(forms.ReviewForm)
        if not form.validate():
            return self._refused(form)
        try:
            form.submit(assignment)
        except OperationError as error:
            return self._refused(form, error)
        what = _(
            "%(agency)s, nhiệm vụ %(label)s", agency=assignment.agency.name_vi, label=assignment.task.display_label
        )
        if form.decision.data == "accept":
            flash(_("Đã xác nhận hoàn thành: %(what)s.", what=what), "success")
        else:
            flash(_("Đã trả lại: %(what)s.", what=what), "success")
        return self._back()

    @expose("/extension/<int:request_id>/", methods=("GET", "POST"))
    def extension(self, request_id: int) -> Any:
        if request.method != "POST":
            return redirect(url_for(".index"))
        extension = get_or_404(ExtensionRequest, request_id, Permission.assignment_review, of=lambda r: r.assignment)
        form = bind(forms.ExtensionDecisionForm)
        if not form.validate():
            return self._refused(form)
        try:
            form.submit(extension)
        except OperationError as error:
            return self._refused(form, error)
        agency = extension.assignment.agency.name_vi
        if form.decision.data == "approve":
            flash(
                _(
                    "Đã đồng ý gia hạn cho %(agency)s đến %(date)s.",
                    agency=agency,
                    date=format_date(extension.requested_deadline),
                ),
                "success",
            )
        else:
            flash(_("Đã từ chối đề nghị gia hạn của %(agency)s.", agency=agency), "success")
        return self._back()

    @expose("/explanation/<int:request_id>/read/", methods=("GET", "POST"))
    def explanation_read(self, request_id: int) -> Any:
        if request.method != "POST":
            return redirect(url_for(".index"))
        explanation = get_or_404(
            ExplanationRequest, request_id, Permission.assignment_review, of=lambda r: r.assignment
        )
        form = bind(ReadForm)
        if not form.validate():
            abort(400)
        try:
            read_explanation_answer(explanation, actor=current())
        except OperationError as error:
            return self._refused(form, error)
        flash(
            _("Đã đánh dấu đã đọc giải trình của %(agency)s.", agency=explanation.assignment.agency.name_vi), "success"
        )
        return self._back()


def waiting_number(count: int) -> str:
    """A count of the queue as shown: 327 or, past QUEUE_COUNT_LIMIT, "1.000+" (counting stops there)."""
    if over_limit(count):
        return format_number(count_limit()) + "+"
    return format_number(count)


@dataclass(frozen=True)
class MenuCount:
    value: int
    title: str


def menu_count(item: Any) -> MenuCount | None:
    """The count beside a menu item: what waits in "Chờ xử lý", the extension requests; None for the rest.

    Only for the roles that act on them; one query a request however many items ask (queue_counts).
    """
    endpoint = getattr(getattr(item, "_view", None), "endpoint", None)
    if endpoint not in ("queue", "extension_request"):
        return None
    user = current()
    if not keeps_a_queue(user):
        return None
    counts = queue_counts(user)
    if endpoint == "extension_request":
        return MenuCount(counts[QueueKind.extension.value], _("đề nghị chờ quyết định"))
    title = _(
        "%(review)s chờ xác nhận, %(extension)s đề nghị gia hạn, %(explanation)s giải trình chưa đọc",
        review=waiting_number(counts[QueueKind.review.value]),
        extension=waiting_number(counts[QueueKind.extension.value]),
        explanation=waiting_number(counts[QueueKind.explanation.value]),
    )
    return MenuCount(waiting_total(counts), title)


def init_queue(app: Flask) -> None:
    app.jinja_env.globals.update(menu_count=menu_count)
    app.jinja_env.filters["waiting_number"] = waiting_number
