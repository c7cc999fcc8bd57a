"""Importing agencies and users: every problem located and nothing written; a clean file written whole, once."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyGroup
from coordination.audit import SYSTEM_CLI, AuditEvent
from coordination.auth.models import Role, User
from coordination.errors import Forbidden, Invalid
from coordination.extensions import db
from coordination.onboarding.models import Invitation
from coordination.onboarding.operations import Upload, import_agencies, import_onboarding, import_users
from tests.conftest import get_user
from tests.onboarding import files


def _counts() -> tuple[int, int, int, int]:
    return (
        db.session.scalar(sa.select(sa.func.count()).select_from(Agency)),
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)),
    )


def test_ten_kinds_of_error_give_ten_located_messages_and_write_nothing(app) -> None:
    before = _counts()

    result = import_onboarding(Upload("don-vi.xlsx", files.error_file()), actor=SYSTEM_CLI)

    found = [(p.sheet, p.row, p.column, p.value) for p in result.problems]
    assert found == [(sheet, row, column, value) for sheet, row, column, value, _ in files.TEN_ERRORS]
    for problem, (*_, words) in zip(result.problems, files.TEN_ERRORS, strict=True):
        assert words in problem.message
    assert result.problems[6].line() == "dòng 2, cột Thư điện tử: 'abc' không phải địa chỉ e-mail"
    assert not result.written
    assert _counts() == before


def test_the_clean_file_imports_134_agencies_and_300_users_once(app) -> None:
    agencies0, users0, audit0, invitations0 = _counts()
    last_event = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))

    started = time.perf_counter()
    result = import_onboarding(Upload("tinh-hoa-binh.xlsx", files.clean_file()), actor=SYSTEM_CLI)
    db.session.commit()
    elapsed = time.perf_counter() - started
    print(f"import of 134 agencies and 300 users: {elapsed:.2f} s")  # measured, not asserted (see README)

    assert result.problems == []
    assert result.agencies.as_json() == {"created": 134, "updated": 0, "unchanged": 0}
    assert result.users.as_json() == {"created": 300, "updated": 0, "unchanged": 0}
    assert len(result.invitations) == 300
    agencies, users, audit, invitations = _counts()
    assert (agencies - agencies0, users - users0, invitations - invitations0) == (134, 300, 300)
    # one event per agency, per user and per group the file named first
    groups = db.session.scalars(
        sa.select(AgencyGroup.name)
        .join(AuditEvent, AuditEvent.entity_id == AgencyGroup.id)
        .where(AuditEvent.action == "agency_group.create", AuditEvent.id > last_event)
    ).all()
    assert len(groups) == 14 and "Các sở, ban, ngành tỉnh" in groups
    assert audit - audit0 == 134 + 300 + 14

    commune = db.session.scalar(sa.select(Agency).where(Agency.code == "HB-H11-X03"))
    assert commune.name_vi == "Ủy ban nhân dân xã Thành phố Hòa Bình 3"  # diacritics kept
    assert commune.parent.code == "HB-H11"
    assert commune.level.value == "commune" and commune.kind.value == "people_committee"
    assert [g.name for g in commune.groups] == ["UBND các xã thuộc Thành phố Hòa Bình"]
    police = get_user("congan.hb")
    assert (police.role, police.agency.code, police.is_head, police.password_hash) == (Role.monitor, "HB-CA", True, "")
    assert not police.check_password("")

    second = import_onboarding(Upload("tinh-hoa-binh.xlsx", files.clean_file()), actor=SYSTEM_CLI)
    db.session.commit()
    assert second.agencies.as_json() == {"created": 0, "updated": 0, "unchanged": 134}
    assert second.users.as_json() == {"created": 0, "updated": 0, "unchanged": 300}
    assert second.invitations == []
    assert _counts() == (agencies, users, audit, invitations)


def test_a_changed_row_updates_only_that_row(app) -> None:
    import_onboarding(Upload("a.xlsx", files.clean_file()), actor=SYSTEM_CLI)
    agencies = files.province_agencies()
    agencies[6][1] = "Sở Y tế tỉnh Hòa Bình"  # row 6: HB-S05
    users = files.province_users()
    users[10][2] = "moi@hoabinh.gov.vn"
    result = import_onboarding(Upload("b.xlsx", files.workbook(agencies, users)), actor=SYSTEM_CLI)
    assert (result.agencies.updated, result.agencies.unchanged) == (1, 133)
    assert (result.users.updated, result.users.unchanged, result.users.created) == (1, 299, 0)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "agency.update")).all()[-1]
    assert (event.before["name_vi"], event.after["name_vi"]) == ("Sở Y tế", "Sở Y tế tỉnh Hòa Bình")


def test_csv_with_or_without_bom_english_headers_and_semicolons(app) -> None:
    rows = [
        ["HB-UBND", "Ủy ban nhân dân tỉnh Hòa Bình", "", "", "people_committee", "province", "", "", ""],
        ["HB-CA", "Công an tỉnh Hòa Bình", "", "", "police", "province", "HB-UBND", "", ""],
    ]
    english = ["code", "name", "name_en", "short name", "kind", "level", "parent", "aliases", "groups"]
    result = import_agencies(
        Upload("co-quan.csv", files.csv_file(english, rows, bom=False, delimiter=";")), actor=SYSTEM_CLI
    )
    assert (result.problems, result.agencies.created) == ([], 2)
    users = [["nv.hb", "Phạm Thị Ngọc Ánh", "anh@hb.gov.vn", "HB-CA", "officer", "no"]]
    result = import_users(Upload("nguoi-dung.csv", files.csv_file(files.USER_HEADERS, users)), actor=SYSTEM_CLI)
    assert (result.problems, result.users.created) == ([], 1)
    assert get_user("nv.hb").full_name == "Phạm Thị Ngọc Ánh"


def test_a_dry_run_counts_and_writes_nothing(app) -> None:
    before = _counts()
    result = import_onboarding(Upload("a.xlsx", files.clean_file()), actor=SYSTEM_CLI, dry_run=True)
    assert (result.agencies.created, result.users.created, result.problems) == (134, 300, [])
    assert result.invitations == [] and not result.written
    assert _counts() == before


def test_a_missing_column_and_a_loop_of_parents(app) -> None:
    data = files.csv_file(["Mã cơ quan", "Cấp trên"], [["HB-A", "HB-B"], ["HB-B", "HB-A"]])
    result = import_agencies(Upload("x.csv", data), actor=SYSTEM_CLI)
    assert [p.line() for p in result.problems] == [
        "dòng 1, cột Tên cơ quan: thiếu cột bắt buộc này",
        "dòng 2, cột Cấp trên: cấp trên tạo vòng lặp: HB-A → HB-B → HB-A",
        "dòng 3, cột Cấp trên: cấp trên tạo vòng lặp: HB-B → HB-A → HB-B",
    ]


@pytest.mark.parametrize(
    ("name", "content"),
    [("x.xlsx", b"PK\x03\x04 not a zip"), ("x.pdf", b"%PDF-1.4"), ("x.csv", "Mã;Tên\n".encode("utf-16"))],
)
def test_an_unreadable_file_is_refused_with_a_message(app, name: str, content: bytes) -> None:
    with pytest.raises(Invalid) as refused:
        import_onboarding(Upload(name, content), actor=SYSTEM_CLI)
    assert refused.value.errors["file"] == [refused.value.message]


def test_only_an_admin_imports(app) -> None:
    with pytest.raises(Forbidden):
        import_onboarding(Upload("a.xlsx", files.clean_file()), actor=get_user("office.tayninh"), dry_run=True)
