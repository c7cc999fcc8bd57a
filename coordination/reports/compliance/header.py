"""The document around the tables: the issuing body, its superior, title, period and recipients (Nghị định 30)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from coordination.agencies.models import Agency, AgencyKind
from coordination.auth.models import User
from coordination.collation import vi_sorted
from coordination.extensions import db
from coordination.permissions import (
    reports_in_own_name,
    reports_to_issuers,
)
from coordination.reports.compliance.rows import DirectiveInfo, ReportHeader, _directive_info, short_date
from coordination.reports.compliance.scope import ReportScope

# --- the document around the tables ------------------------------------------------------------------


def _body(user: User | None, scope: ReportScope, directives: list[DirectiveInfo]) -> Agency | None:
    """The agency that issues the report: the reporter's own, else the directives' one issuer."""
    if reports_in_own_name(user) and user is not None:
        return user.agency
    if scope.directive is not None:
        return scope.directive.issuer
    issuers = {d.issuer_id for d in directives}
    if len(issuers) == 1:
        return db.session.get(Agency, issuers.pop())
    return None


def _superior(body: Agency) -> Agency | None:
    # A department's documents carry its People's Committee above its own name.
    parent = body.parent
    if body.kind in (AgencyKind.department, AgencyKind.board) and parent and parent.kind == AgencyKind.people_committee:
        return parent
    return None


def make_header(user: User | None, scope: ReportScope, day: date, directives: list[DirectiveInfo]) -> ReportHeader:
    if not directives and scope.directive is not None:
        directives = [_directive_info(scope.directive)]
    body = _body(user, scope, directives)
    own = [d for d in directives if body is not None and d.issuer_id == body.id]
    abbreviation = own[0].symbol.split("-")[0] if own else "……"
    place = next((d.place for d in directives if d.place), None)
    if place is None and scope.directive is not None:
        place = scope.directive.place
    notes = []
    period = _period(scope)
    if scope.kind == "directive":
        directive = directives[0]
        title = _("Tình hình thực hiện %(heading)s", heading=directive.heading)
        subject = _("V/v %(subject)s", subject=directive.subject)
        if scope.agency is not None:
            notes.append(_("Cơ quan, đơn vị: %(name)s", name=scope.agency.name_vi))
    elif scope.agency is not None:
        title = _("Tình hình thực hiện nhiệm vụ được giao của %(name)s", name=scope.agency.name_vi)
        subject = _("(Các văn bản chỉ đạo%(period)s)", period=period) if period else None
    else:
        issuer = " " + _("của %(name)s", name=body.short_name or body.name_vi) if body is not None else ""
        title = _("Tình hình thực hiện các văn bản chỉ đạo%(issuer)s%(period)s", issuer=issuer, period=period)
        subject = None
    filters = _filter_note(scope)
    if filters:
        notes.append(filters)
    subtitle = _("(Số liệu tính đến hết ngày %(day)s)", day=day.strftime("%d/%m/%Y"))
    recipients = []
    report_to = {
        d.report_to_name for d in directives if d.report_to_name and (body is None or d.report_to_name != body.name_vi)
    }
    recipients.extend(f"- {name};" for name in vi_sorted(report_to))
    if body is not None and reports_to_issuers(user):
        to_report = _("để báo cáo")  # outside the f-string, where Babel's extraction can see it
        recipients.extend(
            f"- {name} ({to_report});"
            for name in vi_sorted({d.issuer_name for d in directives if d.issuer_id != body.id})
        )
    recipients.append(_("- Các cơ quan, đơn vị được giao nhiệm vụ;"))
    recipients.append(_("- Lưu: VT."))
    signer = own[0] if len(directives) == 1 and own else None
    if signer is not None and (signer.signer_title or signer.signer_authority):
        authority = [part.strip().upper() for part in (signer.signer_authority or "").split(",") if part.strip()]
        signer_title, signer_name = (signer.signer_title or "").upper() or None, signer.signer_name
    else:
        authority, signer_title, signer_name = [_("QUYỀN HẠN, CHỨC VỤ CỦA NGƯỜI KÝ")], None, None
    superior = _superior(body) if body is not None else None
    return ReportHeader(
        superior_name=(superior.short_name or superior.name_vi).upper() if superior else None,
        body_name=body.name_vi.upper() if body is not None else None,
        number_line=_("Số:        /BC-%(abbreviation)s", abbreviation=abbreviation),
        place=place,
        dated=day,
        title=title,
        subtitle=subtitle,
        subject=subject,
        notes=notes,
        recipients=recipients,
        signer_authority=authority,
        signer_title=signer_title,
        signer_name=signer_name,
    )


def _period(scope: ReportScope) -> str:
    if scope.issued_from and scope.issued_to:
        return " " + _(
            "ban hành từ ngày %(start)s đến ngày %(end)s",
            start=short_date(scope.issued_from),
            end=short_date(scope.issued_to),
        )
    if scope.issued_from:
        return " " + _("ban hành từ ngày %(start)s", start=short_date(scope.issued_from))
    if scope.issued_to:
        return " " + _("ban hành đến ngày %(end)s", end=short_date(scope.issued_to))
    return ""


def _filter_note(scope: ReportScope) -> str:
    from coordination.templating import status_label, timeliness_label

    parts = []
    if scope.statuses:
        parts.append(_("trạng thái: %(v)s", v=", ".join(status_label(s) for s in sorted(scope.statuses))))
    if scope.timeliness:
        parts.append(_("tiến độ: %(v)s", v=", ".join(timeliness_label(t) for t in sorted(scope.timeliness))))
    if scope.role == "lead":
        parts.append(_("chỉ cơ quan chủ trì"))
    return _("Lọc theo %(parts)s", parts="; ".join(parts)) if parts else ""
