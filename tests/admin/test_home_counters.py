"""Trang chủ: each role's counters count the scope it acts on, equal the dashboard's, and link to their lists."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.conftest import USERS
from tests.support.monitoring import data_values, fresh

#: the demo's numbers, written by hand (the two directives' deadlines are long past, so they do not move):
#: (directives, open, overdue, due soon, awaiting acceptance or None for officers, who accept nothing)
EXPECTED = {
    "admin": (2, 82, 79, 0, 4),
    "office.tayninh": (1, 56, 55, 0, 2),  # the 2157/UBND-KSTT its UBND issued
    "monitor.tayninh": (1, 56, 55, 0, 2),  # the same directive, which its Công an monitors
    "justice.tayninh": (1, 1, 1, 0, None),  # Sở Tư pháp's own work
    "education.tayninh": (1, 2, 1, 0, None),
    "office.tamdiep": (1, 26, 24, 0, 2),
    "monitor.tamdiep": (1, 26, 24, 0, 2),
    "bacson.tamdiep": (1, 2, 1, 0, None),
}
KEYS = ("directives", "open", "overdue", "due_soon", "review")


def _counters(html: str) -> dict[str, int]:
    block = html.split('class="row app-cards home-counters"', 1)[1].split("</div>\n</div>", 1)[0]
    return {k: int(v) for k, v in data_values(block, "data-count").items()}


def _links(html: str) -> dict[str, str]:
    block = html.split('class="row app-cards home-counters"', 1)[1]
    return {key: unescape(href) for href, key in re.findall(r'href="([^"]+)" data-count="([^"]+)"', block)}


@pytest.mark.parametrize("username", USERS)
def test_home_counters_are_the_dashboards(client, login, username: str) -> None:
    login(username)
    fresh()
    home = _counters(client.get("/app/").get_data(as_text=True))
    dashboard = {
        k: int(v) for k, v in data_values(client.get("/app/dashboard/").get_data(as_text=True), "data-count").items()
    }
    directives, open_, overdue, due_soon, review = EXPECTED[username]
    expected = {"directives": directives, "open": open_, "overdue": overdue, "due_soon": due_soon}
    if review is not None:
        expected["review"] = review
    assert home == expected
    # the same numbers as the dashboard's cards
    assert home["overdue"] == dashboard["overdue"] and home["due_soon"] == dashboard["due_soon"]
    assert home["open"] == sum(dashboard[k] for k in ("overdue", "due_soon", "on_time", "no_deadline"))


@pytest.mark.parametrize("username", ["office.tayninh", "monitor.tayninh", "justice.tayninh"])
def test_each_number_links_to_the_list_behind_it(client, login, username: str) -> None:
    login(username)
    html = client.get("/app/").get_data(as_text=True)
    numbers, links = _counters(html), _links(html)
    assert set(links) == set(numbers)
    for key, url in links.items():
        page = client.get(url).get_data(as_text=True)
        if key == "directives":
            shown = len(re.findall(r'<tr class="directive-row"', page))
        elif key == "review":
            shown = int(re.search(r'data-kind="review" data-count="(\d+)"', page).group(1))
        else:
            # "1–50 trong 55 việc" (issue 14: the page's rows, then the list's size), or "0 việc"
            line = re.search(r'work-count">(?:[\d.]+–[\d.]+ trong )?([\d.]+) việc</p>', page)
            shown = int(line.group(1).replace(".", ""))
        assert shown == numbers[key], (key, url)


def test_the_office_counts_its_issuers_directives_not_its_own_work(client, login) -> None:
    """Issue 11: the office's home said "0 việc đang mở, 0 quá hạn" above a table with 54 overdue."""
    login("office.tayninh")
    html = client.get("/app/").get_data(as_text=True)
    assert _counters(html)["overdue"] == 55
    assert "Số liệu các văn bản do Ủy ban nhân dân tỉnh Tây Ninh ban hành." in html


def test_the_recent_directives_table_agrees_with_the_counters(client, login) -> None:
    """The office's one directive: its row's overdue is the home counter's (work reported late counts too)."""
    login("office.tayninh")
    html = client.get("/app/").get_data(as_text=True)
    row = html.split('data-label="Quá hạn">', 1)[1].split("<", 1)[0]
    assert int(row) == _counters(html)["overdue"] == 55
