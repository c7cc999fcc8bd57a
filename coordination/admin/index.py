"""Trang chủ: what needs attention now, with links to the lists that show it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_admin import expose

from coordination.admin import queries
from coordination.admin.base import SecureIndexView, current
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.permissions import visible_directives


class HomeView(SecureIndexView):
    @expose("/")
    def index(self) -> Any:
        user = current()
        directive_count = db.session.scalar(sa.select(sa.func.count(Directive.id)).where(visible_directives(user)))
        return self.render(
            "admin/home.html",
            user=user,
            directive_count=directive_count or 0,
            work=queries.work_counts(user),
            progress=queries.directive_progress(user),
        )
