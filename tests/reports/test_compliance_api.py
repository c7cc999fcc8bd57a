"""GET /api/v1/reports/compliance, the `report compliance` command and the Báo cáo page: access, errors, formats."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import openpyxl
import pytest
from pypdf import PdfReader

from coordination.db import today
from tests.conftest import directive
from tests.reports.conftest import REF_570, REF_2157
from tests.support.api import assert_problem

URL = "/api/v1/reports/compliance"


def test_json_has_the_numbers_and_the_tasks_in_document_order(api):
    client = api("office.tayninh")
    response = client.get(URL, query_string={"directive": directive(REF_2157).id})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"scope", "as_of", "title", "summary", "agencies", "directives", "tasks", "indicators"}
    assert body["as_of"] == today().isoformat()
    assert body["scope"]["kind"] == "directive" and body["scope"]["directive"]["ref"] == REF_2157
    assert [t["display_label"] for t in body["tasks"]][-2:] == ["12", "11"]
    assert body["tasks"][2]["parent_label"] == "2"
    rows = [a for t in body["tasks"] for a in t["assignments"]]
    summary = body["summary"]
    assert summary["assignments"] == len([r for r in rows if r["timeliness"] is not None])
    assert summary["done_on_time"] == sum(r["timeliness"] == "done_on_time" for r in rows)
    assert summary["open_overdue"] == sum(r["timeliness"] == "overdue" for r in rows)
    assert summary["percent"]["open_overdue"] == round(100 * summary["open_overdue"] / summary["assignments"], 1)
    assert {a["code"] for a in body["agencies"]} == {r["agency"]["code"] for r in rows}
    assert body["indicators"][0]["target"] == 327407 and body["indicators"][0]["rating"] in ("red", "amber", "green")


def test_as_of_in_the_api(api):
    client = api("monitor.tayninh")
    then = client.get(URL, query_string={"directive": directive(REF_2157).id, "as_of": "2022-09-01"}).get_json()
    now = client.get(URL, query_string={"directive": directive(REF_2157).id}).get_json()
    done = lambda s: s["done_on_time"] + s["done_late"]  # noqa: E731
    assert then["as_of"] == "2022-09-01"
    assert done(then["summary"]) == 2 < done(now["summary"])


@pytest.mark.parametrize(
    ("fmt", "mimetype"),
    [
        ("pdf", "application/pdf"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv"),
        ("html", "text/html"),
    ],
)
def test_every_format_from_the_api(api, fmt, mimetype):
    client = api("office.tayninh")
    response = client.get(URL, query_string={"directive": directive(REF_2157).id, "format": fmt, "as_of": "2022-09-01"})
    assert response.status_code == 200
    assert response.mimetype == mimetype
    data = response.get_data()
    if fmt != "html":
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="bao-cao-2157-ubnd-kstt-2022-09-01.{fmt}"'
        )
    if fmt == "pdf":
        assert "2157/UBND-KSTT" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    elif fmt == "xlsx":
        assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["Tổng hợp", "Chi tiết"]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert rows[0][0] == "STT" and len(rows) > 60
    else:
        assert "Tình hình thực hiện Công văn số 2157/UBND-KSTT" in data.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"directive": 99999}, "directive"),
        ({"agency": "NO-SUCH"}, "agency"),
    ],
)
def test_unknown_directive_or_agency_is_404(api, query, field):
    assert_problem(api("admin").get(URL, query_string=query), 404, field=field)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"directive": "abc"}, "directive"),
        ({"directive": 0}, "directive"),
        ({"issued_from": "2022-13-01"}, "issued_from"),
        ({"issued_from": "2022-06-01", "issued_to": "2022-01-01"}, "issued_to"),
        ({"as_of": (today() + timedelta(days=1)).isoformat()}, "as_of"),
        ({"status": "finished"}, "status.0"),
        ({"timeliness": "late"}, "timeliness.0"),
        ({"role": "boss"}, "role"),
        ({"format": "docx"}, "format"),
    ],
)
def test_bad_parameters_are_422_naming_the_field(api, query, field):
    assert_problem(api("admin").get(URL, query_string=query), 422, field=field)


@pytest.mark.parametrize(
    ("username", "ref", "status"),
    [
        ("admin", REF_2157, 200),
        ("admin", REF_570, 200),
        ("office.tayninh", REF_2157, 200),
        ("monitor.tayninh", REF_2157, 200),
        ("office.tamdiep", REF_570, 200),
        ("monitor.tamdiep", REF_570, 200),
        # another province's directive: not visible, so not told it exists
        ("office.tayninh", REF_570, 404),
        ("monitor.tamdiep", REF_2157, 404),
        # officers follow their own work; reports are the office's and the monitor's
        ("justice.tayninh", REF_2157, 403),
        ("bacson.tamdiep", REF_570, 403),
    ],
)
def test_who_may_report_on_what(api, username, ref, status):
    response = api(username).get(URL, query_string={"directive": directive(ref).id})
    if status == 200:
        assert response.status_code == 200
    else:
        assert_problem(response, status)


def test_officer_is_refused_whatever_the_scope(api):
    client = api("education.tayninh")
    for query in ({}, {"agency": "TN-SGDDT"}, {"issued_from": "2022-01-01"}, {"format": "csv"}):
        assert_problem(client.get(URL, query_string=query), 403)


def test_a_monitor_of_another_province_sees_nothing_of_this_one(api):
    body = api("monitor.tamdiep").get(URL, query_string={"agency": "TN-STP"}).get_json()
    assert body["tasks"] == [] and body["summary"]["assignments"] == 0


def test_the_api_needs_a_token(client):
    assert_problem(client.get(URL), 401)


def test_an_empty_period_is_a_valid_report(api):
    client = api("office.tayninh")
    body = client.get(URL, query_string={"issued_from": "2030-01-01", "issued_to": "2030-12-31"}).get_json()
    assert body["tasks"] == [] and body["summary"]["assignments"] == 0
    html = client.get(URL, query_string={"issued_from": "2030-01-01", "format": "html"}).get_data(as_text=True)
    assert "Không có nhiệm vụ nào trong phạm vi báo cáo." in html


# --- the command -------------------------------------------------------------------------------------------


def test_cli_writes_a_pdf(app, tmp_path):
    target = tmp_path / "bao-cao.pdf"
    result = app.test_cli_runner().invoke(
        args=["report", "compliance", "--directive", REF_2157, "--format", "pdf", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(target)).pages).split())
    assert "Tình hình thực hiện Công văn số 2157/UBND-KSTT ngày 14/8/2022 của UBND tỉnh Tây Ninh" in text


def test_cli_as_of_agency_and_period(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "a.csv"
    result = runner.invoke(
        args=["report", "compliance", "--agency", "TN-STP", "--as-of", "2022-09-01", "--format", "csv", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {row[5] for row in rows[1:]} == {"TN-STP"}
    result = runner.invoke(
        args=[
            "report",
            "compliance",
            "--issued-from",
            "2021-01-01",
            "--issued-to",
            "2021-12-31",
            "--format",
            "json",
            "-o",
            "-",
        ]
    )
    assert result.exit_code == 0, result.output
    assert REF_570 in result.output and REF_2157 not in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--directive", "9999/XX"], "Không tìm thấy văn bản"),
        (["--agency", "NO-SUCH"], "Không có cơ quan mã NO-SUCH"),
        (["--as-of", "2999-01-01"], "--as-of"),
        (["--issued-from", "2022-02-01", "--issued-to", "2022-01-01"], "--issued-to"),
    ],
)
def test_cli_errors_are_clear_and_fail(app, tmp_path, args, message):
    result = app.test_cli_runner().invoke(args=["report", "compliance", *args, "-o", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert message in result.output
    assert not (tmp_path / "x.pdf").exists()


# --- the web page --------------------------------------------------------------------------------------------


def test_the_bao_cao_page(login):
    client = login("office.tayninh")
    page = client.get("/app/reports/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert REF_2157 in html and REF_570 not in html  # only the office's own directives to choose from
    view = client.get("/app/reports/compliance", query_string={"directive": directive(REF_2157).id, "format": "html"})
    assert view.status_code == 200
    assert "Tình hình thực hiện Công văn số 2157/UBND-KSTT" in view.get_data(as_text=True)
    assert "format=pdf" in view.get_data(as_text=True)
    pdf = client.get("/app/reports/compliance", query_string={"directive": directive(REF_2157).id, "format": "pdf"})
    assert pdf.mimetype == "application/pdf"
    bad = client.get("/app/reports/compliance", query_string={"issued_from": "2022-06-01", "issued_to": "2022-01-01"})
    assert bad.status_code == 422 and "is-invalid" in bad.get_data(as_text=True)
    hidden = client.get("/app/reports/compliance", query_string={"directive": directive(REF_570).id})
    assert hidden.status_code == 404


@pytest.mark.parametrize(("username", "status"), [("justice.tayninh", 403), ("monitor.tamdiep", 200), ("admin", 200)])
def test_who_sees_the_bao_cao_page(login, username, status):
    assert login(username).get("/app/reports/").status_code == status


def test_the_page_wants_a_login(client):
    response = client.get("/app/reports/")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_as_of_is_not_in_the_future_on_the_page(login):
    client = login("admin")
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert client.get("/app/reports/compliance", query_string={"as_of": tomorrow}).status_code == 422
    yesterday = (date.today() - timedelta(days=400)).isoformat()
    assert client.get("/app/reports/compliance", query_string={"as_of": yesterday, "format": "json"}).status_code == 200
