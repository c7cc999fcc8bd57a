"""The dashboard page and GET /api/v1/dashboard give the same numbers as the SQL functions; filters, sort, links."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.collation import vi_sorted
from coordination.extensions import db
from coordination.reports.dashboard import DashboardFilters, counts, league
from tests.conftest import count_queries, get_user
from tests.support.monitoring import assert_problem, data_values, fresh, generate_work, ids_of, league_rows

ROLES = ["admin", "office.tayninh", "monitor.tayninh", "justice.tayninh", "monitor.tamdiep", "bacson.tamdiep"]
COLUMNS = ["total", "done_on_time", "done_late", "in_progress", "overdue", "percent_on_time"]


def _expected_row(row) -> dict[str, str]:  # type: ignore[no-untyped-def]
    values = {"total": row.total, "in_progress": row.in_progress, "percent_on_time": row.percent_on_time}
    values.update({k: row.counts[k] for k in ("done_on_time", "done_late", "overdue")})
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _agency_id(code: str) -> int:
    return db.session.scalar(sa.select(Agency.id).where(Agency.code == code))


@pytest.mark.parametrize("username", ROLES)
def test_page_api_and_sql_agree(app, client, login, api, username) -> None:
    generate_work()
    user = get_user(username)
    expected_counts = counts(user, DashboardFilters())
    expected_league = league(user, DashboardFilters())
    assert sum(expected_counts.values()) > 0

    login(username)
    html = client.get("/app/dashboard/").get_data(as_text=True)
    assert {k: int(v) for k, v in data_values(html, "data-count").items()} == expected_counts
    assert league_rows(html) == [(r.agency.code, _expected_row(r)) for r in expected_league]

    body = api(username).get("/api/v1/dashboard").get_json()
    assert body["counts"] == expected_counts
    assert set(body) == {"counts", "agencies", "overdue"}
    assert [a["agency"]["code"] for a in body["agencies"]] == [r.agency.code for r in expected_league]
    for item, row in zip(body["agencies"], expected_league, strict=True):
        assert set(item) == {
            "agency",
            "total",
            "done_on_time",
            "done_late",
            "on_time",
            "due_soon",
            "overdue",
            "no_deadline",
            "percent_on_time",
        }
        assert {k: item[k] for k in row.counts} == row.counts
        assert (item["total"], item["percent_on_time"]) == (row.total, row.percent_on_time)
    # the overdue list: the page's first page is the API's first rows, most days late first
    page_ids = ids_of(html, "overdue-row")
    assert [o["id"] for o in body["overdue"]][: len(page_ids)] == page_ids
    assert len(body["overdue"]) == min(50, expected_counts["overdue"])
    late = [o["days_late"] for o in body["overdue"] if o["status"] != "reported_done"]
    assert late == sorted(late, reverse=True)


def test_officer_sees_only_its_agency_and_cannot_remind(client, login) -> None:
    login("justice.tayninh")
    html = client.get("/app/dashboard/").get_data(as_text=True)
    assert [code for code, _ in league_rows(html)] == ["TN-STP"]
    assert "remind-agency" not in html and 'name="assignment"' not in html


def test_filters_on_page_and_api(app, client, login, api) -> None:
    directive = generate_work()
    monitor = get_user("monitor.tayninh")
    agency_code = directive.tasks[0].assignments[0].agency.code
    agency_id = _agency_id(agency_code)
    cases = [
        ({"directive": directive.id}, {"directive": directive.id}, DashboardFilters(directive_id=directive.id)),
        ({"agency": agency_id}, {"agency": agency_code}, DashboardFilters(agency_id=agency_id)),
        (
            {"issued_from": "01/01/2022", "issued_to": "31/12/2022"},
            {"issued_from": "2022-01-01", "issued_to": "2022-12-31"},
            DashboardFilters(issued_from=date(2022, 1, 1), issued_to=date(2022, 12, 31)),
        ),
    ]
    login("monitor.tayninh")
    client_api = api("monitor.tayninh")
    for page_args, api_args, filters in cases:
        expected = counts(monitor, filters)
        html = client.get("/app/dashboard/", query_string=page_args).get_data(as_text=True)
        assert {k: int(v) for k, v in data_values(html, "data-count").items()} == expected, page_args
        assert client_api.get("/api/v1/dashboard", query_string=api_args).get_json()["counts"] == expected
    # 2157/UBND-KSTT alone was issued in 2022: the period filter leaves the generated directive out
    in_2022 = counts(monitor, cases[2][2])
    assert sum(in_2022.values()) < sum(counts(monitor, DashboardFilters()).values())


@pytest.mark.parametrize(
    ("page_args", "field"),
    [
        ({"issued_from": "31/02/2022"}, "issued_from"),
        ({"issued_to": "hôm qua"}, "issued_to"),
        ({"issued_from": "01/12/2022", "issued_to": "01/01/2022"}, "issued_to"),
        ({"directive": "abc"}, "directive"),
        ({"agency": "-3"}, "agency"),
    ],
)
def test_bad_page_filters_are_400_naming_the_field(client, login, page_args, field) -> None:
    login("monitor.tayninh")
    response = client.get("/app/dashboard/", query_string=page_args)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"issued_from": "31/12/2022"}, "issued_from"),
        ({"issued_from": "2022-12-01", "issued_to": "2022-01-01"}, "issued_to"),
        ({"agency": "NO-SUCH"}, "agency"),
        ({"directive": "0"}, "directive"),
        ({"directive": "x"}, "directive"),
    ],
)
def test_bad_api_filters_are_422_naming_the_field(api, args, field) -> None:
    assert_problem(api("monitor.tayninh").get("/api/v1/dashboard", query_string=args), 422, field=field)


def test_a_directive_the_user_may_not_see_is_refused(api) -> None:
    other = db.session.scalar(sa.text("SELECT id FROM directive WHERE ref = '570/UBND-CA'"))
    assert_problem(api("monitor.tayninh").get(f"/api/v1/dashboard?directive={other}"), 422, field="directive")


@pytest.mark.parametrize("column", ["agency", *COLUMNS])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_league_sorts_by_any_column(app, client, login, column, order) -> None:
    generate_work()
    login("monitor.tayninh")
    html = client.get("/app/dashboard/", query_string={"sort": column, "order": order}).get_data(as_text=True)
    rows = league_rows(html)
    assert len(rows) > 5
    names = {a.code: a.name_vi for a in db.session.scalars(sa.select(Agency))}
    if column == "agency":
        got = [names[code] for code, _ in rows]
        assert got == vi_sorted(got, reverse=order == "desc")  # Vietnamese order: "Đài…" before "Sở…"
        return
    present = [float(v[column]) for _, v in rows if v[column] != ""]
    assert present == sorted(present, reverse=order == "desc")
    blanks = [i for i, (_, v) in enumerate(rows) if v[column] == ""]
    assert blanks == list(range(len(rows) - len(blanks), len(rows)))  # no value: always last
    # the header says which way it is sorted, for screen readers too
    assert 'aria-sort="' + ("descending" if order == "desc" else "ascending") + '"' in html


def test_each_number_links_to_the_list_behind_it(app, client, login) -> None:
    directive = generate_work()
    login("monitor.tayninh")
    html = client.get("/app/dashboard/", query_string={"directive": directive.id}).get_data(as_text=True)
    rows = league_rows(html)
    links = re.findall(r'<a href="([^"]+)" class="league-link">([\d.]+)</a>', html)
    assert len(links) == 5 * len(rows)
    checked = 0
    for href, shown in links[:25]:  # five agencies, every column
        url = unescape(href)
        query = parse_qs(urlsplit(url).query)
        assert query["directive"] == [str(directive.id)]
        assert "agency" in query and query["timeliness"]
        listed = client.get(url)
        assert listed.status_code == 200
        assert listed.get_data(as_text=True).count('class="work-row"') == int(shown.replace(".", "")), url
        checked += 1
    assert checked == 25


def test_count_cards_link_to_one_agency_list(app, client, login) -> None:
    login("justice.tayninh")
    html = client.get("/app/dashboard/").get_data(as_text=True)
    href = unescape(re.search(r'href="([^"]+)" data-count="overdue"', html)[1])
    assert "timeliness=overdue" in href
    shown = int(data_values(html, "data-count")["overdue"])
    assert client.get(href).get_data(as_text=True).count('class="work-row"') == shown


#: user and agency, unread count, directive and agency choices, counts, league (2), overdue page,
#: unanswered explanations, indicators and their measurements (11 today)
PAGE_MAX = 12
#: token and user, counts, league (2), overdue page (5 today)
API_MAX = 6


def _queries(client, url: str) -> int:
    fresh()
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements)


def test_query_counts_do_not_grow_with_rows(app, client, login, api) -> None:
    login("monitor.tayninh")
    client_api = api("monitor.tayninh")
    client_api.get("/api/v1/dashboard")  # the token's first use writes its last use
    before = (_queries(client, "/app/dashboard/"), _queries(client_api, "/api/v1/dashboard"))
    generate_work(tasks=40, per_task=4)
    generate_work(tasks=30, per_task=3, seed=5, number="889")
    after = (_queries(client, "/app/dashboard/"), _queries(client_api, "/api/v1/dashboard"))
    assert after == before
    assert after[0] <= PAGE_MAX and after[1] <= API_MAX
