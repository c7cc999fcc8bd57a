"""Targets: red first wherever listed, page and API equal trajectory.compute, the Tam Điệp figure, measurements."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from coordination.db import today
from coordination.directives.models import Directive
from coordination.extensions import db
from coordination.indicators.models import Indicator, Measurement
from coordination.indicators.operations import add_measurement, create_indicator
from coordination.indicators.trajectory import RATING_ORDER, Outcome, Rating, compute
from tests.conftest import SETUP, get_user
from tests.support.monitoring import assert_problem, json_of, vn

TAM_DIEP_TARGET = 50527


def _directive(ref: str) -> Directive:
    return db.session.scalar(sa.select(Directive).where(Directive.ref == ref))


def _tam_diep() -> Indicator:
    return db.session.scalar(sa.select(Indicator).where(Indicator.target_value == TAM_DIEP_TARGET))


def _with_green_and_amber() -> tuple[Indicator, Indicator]:
    """Two Tây Ninh targets around today: one on plan (green), one behind but on course (amber)."""
    directive, day = _directive("2157/UBND-KSTT"), today()
    green = create_indicator(
        directive,
        {
            "name": "Chỉ tiêu đúng kế hoạch",
            "unit": "hồ sơ",
            "target_value": 100,
            "baseline_on": day - timedelta(days=10),
            "deadline": day + timedelta(days=10),
        },
        actor=SETUP,
    )
    add_measurement(green, day, 60, actor=SETUP)
    amber = create_indicator(
        directive,
        {
            "name": "Chỉ tiêu chậm nhưng kịp",
            "unit": "hồ sơ",
            "target_value": 300,
            "baseline_on": day - timedelta(days=10),
            "deadline": day + timedelta(days=20),
        },
        actor=SETUP,
    )
    add_measurement(amber, day - timedelta(days=7), 20, actor=SETUP)
    add_measurement(amber, day, 95, actor=SETUP)
    db.session.commit()
    assert compute(green, day).rating == Rating.green and compute(amber, day).rating == Rating.amber
    return green, amber


def _ratings(html: str, css_class: str) -> list[str]:
    return re.findall(rf'class="{css_class}" data-id="\d+" data-rating="(\w+)"', html)


@pytest.mark.parametrize("username", ["admin", "monitor.tayninh", "justice.tayninh"])
def test_red_first_on_the_list_the_dashboard_and_the_api(client, login, api, username) -> None:
    _with_green_and_amber()
    login(username)
    listed = _ratings(client.get("/app/indicators/").get_data(as_text=True), "indicator-row")
    assert listed == sorted(listed, key=lambda r: RATING_ORDER[Rating(r)]) and len(set(listed)) >= 2
    on_dashboard = re.findall(
        r'class="card mb-3 indicator-card indicator-\w+" data-id="\d+" data-rating="(\w+)"',
        client.get("/app/dashboard/").get_data(as_text=True),
    )
    assert on_dashboard == listed
    items = api(username).get("/api/v1/indicators").get_json()["items"]
    assert [i["trajectory"]["rating"] for i in items] == listed


def test_the_directive_filter(client, login, api) -> None:
    tam_diep = _directive("570/UBND-CA")
    login("admin")
    html = client.get("/app/indicators/", query_string={"directive": tam_diep.id}).get_data(as_text=True)
    expected = db.session.scalars(sa.select(Indicator.id).where(Indicator.directive_id == tam_diep.id)).all()
    assert sorted(int(i) for i in re.findall(r'class="indicator-row" data-id="(\d+)"', html)) == sorted(expected)
    items = api("admin").get("/api/v1/indicators", query_string={"directive": tam_diep.id}).get_json()["items"]
    assert sorted(i["id"] for i in items) == sorted(expected)
    assert_problem(api("admin").get("/api/v1/indicators?directive=abc"), 422, field="directive")


@pytest.mark.parametrize("which", ["tam_diep", "tay_ninh", "green", "amber"])
def test_detail_numbers_equal_compute(client, login, api, which) -> None:
    green, amber = _with_green_and_amber()
    indicator = {
        "tam_diep": _tam_diep(),
        "tay_ninh": db.session.scalar(sa.select(Indicator).where(Indicator.target_value == 327407)),
        "green": green,
        "amber": amber,
    }[which]
    expected = json_of(compute(indicator, today()).as_dict())
    body = api("admin").get(f"/api/v1/indicators/{indicator.id}").get_json()
    assert body["trajectory"] == expected
    assert (body["id"], body["target_value"]) == (indicator.id, float(indicator.target_value))
    login("admin")
    html = client.get(f"/app/indicators/{indicator.id}").get_data(as_text=True)
    assert "<svg" in html
    keyed = dict(re.findall(r'data-key="(\w+)">(.*?)</dd>', html, flags=re.S))
    if expected["percent"] is not None:
        assert f"{expected['percent']:.1f}".replace(".", ",") + "%" in keyed["percent"]
    if expected["projected_on"]:
        assert date.fromisoformat(expected["projected_on"]).strftime("%d/%m/%Y") in keyed["projected_on"]
    label = {"red": "Nguy cơ không đạt", "amber": "Chậm so với kế hoạch", "green": "Đạt kế hoạch"}[expected["rating"]]
    if expected["outcome"]:  # past its deadline: met or not, never at risk (issue 11)
        label = {"met": "Đạt", "missed": "Không đạt"}[expected["outcome"]]
    assert keyed["rating"].strip() == label  # the rating in words, not colour alone


def test_the_tam_diep_figure_shows(client, login, api) -> None:
    indicator = _tam_diep()
    login("monitor.tamdiep")
    html = client.get(f"/app/indicators/{indicator.id}").get_data(as_text=True)
    row = re.search(r'data-on="2021-04-22">(.*?)</tr>', html, flags=re.S)[1]
    assert "22/04/2021" in row and "37.075" in row and "50.527" in row and "73,3%" in row
    body = api("monitor.tamdiep").get(f"/api/v1/indicators/{indicator.id}").get_json()
    (april,) = [m for m in body["measurements"] if m["measured_on"] == "2021-04-22"]
    assert (april["value"], april["of_value"], april["percent"]) == (37075.0, 50527.0, 73.3)
    on_the_day = compute(
        indicator, date(2021, 4, 22), [m for m in indicator.measurements if m.measured_on == date(2021, 4, 22)]
    )
    assert (on_the_day.actual, on_the_day.percent) == (37075.0, 73.3)


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("monitor.tamdiep", 201),
        ("office.tamdiep", 201),
        ("admin", 201),
        ("bacson.tamdiep", 403),
        ("monitor.tayninh", 404),
        ("justice.tayninh", 404),
    ],
)
def test_who_may_enter_a_measurement_in_the_api(api, username, status) -> None:
    indicator = _tam_diep()
    body = {"measured_on": today().isoformat(), "value": 50300, "of_value": 50527, "agency": "TD-CA"}
    response = api(username).open(f"/api/v1/indicators/{indicator.id}/measurements", method="POST", json=body)
    assert response.status_code == status, response.get_json()
    if status == 201:
        created = response.get_json()
        assert (created["value"], created["percent"], created["agency"]["code"]) == (50300.0, 99.5, "TD-CA")
        stored = db.session.get(Measurement, created["id"])
        assert stored.value == Decimal("50300") and stored.recorded_by_id == get_user(username).id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"measured_on": "2021-05-01", "value": -1}, "value"),
        ({"measured_on": "2021-05-01", "value": "nhiều"}, "value"),
        ({"measured_on": "2021-05-01", "value": 10**16}, "value"),
        ({"measured_on": "2099-01-01", "value": 5}, "measured_on"),
        ({"measured_on": "01/05/2021", "value": 5}, "measured_on"),
        ({"value": 5}, "measured_on"),
        ({"measured_on": "2021-05-01"}, "value"),
        ({"measured_on": "2021-05-01", "value": 5, "of_value": 0}, "of_value"),
        ({"measured_on": "2021-05-01", "value": 5, "agency": "NO-SUCH"}, "agency"),
        ({"measured_on": "2021-05-01", "value": 5, "agency": "TN-STP"}, "agency"),
        ({"measured_on": "2021-05-01", "value": 5, "note": "x"}, "note"),
    ],
)
def test_bad_measurements_are_422_naming_the_field(api, body, field) -> None:
    url = f"/api/v1/indicators/{_tam_diep().id}/measurements"
    assert_problem(api("monitor.tamdiep").open(url, method="POST", json=body), 422, field=field)


def test_unknown_indicator_is_404(api) -> None:
    assert_problem(api("admin").get("/api/v1/indicators/999999"), 404, field="id")
    assert_problem(
        api("admin").open(
            "/api/v1/indicators/999999/measurements", method="POST", json={"measured_on": "2021-05-01", "value": 5}
        ),
        404,
    )


def test_the_web_form_enters_a_vietnamese_number(client, login) -> None:
    indicator = _tam_diep()
    login("monitor.tamdiep")
    page = client.get(f"/app/indicators/{indicator.id}").get_data(as_text=True)
    assert 'class="measurement-form"' in page and '<option selected value="TD-CA">' in page
    day = today() - timedelta(days=1)
    response = client.post(
        f"/app/indicators/{indicator.id}/measurements",
        data={"measured_on": vn(day), "value": "50.400", "of_value": "50.527", "agency": "TD-CA"},
    )
    assert response.status_code == 302
    stored = db.session.scalar(
        sa.select(Measurement).where(Measurement.indicator_id == indicator.id, Measurement.measured_on == day)
    )
    assert (stored.value, stored.of_value, stored.agency.code) == (Decimal("50400"), Decimal("50527"), "TD-CA")
    assert "50.400" in client.get(f"/app/indicators/{indicator.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"value": "-5"}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": ""}, "value"),
        ({"measured_on": "32/01/2021"}, "measured_on"),
        ({"measured_on": "01/01/2099"}, "measured_on"),
        ({"of_value": "0"}, "of_value"),
        ({"agency": "TN-STP"}, "agency"),
    ],
)
def test_the_web_form_names_the_bad_field(client, login, data, field) -> None:
    indicator = _tam_diep()
    login("monitor.tamdiep")
    form = {"measured_on": "01/05/2021", "value": "40.000", "of_value": "", "agency": "", **data}
    response = client.post(f"/app/indicators/{indicator.id}/measurements", data=form)
    assert response.status_code == 422
    assert f'data-field="{field}"' in response.get_data(as_text=True)


def test_the_web_form_is_only_for_those_who_may(client, login) -> None:
    indicator = _tam_diep()
    login("bacson.tamdiep")
    assert 'class="measurement-form"' not in client.get(f"/app/indicators/{indicator.id}").get_data(as_text=True)
    data = {"measured_on": "01/05/2021", "value": "1"}
    assert client.post(f"/app/indicators/{indicator.id}/measurements", data=data).status_code == 403
    client.post("/logout")
    login("justice.tayninh")
    assert client.get(f"/app/indicators/{indicator.id}").status_code == 404
    assert client.post(f"/app/indicators/{indicator.id}/measurements", data=data).status_code == 404


def test_a_target_past_its_deadline_is_met_or_not_never_at_risk(client, login, api) -> None:
    """Issue 11: 2157's 327.407 hồ sơ by 30/09/2022 read "Nguy cơ không đạt — dự kiến đạt 04/10/2022"."""
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.target_value == 327407))
    before = compute(indicator, date(2022, 9, 26))
    assert (before.outcome, before.rating) == (None, Rating.red)  # 285.340 on 25/09, behind: at risk
    on_the_day = compute(indicator, date(2022, 9, 30))
    assert on_the_day.outcome is None and on_the_day.projected_on is not None
    after = compute(indicator, date(2022, 10, 1))
    assert (after.outcome, after.rating, after.projected_on) == (Outcome.missed, Rating.red, None)
    assert after.actual == 311562 and after.percent == 95.1
    body = api("admin").get(f"/api/v1/indicators/{indicator.id}").get_json()
    assert (body["trajectory"]["outcome"], body["trajectory"]["projected_on"]) == ("missed", None)
    login("monitor.tayninh")
    html = client.get(f"/app/indicators/{indicator.id}").get_data(as_text=True)
    keyed = dict(re.findall(r'data-key="(\w+)">(.*?)</dd>', html, flags=re.S))
    assert keyed["rating"].strip() == "Không đạt" and "projected_on" not in keyed
    assert 'data-outcome="missed"><span aria-hidden="true">✕</span> Không đạt</span>' in html
    assert "Nguy cơ không đạt" not in html and "Dự kiến đạt" not in html
    listed = client.get("/app/indicators/").get_data(as_text=True)
    row = re.search(rf'class="indicator-row" data-id="{indicator.id}".*?</tr>', listed, flags=re.S)[0]
    assert "Không đạt" in row and "Nguy cơ" not in row


def test_a_target_reached_by_its_deadline_is_met(app) -> None:
    green, _amber = _with_green_and_amber()  # 60 of 100 today, deadline in 10 days
    closed = green.deadline + timedelta(days=1)
    assert (compute(green, closed).outcome, compute(green, closed).rating) == (Outcome.missed, Rating.red)
    add_measurement(green, green.deadline, 100, actor=SETUP)
    db.session.refresh(green)
    met = compute(green, closed)
    assert (met.outcome, met.rating, met.reached_on) == (Outcome.met, Rating.green, green.deadline)
