"""The app's calendar: the table over the library, changed by the admin's page and the CSV import, used at once."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coordination.audit import AuditEvent
from coordination.errors import Forbidden, Invalid
from coordination.extensions import db
from coordination.workdays.calendar import add_working_days, is_working_day, work_calendar, working_days_between
from coordination.workdays.models import CalendarDay, DayKind
from coordination.workdays.operations import delete_calendar_day, read_calendar_csv, save_calendar_day
from tests.conftest import SETUP, get_user

#: an announcement for 2027 written the way an office keeps it: Vietnamese headers, dd/mm/yyyy
CSV_2027 = """ngày,loại,tên
30/01/2027,làm bù,Làm bù cho ngày 11/02/2027
11/02/2027,nghỉ,Nghỉ Tết Nguyên đán (hoán đổi)
"""


def _days() -> dict[date, DayKind]:
    return {row.day: row.kind for row in db.session.scalars(sa.select(CalendarDay))}


def test_the_library_alone_gives_tet_2027(app) -> None:
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert add_working_days(date(2027, 1, 29), 1) == date(2027, 2, 1)


def test_a_make_up_saturday_and_an_extra_day_off_from_the_table(app) -> None:
    save_calendar_day(None, {"day": date(2027, 1, 30), "kind": "working", "name": "Làm bù"}, actor=SETUP)
    row = save_calendar_day(None, {"day": date(2027, 2, 11), "kind": "off", "name": "Nghỉ Tết"}, actor=SETUP)
    # read at once, in the same transaction
    assert add_working_days(date(2027, 1, 29), 1) == date(2027, 1, 30)
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 12)
    assert add_working_days(date(2027, 2, 1), 5) == date(2027, 2, 16)
    assert working_days_between(date(2027, 1, 29), date(2027, 2, 12)) == 5  # 30/1, 1/2, 2/2, 3/2, 12/2
    delete_calendar_day(row, actor=SETUP)
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)


def test_a_correction_of_the_library_both_ways(app) -> None:
    assert is_working_day(date(2026, 11, 24)) is False  # Ngày Văn hóa Việt Nam, in the library from 2026
    save_calendar_day(None, {"day": date(2026, 11, 24), "kind": "working", "name": "Làm việc"}, actor=SETUP)
    assert is_working_day(date(2026, 11, 24)) is True
    assert add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 24)
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.after) == (
        "calendar_day.create",
        {"day": "2026-11-24", "kind": "working", "name": "Làm việc"},
    )


def test_only_the_admin_changes_the_table(app) -> None:
    with pytest.raises(Forbidden):
        save_calendar_day(None, {"day": date(2027, 1, 30), "kind": "working"}, actor=get_user("office.tayninh"))
    save_calendar_day(None, {"day": date(2027, 1, 30), "kind": "working"}, actor=get_user("admin"))
    assert _days() == {date(2027, 1, 30): DayKind.working}


def test_a_day_is_in_the_table_once(app) -> None:
    save_calendar_day(None, {"day": date(2027, 1, 30), "kind": "working"}, actor=SETUP)
    with pytest.raises(Exception, match="đã có trong lịch"):
        save_calendar_day(None, {"day": date(2027, 1, 30), "kind": "off"}, actor=SETUP)


def test_the_admin_page_corrects_a_result(app, client, login) -> None:
    login("admin")
    response = client.post(
        "/app/calendar-day/new/", data={"day": "30/01/2027", "kind": "working", "name": "Làm bù cho ngày 11/02/2027"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert _days() == {date(2027, 1, 30): DayKind.working}
    assert add_working_days(date(2027, 1, 29), 1) == date(2027, 1, 30)
    page = client.get("/app/working-days/?year=2027").get_data(as_text=True)
    assert "30/01/2027" in page and "Làm bù cho ngày 11/02/2027" in page
    row = db.session.scalar(sa.select(CalendarDay))
    assert client.post("/app/calendar-day/delete/", data={"id": row.id}).status_code == 302
    assert _days() == {}
    assert add_working_days(date(2027, 1, 29), 1) == date(2027, 2, 1)


def test_the_admin_page_refuses_a_bad_day(app, client, login) -> None:
    login("admin")
    response = client.post("/app/calendar-day/new/", data={"day": "31/02/2027", "kind": "working", "name": ""})
    assert response.status_code == 200  # the form again, with its error
    assert _days() == {}


def test_the_officer_reads_the_year_and_cannot_edit(app, client, login) -> None:
    login("justice.tayninh")
    page = client.get("/app/working-days/?year=2026").get_data(as_text=True)
    for day in ("16/02/2026", "17/02/2026", "20/02/2026", "27/04/2026", "22/08/2026", "31/08/2026", "02/09/2026"):
        assert day in page, day
    assert "Năm 2026 có 249 ngày làm việc." in page
    assert client.post("/app/calendar-day/new/", data={"day": "30/01/2027", "kind": "off"}).status_code == 403
    assert client.get("/app/working-days/?year=abc").status_code == 400


def test_read_calendar_csv() -> None:
    assert read_calendar_csv(CSV_2027.encode("utf-8-sig")) == [
        {"day": date(2027, 1, 30), "kind": DayKind.working, "name": "Làm bù cho ngày 11/02/2027"},
        {"day": date(2027, 2, 11), "kind": DayKind.off, "name": "Nghỉ Tết Nguyên đán (hoán đổi)"},
    ]
    english = "date;kind;name\n2027-01-30;working;Make-up day\n"
    assert read_calendar_csv(english) == [{"day": date(2027, 1, 30), "kind": DayKind.working, "name": "Make-up day"}]


def test_read_calendar_csv_names_every_bad_cell() -> None:
    bad = "ngày,loại,tên\n31/02/2027,nghỉ,\n01/02/2027,nghỉ lễ,\n30/01/2027,làm bù,\n30/01/2027,nghỉ,\n"
    with pytest.raises(Invalid) as caught:
        read_calendar_csv(bad)
    assert caught.value.errors["file"] == [
        "Dòng 2, cột ngày: “31/02/2027” không phải ngày.",
        "Dòng 3, cột loại: “nghỉ lễ” (dùng “nghỉ” hoặc “làm bù”).",
        "Dòng 5: ngày 30/01/2027 đã có ở dòng 4.",
    ]
    with pytest.raises(Invalid, match="thiếu cột"):
        read_calendar_csv("ngày,tên\n30/01/2027,x\n")


def test_cli_import_then_again_then_show(app, tmp_path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["calendar", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "changed 2027: 2 added, 0 corrected, 0 unchanged, 0 removed" in first.output
    assert _days() == {date(2027, 1, 30): DayKind.working, date(2027, 2, 11): DayKind.off}
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 12)
    again = runner.invoke(args=["calendar", "import", str(path)])
    assert "0 added, 0 corrected, 2 unchanged, 0 removed" in again.output
    shown = runner.invoke(args=["calendar", "show", "2027"])
    assert shown.exit_code == 0, shown.output
    assert "30/01/2027  Thứ Bảy   làm việc  Làm bù cho ngày 11/02/2027 [bảng]" in shown.output
    assert "06/02/2027  Thứ Bảy   nghỉ      Tết Nguyên Đán [thư viện] (trùng ngày nghỉ hằng tuần)" in shown.output
    assert "11/02/2027  Thứ Năm   nghỉ      Nghỉ Tết Nguyên đán (hoán đổi) [bảng]" in shown.output
    # 2027 by the library has 249 working days: one day off more, one Saturday worked
    assert "249 ngày làm việc / working days in 2027" in shown.output


def test_cli_import_replace_removes_the_years_other_days(app, tmp_path) -> None:
    save_calendar_day(None, {"day": date(2027, 3, 1), "kind": "off", "name": "Cũ"}, actor=SETUP)
    save_calendar_day(None, {"day": date(2026, 3, 2), "kind": "off", "name": "Năm khác"}, actor=SETUP)
    db.session.commit()
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["calendar", "import", "--replace", str(path)])
    assert "2 added, 0 corrected, 0 unchanged, 1 removed" in result.output
    assert sorted(_days()) == [date(2026, 3, 2), date(2027, 1, 30), date(2027, 2, 11)]


def test_cli_import_of_a_bad_file_writes_nothing(app, tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("ngày,loại,tên\n30/01/2027,làm bù,\n32/01/2027,nghỉ,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["calendar", "import", str(path)])
    assert result.exit_code == 1
    assert "Dòng 3, cột ngày: “32/01/2027” không phải ngày." in result.output
    assert _days() == {}


def test_the_cache_is_rebuilt_after_the_table_changes(app) -> None:
    before = work_calendar()
    assert work_calendar() is before  # cached: no query
    save_calendar_day(None, {"day": date(2027, 1, 30), "kind": "working"}, actor=SETUP)
    after = work_calendar()
    assert after is not before and after.is_working_day(date(2027, 1, 30))
