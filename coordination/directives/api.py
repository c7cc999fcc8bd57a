"""GET /api/v1/directives and /api/v1/directives/{id}: what the user may see."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_login import current_user

from coordination.api.core import Blueprint
from coordination.api.pagination import paginate
from coordination.api.schemas import MAX_ID, page_of
from coordination.directives.models import Directive
from coordination.directives.queries import directive_query, get_directive
from coordination.directives.schemas import DirectiveArgsSchema, DirectiveDetailSchema, DirectiveSchema
from coordination.errors import NotFound

blp = Blueprint("api_directives", __name__, url_prefix="/api/v1/directives", description="Directives and their tasks")


@blp.get("")
@blp.arguments(DirectiveArgsSchema, location="query", as_kwargs=True)
@blp.response(200, page_of(DirectiveSchema))
def list_directives(page_size: int, page_token: int | None, q: str | None = None, **filters: Any) -> dict[str, Any]:
    """List the directives you may see; `q` searches ref, subject and task texts."""
    query = directive_query(current_user, q, **filters)
    return paginate(query, {"page_size": page_size, "page_token": page_token}, key=Directive.id)


@blp.get(f"/<int(max={MAX_ID}):directive_id>")
@blp.response(200, DirectiveDetailSchema)
def get_directive_detail(directive_id: int) -> Directive:
    """One directive with its tasks in document order and each task's assignments."""
    directive = get_directive(current_user, directive_id)
    if directive is None:
        # The same answer when it exists but is not yours to see: its existence is not told.
        raise NotFound(
            _("Không tìm thấy văn bản số %(id)s.", id=directive_id),
            errors={"id": [_("Không có văn bản này, hoặc bạn không được xem.")]},
        )
    return directive
