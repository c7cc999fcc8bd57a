"""The API and the CLI import the same way: problems located (422 / exit 1), nothing written; then once."""

from __future__ import annotations

import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.auth.models import User
from coordination.extensions import db
from tests.onboarding import files
from tests.onboarding.support import multipart
from tests.support.api import assert_problem


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_api_dry_run_lists_the_problems_and_writes_nothing(api) -> None:
    admin = api("admin")
    before = (_count(Agency), _count(User))
    response = admin.post("/api/v1/onboarding/import", **multipart(files.error_file(), "x.xlsx", dry_run="true"))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["dry_run"], body["written"], len(body["problems"])) == (True, False, 10)
    assert body["problems"][6] == {
        "sheet": "Người dùng",
        "row": 2,
        "column": "Thư điện tử",
        "value": "abc",
        "message": "'abc' không phải địa chỉ e-mail",
    }
    refused = admin.post("/api/v1/onboarding/import", **multipart(files.error_file(), "x.xlsx"))
    body = assert_problem(refused, 422)
    assert len(body["problems"]) == 10
    assert (_count(Agency), _count(User)) == before


def test_api_imports_agencies_then_users_once(api) -> None:
    admin = api("admin")
    agencies = files.workbook(files.province_agencies(), None)
    users = files.workbook(None, files.province_users())
    first = admin.post("/api/v1/onboarding/agencies", **multipart(agencies, "co-quan.xlsx")).get_json()
    assert (first["written"], first["agencies"]) == (True, {"created": 134, "updated": 0, "unchanged": 0})
    second = admin.post("/api/v1/onboarding/users", **multipart(users, "nguoi-dung.xlsx")).get_json()
    assert second["users"] == {"created": 300, "updated": 0, "unchanged": 0}
    assert len(second["invitations"]) == 300
    assert second["invitations"][0]["url"].startswith("http://127.0.0.1:5000/invitation/")
    again = admin.post("/api/v1/onboarding/users", **multipart(users, "nguoi-dung.xlsx")).get_json()
    assert (again["users"], again["invitations"]) == ({"created": 0, "updated": 0, "unchanged": 300}, [])


def test_api_refuses_a_missing_file_and_non_admins(api) -> None:
    assert_problem(api("admin").post("/api/v1/onboarding/users", data={}), 422, field="file")
    office = api("office.tayninh")
    assert_problem(office.post("/api/v1/onboarding/users", **multipart(files.clean_file(), "x.xlsx")), 403)


def test_cli_prints_each_problem_on_its_line_and_exits_1(app, tmp_path) -> None:
    path = tmp_path / "nguoi-dung.xlsx"
    path.write_bytes(files.error_file())
    runner = app.test_cli_runner()
    before = _count(User)

    result = runner.invoke(args=["users", "import", str(path)])

    assert result.exit_code == 1
    # users alone: the file's agencies are not imported, so the users naming them are refused too
    assert result.stdout.splitlines()[0] == "dòng 2, cột Thư điện tử: 'abc' không phải địa chỉ e-mail"
    assert "chưa ghi gì" in result.stderr
    assert _count(User) == before


def test_cli_imports_and_prints_the_invitation_links(app, tmp_path) -> None:
    path = tmp_path / "tinh.xlsx"
    path.write_bytes(files.clean_file())
    runner = app.test_cli_runner()

    dry = runner.invoke(args=["agencies", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines() == ["cơ quan: 134 mới, 0 cập nhật, 0 không đổi"]
    assert db.session.scalar(sa.select(Agency).where(Agency.code == "HB-UBND")) is None

    assert runner.invoke(args=["agencies", "import", str(path)]).exit_code == 0
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "người dùng: 300 mới, 0 cập nhật, 0 không đổi"
    assert len(lines) == 301
    username, email, url = lines[1].split("\t")
    assert (username, email) == ("vanphong.hb", "nhung.vp@hoabinh.gov.vn")
    assert url.startswith("http://127.0.0.1:5000/invitation/")

    again = runner.invoke(args=["users", "import", str(path)])
    assert again.stdout.splitlines() == ["người dùng: 0 mới, 0 cập nhật, 300 không đổi"]


def test_cli_emails_the_invitations_after_the_import(app, tmp_path, smtp_server) -> None:
    users = files.province_users()[:3]
    users[2][2] = ""  # no address: listed as not mailed
    path = tmp_path / "nguoi-dung.csv"
    path.write_bytes(files.csv_file(files.USER_HEADERS, [[*u[:3], "TN-STP", *u[4:]] for u in users]))

    result = app.test_cli_runner().invoke(args=["users", "import", str(path), "--email"])

    assert result.exit_code == 0, result.output
    assert "Đã gửi 2 thư mời." in result.stderr
    assert "Chưa gửi được thư mời cho: canbo001.hb" in result.stderr
    assert [tuple(r) for r, _m in smtp_server.messages] == [("nhung.vp@hoabinh.gov.vn",), ("duc.ca@hoabinh.gov.vn",)]
    message = smtp_server.messages[0][1]
    assert message["To"] == "Nguyễn Thị Hồng Nhung <nhung.vp@hoabinh.gov.vn>"
    link = result.stdout.splitlines()[1].split("\t")[2]
    assert link in message.get_content()


def test_cli_invite_prints_a_new_link(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "invite", "justice.tayninh"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("http://127.0.0.1:5000/invitation/")
    missing = runner.invoke(args=["users", "invite", "khong.co.ai"])
    assert missing.exit_code == 1
    assert "Không có người dùng khong.co.ai" in missing.stderr
