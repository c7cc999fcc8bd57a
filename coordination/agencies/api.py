"""GET /api/v1/agencies: the directory of agencies."""

from __future__ import annotations

from typing import Any

from coordination.agencies.models import Agency
from coordination.agencies.queries import agency_query
from coordination.agencies.schemas import AgencyArgsSchema, AgencySchema
from coordination.api.core import Blueprint
from coordination.api.pagination import paginate
from coordination.api.schemas import page_of

blp = Blueprint("api_agencies", __name__, url_prefix="/api/v1/agencies", description="Agencies (cơ quan, đơn vị)")


@blp.get("")
@blp.arguments(AgencyArgsSchema, location="query", as_kwargs=True)
@blp.response(200, page_of(AgencySchema))
def list_agencies(page_size: int, page_token: int | None, **filters: Any) -> dict[str, Any]:
    """List agencies, with parent, groups and aliases."""
    query = agency_query(**filters)
    return paginate(query, {"page_size": page_size, "page_token": page_token}, key=Agency.id)
