"""Who may report on what, and the scope of a report (a directive, an agency, a period)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from coordination.agencies.models import Agency
from coordination.auth.models import User
from coordination.directives.models import Directive, DirectiveStatus
from coordination.errors import Conflict, Forbidden, NotFound
from coordination.extensions import db
from coordination.permissions import (
    Permission,
    can,
    dashboard_scope,
    visible_directives,
)

# --- who may report on what -------------------------------------------------------------------------


def may_report(user: User | None) -> bool:
    """Admin, the office (its issuer's directives) and a monitor (those it monitors); None is the CLI."""
    return user is None or can(user, Permission.report_view)


def require_reporter(user: User | None) -> None:
    if not may_report(user):
        raise Forbidden(_("Chỉ Văn phòng UBND, cơ quan theo dõi và quản trị viên được lập báo cáo."))


def reportable_clause(user: User | None) -> sa.ColumnElement[bool]:
    """The directives `user` reports on: published, and issued by its office or monitored by its agency."""
    if user is None:
        return Directive.status != DirectiveStatus.draft
    require_reporter(user)
    return dashboard_scope(user)


def directive_for_report(user: User | None, directive_id: int) -> Directive:
    """The directive; NotFound when missing or hidden from the user, Forbidden when seen but not theirs to report."""
    directive = db.session.get(Directive, directive_id)
    if directive is None or (user is not None and not _visible(user, directive_id)):
        raise NotFound(
            _("Không tìm thấy văn bản số %(id)s.", id=directive_id),
            errors={"directive": [_("Không có văn bản này, hoặc bạn không được xem.")]},
        )
    if directive.status == DirectiveStatus.draft:
        raise Conflict(
            _("Văn bản %(ref)s còn là bản nháp: chưa có gì để báo cáo.", ref=directive.ref),
            errors={"directive": [_("Văn bản chưa ban hành.")]},
        )
    allowed = db.session.scalar(sa.select(sa.exists().where(Directive.id == directive_id, reportable_clause(user))))
    if not allowed:
        raise Forbidden(
            _("Bạn không lập báo cáo được cho văn bản %(ref)s.", ref=directive.ref),
            errors={"directive": [_("Văn bản không thuộc phạm vi theo dõi của bạn.")]},
        )
    return directive


def directive_by_ref(ref: str) -> list[Directive]:
    """Directives numbered `ref` ("2157/UBND-KSTT"); the number is unique per issuer only."""
    return list(db.session.scalars(sa.select(Directive).where(Directive.ref == ref.strip()).order_by(Directive.id)))


def _visible(user: User, directive_id: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(Directive.id == directive_id, visible_directives(user)))))


def agency_for_report(code: str) -> Agency:
    agency = db.session.scalar(sa.select(Agency).where(Agency.code == code.strip()))
    if agency is None:
        raise NotFound(
            _("Không có cơ quan mã %(code)s.", code=code), errors={"agency": [_("Mã cơ quan không tồn tại.")]}
        )
    return agency


def resolve_scope(
    user: User | None,
    *,
    directive: Directive | None = None,
    agency_code: str | None = None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    statuses: list[str] | None = None,
    timeliness: list[str] | None = None,
    role: str = "all",
) -> ReportScope:
    """A report's scope from what a request or a command names; NotFound for an unknown agency."""
    require_reporter(user)
    return ReportScope(
        directive=directive,
        agency=agency_for_report(agency_code) if agency_code else None,
        issued_from=issued_from,
        issued_to=issued_to,
        statuses=frozenset(str(getattr(s, "value", s)) for s in statuses or []),
        timeliness=frozenset(str(getattr(t, "value", t)) for t in timeliness or []),
        role=role,
    )


# --- what a report holds -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportScope:
    """What to report on: a directive, an agency, directives issued in a period (or all), and filters."""

    directive: Directive | None = None
    agency: Agency | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    statuses: frozenset[str] = frozenset()
    timeliness: frozenset[str] = frozenset()
    #: "lead": only the lead agencies' assignments; "all": coordinating ones too
    role: str = "all"

    @property
    def kind(self) -> str:
        if self.directive is not None:
            return "directive"
        if self.agency is not None:
            return "agency"
        if self.issued_from is not None or self.issued_to is not None:
            return "period"
        return "all"
