"""Issue 11: a favicon, served from the app's static files and linked from every kind of page."""

from __future__ import annotations

import re

ICON_LINKS = [("/static/favicon.svg", "image/svg+xml"), ("/static/favicon.png", "image/png")]


def _icons(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<link rel="icon" href="([^"?]+)[^"]*" type="([^"]+)"', html)


def test_the_icons_are_served(client) -> None:
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert svg.get_data(as_text=True).startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    with client.get("/static/favicon.png") as png:
        assert png.status_code == 200 and png.mimetype == "image/png"
        head = png.get_data()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[16:24] == bytes([0, 0, 0, 32, 0, 0, 0, 32])  # 32 x 32


def test_every_base_template_links_them(client, login) -> None:
    assert _icons(client.get("/login").get_data(as_text=True)) == ICON_LINKS  # layout.html
    assert _icons(client.get("/api/v1/docs").get_data(as_text=True)) == ICON_LINKS  # the API's page
    login("monitor.tayninh")
    for url in ("/app/", "/app/dashboard/", "/app/queue/", "/app/agency/"):  # Flask-Admin's base (app_base.html)
        assert _icons(client.get(url).get_data(as_text=True)) == ICON_LINKS, url
    missing = client.get("/app/assignment/details/?id=999999999")
    assert missing.status_code == 404 and _icons(missing.get_data(as_text=True)) == ICON_LINKS  # the error page
