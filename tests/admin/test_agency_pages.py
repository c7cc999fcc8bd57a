"""An admin renames an agency and merges one into its successor from the agency's page; the history says so."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.assignments.states import OPEN_STATUSES, Status
from coordination.extensions import db
from tests.support.web import event_count, fresh, section, text


def agency(code: str) -> Agency:
    return db.session.scalar(sa.select(Agency).where(Agency.code == code))


def test_everyone_reads_an_agencys_page_only_an_admin_sees_the_forms(client, login):
    justice = agency("TN-STP")
    login("justice.tayninh")
    page = client.get(f"/app/agency/details/?id={justice.id}").get_data(as_text=True)
    assert "Sở Tư pháp tỉnh Tây Ninh" in page and "rename-form" not in page and "merge-form" not in page
    client.post("/logout")
    login("admin")
    page = client.get(f"/app/agency/details/?id={justice.id}").get_data(as_text=True)
    assert "rename-form" in page and "merge-form" in page
    assert f'<option value="{justice.id}">' not in page  # not merged into itself


def test_admin_renames_an_agency_the_old_name_stays_an_alias(client, login):
    education = agency("TN-SGDDT")
    login("admin")
    response = client.post(
        f"/app/agency/{education.id}/rename/",
        data={"name_vi": "Sở Giáo dục tỉnh Tây Ninh", "short_name": "Sở GD", "name_en": ""},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Đã đổi tên “Sở Giáo dục và Đào tạo tỉnh Tây Ninh” thành “Sở Giáo dục tỉnh Tây Ninh”" in text(html)
    education = fresh(education)
    assert (education.name_vi, education.short_name, education.name_en) == ("Sở Giáo dục tỉnh Tây Ninh", "Sở GD", None)
    assert "Sở Giáo dục và Đào tạo tỉnh Tây Ninh" in {a.alias for a in education.aliases}
    history = section(html, "history")
    assert (
        "Đổi tên cơ quan" in history and "Sở Giáo dục và Đào tạo tỉnh Tây Ninh → Sở Giáo dục tỉnh Tây Ninh" in history
    )


def test_admin_merges_an_agency_open_work_moves_and_the_history_says_so(client, login):
    old, successor = agency("TN-SGDDT"), agency("TN-SNV")
    open_before = db.session.scalars(
        sa.select(Assignment.id).where(
            Assignment.agency_id == old.id, Assignment.status.in_([s.value for s in OPEN_STATUSES])
        )
    ).all()
    done_before = db.session.scalars(
        sa.select(Assignment.id).where(Assignment.agency_id == old.id, Assignment.status == Status.done)
    ).all()
    assert open_before
    login("admin")
    response = client.post(
        f"/app/agency/{old.id}/merge/", data={"successor": str(successor.id), "confirm": "y"}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Đã sáp nhập Sở Giáo dục và Đào tạo tỉnh Tây Ninh vào Sở Nội vụ tỉnh Tây Ninh" in text(html)
    old = fresh(old)
    assert not old.active and old.successor_id == successor.id
    outcomes = set()
    for assignment_id in open_before:
        assignment = db.session.get(Assignment, assignment_id)
        # moved, or cancelled where the successor already holds the same task (nobody is asked twice)
        assert assignment.agency_id == successor.id or assignment.status == Status.cancelled
        outcomes.add(assignment.agency_id == successor.id)
    assert True in outcomes
    for assignment_id in done_before:
        assert db.session.get(Assignment, assignment_id).agency_id == old.id  # finished work keeps the old name
    history = section(html, "history")
    assert "Sáp nhập vào cơ quan khác" in history and "Sở Nội vụ tỉnh Tây Ninh" in history
    assert "merge-form" not in html and "Đã ngừng hoạt động." in text(html)
    successor_page = client.get(f"/app/agency/details/?id={successor.id}").get_data(as_text=True)
    assert "Tiếp nhận từ" in successor_page and "Sáp nhập vào cơ quan khác" in section(successor_page, "history")
    # the assignment's own history says where it went
    moved = next(
        db.session.get(Assignment, i) for i in open_before if db.session.get(Assignment, i).agency_id == successor.id
    )
    login_page = client.get(f"/app/assignment/details/?id={moved.id}").get_data(as_text=True)
    assert "Chuyển sang cơ quan tiếp nhận (sáp nhập)" in section(login_page, "history")


@pytest.mark.parametrize(
    "data, message",
    [
        ({"successor": "", "confirm": "y"}, "Bắt buộc."),
        ({"successor": "999999", "confirm": "y"}, "Lựa chọn không hợp lệ."),
        ({"successor": "SUCCESSOR"}, "Hãy đánh dấu xác nhận."),
    ],
)
def test_a_merge_needs_a_successor_and_a_confirmation(client, login, data, message):
    old, successor = agency("TN-SGDDT"), agency("TN-SNV")
    data = {k: (str(successor.id) if v == "SUCCESSOR" else v) for k, v in data.items()}
    before = event_count()
    login("admin")
    response = client.post(f"/app/agency/{old.id}/merge/", data=data)
    assert response.status_code == 422
    assert message in text(response.get_data(as_text=True))
    assert fresh(old).active and event_count() == before


def test_renaming_to_nothing_is_a_form_error(client, login):
    login("admin")
    education = agency("TN-SGDDT")
    response = client.post(f"/app/agency/{education.id}/rename/", data={"name_vi": "  "})
    assert response.status_code == 422 and "Bắt buộc." in text(response.get_data(as_text=True))
    assert fresh(education).name_vi == "Sở Giáo dục và Đào tạo tỉnh Tây Ninh"


@pytest.mark.parametrize("username", ["office.tayninh", "monitor.tayninh", "justice.tayninh"])
def test_only_admins_rename_or_merge(client, login, username):
    old, successor = agency("TN-SGDDT"), agency("TN-SNV")
    before = event_count()
    login(username)
    assert client.post(f"/app/agency/{old.id}/rename/", data={"name_vi": "x"}).status_code == 403
    assert (
        client.post(f"/app/agency/{old.id}/merge/", data={"successor": str(successor.id), "confirm": "y"}).status_code
        == 403
    )
    assert fresh(old).active and fresh(old).name_vi == "Sở Giáo dục và Đào tạo tỉnh Tây Ninh"
    assert event_count() == before
