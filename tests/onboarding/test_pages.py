"""The admin page (upload → check → confirm), the problems file, the templates, and the invitation page."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from coordination.agencies.models import Agency
from coordination.audit import SYSTEM_CLI
from coordination.db import utcnow
from coordination.extensions import db
from coordination.onboarding.models import Invitation
from coordination.onboarding.operations import Upload, import_onboarding
from coordination.onboarding.reading import read_file
from tests.conftest import get_user
from tests.onboarding import files
from tests.onboarding.support import multipart


def _upload_id(html: str) -> str:
    return re.search(r'name="upload_id" type="hidden" value="([0-9a-f]{32})"', html).group(1)


def test_check_shows_every_problem_and_offers_the_problems_file(client, login) -> None:
    login("admin")
    response = client.post("/app/onboarding/check", **multipart(files.error_file(), "tinh.xlsx"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("<tr><td>Cơ quan</td>") == 6 and html.count("<tr><td>Người dùng</td>") == 4
    assert "&#39;abc&#39; không phải địa chỉ e-mail" in html
    link = re.search(r'href="(/app/onboarding/problems/[0-9a-f]{32}\.csv)"', html).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["Trang", "Dòng", "Cột", "Giá trị", "Vấn đề"]
    assert rows[7] == ["Người dùng", "2", "Thư điện tử", "abc", "'abc' không phải địa chỉ e-mail"]
    assert len(rows) == 11
    assert 'action="/app/onboarding/confirm"' not in html  # nothing to confirm


def test_check_then_confirm_imports_the_same_file_once(client, login) -> None:
    login("admin")
    checked = client.post("/app/onboarding/check", **multipart(files.clean_file(), "tinh.xlsx"))
    assert checked.status_code == 200
    html = checked.get_data(as_text=True)
    assert "Cơ quan: 134 mới, 0 cập nhật, 0 không đổi." in html
    assert db.session.scalar(sa.select(Agency).where(Agency.code == "HB-UBND")) is None
    upload_id = _upload_id(html)

    done = client.post("/app/onboarding/confirm", data={"upload_id": upload_id})
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "người dùng 300 mới, 0 cập nhật, 0 không đổi." in page
    assert page.count("http://127.0.0.1:5000/invitation/") == 300
    assert (
        db.session.scalar(sa.select(Agency).where(Agency.code == "HB-UBND")).name_vi == "Ủy ban nhân dân tỉnh Hòa Bình"
    )

    again = client.post("/app/onboarding/confirm", data={"upload_id": upload_id})
    assert again.status_code == 422
    assert "Không còn tệp đã kiểm tra" in again.get_data(as_text=True)


def test_the_templates_read_back_with_vietnamese_headers_and_lists(client, login) -> None:
    login("admin")
    index = client.get("/app/onboarding/").get_data(as_text=True)
    assert "/app/onboarding/template/mau-nhap-co-quan-nguoi-dung.xlsx" in index
    response = client.get("/app/onboarding/template/mau-nhap-co-quan-nguoi-dung.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Cơ quan", "Người dùng"]
    assert [c.value for c in book["Cơ quan"][1]] == files.AGENCY_HEADERS
    assert [c.value for c in book["Người dùng"][1]] == files.USER_HEADERS
    lists = [v.formula1 for v in book["Người dùng"].data_validations.dataValidation]
    assert '"Quản trị,Văn phòng,Theo dõi,Cán bộ"' in lists
    # the template's example rows are a valid file
    sheets = read_file("mau.xlsx", response.get_data())
    assert [(s.kind, len(s.rows), s.unknown_headers) for s in sheets] == [("agencies", 1, []), ("users", 1, [])]
    csv_template = client.get("/app/onboarding/template/mau-nguoi-dung.csv").get_data()
    assert csv_template.startswith("\ufeffTên đăng nhập,Họ và tên".encode())
    assert client.get("/app/onboarding/template/khac.xlsx").status_code == 404


def _invitation_link() -> str:
    result = import_onboarding(Upload("t.xlsx", files.clean_file()), actor=SYSTEM_CLI)
    db.session.commit()
    return result.invitations[0].url.removeprefix("http://127.0.0.1:5000")


def test_an_invited_user_sets_a_password_once(client) -> None:
    link = _invitation_link()
    page = client.get(link)
    assert page.status_code == 200 and "vanphong.hb" in page.get_data(as_text=True)
    weak = client.post(link, data={"password": "password123", "confirm": "password123"})
    assert weak.status_code == 422
    assert "quá phổ biến" in weak.get_data(as_text=True)
    mismatch = client.post(link, data={"password": "mây-trắng-bay-2026", "confirm": "khác"})
    assert mismatch.status_code == 422

    done = client.post(link, data={"password": "mây-trắng-bay-2026", "confirm": "mây-trắng-bay-2026"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/login")
    assert get_user("vanphong.hb").check_password("mây-trắng-bay-2026")
    login = client.post("/login", data={"username": "vanphong.hb", "password": "mây-trắng-bay-2026"})
    assert login.status_code == 302

    used = client.get(link)
    assert used.status_code == 410
    assert "đã được dùng" in used.get_data(as_text=True)


def test_an_expired_or_unknown_link_is_refused(client) -> None:
    link = _invitation_link()
    invitation = db.session.scalars(sa.select(Invitation).order_by(Invitation.id.desc())).first()
    for pending in db.session.scalars(sa.select(Invitation).where(Invitation.user_id == get_user("vanphong.hb").id)):
        pending.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert invitation is not None
    expired = client.post(link, data={"password": "mây-trắng-bay-2026", "confirm": "mây-trắng-bay-2026"})
    assert expired.status_code == 410
    assert "đã hết hạn" in expired.get_data(as_text=True)
    assert not get_user("vanphong.hb").check_password("mây-trắng-bay-2026")
    assert client.get("/invitation/" + "x" * 43).status_code == 404


def test_only_the_admin_sees_the_page(client, login) -> None:
    login("office.tayninh")
    assert client.get("/app/onboarding/").status_code == 403
    assert client.post("/app/onboarding/check", **multipart(files.clean_file(), "t.xlsx")).status_code == 403


def test_the_admin_makes_a_new_link_and_the_old_one_stops_working(client, login) -> None:
    old_link = _invitation_link()
    login("admin")
    response = client.post("/app/onboarding/invite", data={"username": "vanphong.hb"})
    assert response.status_code == 200
    new_link = re.search(
        r"<code>http://127\.0\.0\.1:5000(/invitation/[A-Za-z0-9_-]+)</code>", response.get_data(as_text=True)
    ).group(1)
    assert new_link != old_link
    assert client.get(old_link).status_code == 410
    assert client.get(new_link).status_code == 200
    unknown = client.post("/app/onboarding/invite", data={"username": "khong.co.ai"})
    assert unknown.status_code == 404
    assert "Không có người dùng khong.co.ai" in unknown.get_data(as_text=True)


def test_an_admin_file_may_not_take_the_admin_role_from_its_importer(client, login) -> None:
    login("admin")
    data = files.csv_file(files.USER_HEADERS, [["admin", "Quản trị", "", "TN-STP", "Cán bộ", ""]])
    response = client.post("/app/onboarding/check", **multipart(data, "u.csv"))
    assert response.status_code == 422
    assert "bạn không thể tự bỏ quyền quản trị của chính mình" in response.get_data(as_text=True)
