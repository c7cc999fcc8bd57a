"""A GET of a page's action URL leads back to the page (303) instead of "405 Phương thức không được hỗ trợ".

A refused form is shown again under its action URL (`/app/assignment/5/report/`); reloading it from the
address bar, a bookmark or a link sent by chat then asks that URL with GET, which only takes POST.
Every such URL maps to the page it belongs to, by these rules in order:

1. a page named for the action's endpoint (`register_action_page`), for actions whose page is the
   page of another object (an evidence file's assignment, an extension request's assignment);
2. the page of the object the URL names, when its argument is named after the view
   (`assignment_id` under `assignment.` → `assignment.details_view?id=…`);
3. the nearest shorter URL that answers GET (`/app/directive/task/7/assign/` → `/app/directive/task/7/`,
   `/app/agency/delete/` → `/app/agency/`), else the home page.

Nothing is looked up that the target page would not check again: each page applies its own permissions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter, RequestRedirect

#: endpoint -> function(view_args) returning the page's URL, or None to fall through to the rules below
PageOf = Callable[[dict[str, Any]], str | None]
_EXTENSION_KEY = "coordination.action_pages"


def register_action_page(app: Flask, endpoint: str, page_of: PageOf) -> None:
    """Name the page an action URL belongs to (rule 1)."""
    app.extensions.setdefault(_EXTENSION_KEY, {})[endpoint] = page_of


def page_of_action() -> str | None:
    """The page the current GET belongs to, if its URL is an action that only takes POST; None otherwise."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    try:
        endpoint, args = adapter.match(method="POST")
    except (HTTPException, RequestRedirect):
        return None
    explicit = current_app.extensions.get(_EXTENSION_KEY, {}).get(endpoint)
    if explicit is not None and (page := explicit(args)) is not None:
        return page
    blueprint, _, _ = endpoint.rpartition(".")
    owner = args.get(f"{blueprint}_id")
    if blueprint and owner is not None and f"{blueprint}.details_view" in current_app.view_functions:
        return url_for(f"{blueprint}.details_view", id=owner)
    return _nearest_page(adapter, request.path)


def _nearest_page(adapter: MapAdapter, path: str) -> str:
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) + "/"
        for shape in (candidate, candidate.rstrip("/")):
            try:
                adapter.match(shape or "/", method="GET")
            except RequestRedirect as redirect:
                return redirect.new_url
            except HTTPException:
                continue
            return request.script_root + (shape or "/")
    return url_for("web.index")
