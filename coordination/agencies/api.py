"""/api/v1/agencies: the directory of agencies; administrators merge and rename them."""

from __future__ import annotations

from typing import Any

from coordination.agencies.lookup import agency_by_code
from coordination.agencies.models import Agency
from coordination.agencies.operations import merge_agency, rename_agency
from coordination.agencies.queries import agency_query
from coordination.agencies.schemas import AgencyArgsSchema, AgencySchema, MergeResultSchema, MergeSchema, RenameSchema
from coordination.api.core import Blueprint, loads, reads_only, signed_in
from coordination.api.pagination import paginate
from coordination.api.schemas import page_of
from coordination.errors import NotFound

blp = Blueprint("api_agencies", __name__, url_prefix="/api/v1/agencies", description="Agencies (cơ quan, đơn vị)")


@blp.get("")
@reads_only
@blp.arguments(AgencyArgsSchema, location="query", as_kwargs=True)
@blp.response(200, page_of(AgencySchema))
def list_agencies(page_size: int, page_token: int | None, **filters: Any) -> dict[str, Any]:
    """List agencies, with parent, groups and aliases."""
    query = agency_query(**filters)
    return paginate(query, {"page_size": page_size, "page_token": page_token}, key=Agency.id)


def agency_or_404(code: str) -> Agency:
    """The agency with this code; the directory is public, so only a missing one is a 404."""
    return agency_by_code(code, field="code", error=NotFound)


@blp.post("/<code>/merge")
@loads("agency", agency_or_404, arg="code")
@blp.arguments(MergeSchema)
@blp.response(200, MergeResultSchema)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
@blp.alt_response(409, response="CONFLICT", description="Already merged")
def merge(data: dict[str, Any], agency: Agency) -> dict[str, Any]:
    """Merge the agency into its successor: open work moves there, finished work keeps the old name."""
    successor = agency_by_code(data["successor"], field="successor")
    moved = merge_agency(agency, successor, actor=signed_in())
    return {"agency": agency, "successor": successor, "moved": [assignment.id for assignment in moved]}


@blp.post("/<code>/rename")
@loads("agency", agency_or_404, arg="code")
@blp.arguments(RenameSchema)
@blp.response(200, AgencySchema)
@blp.alt_response(403, response="FORBIDDEN", description="Administrators only")
def rename(data: dict[str, Any], agency: Agency) -> Agency:
    """Give the agency its new name; the old one stays an alias, so texts naming it still match."""
    rename_agency(
        agency,
        name_vi=data["name_vi"],
        name_en=data.get("name_en"),
        short_name=data.get("short_name"),
        actor=signed_in(),
    )
    return agency
