"""Names sort in Vietnamese order (a ă â b c d đ e ê … u ư …, tones second) on SQLite, PostgreSQL and in Python."""

from __future__ import annotations

import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyLevel
from coordination.collation import vi_key, vi_order, vi_sorted
from coordination.extensions import db

# The order a Vietnamese reader expects: "Đài PT-TH" after "Dương…" and before "Sở…"; Ư after every U;
# lower-case "xã Đông Sơn" among the x's, not after every capital; "Ban" before "Bắc" (a before ă).
EXPECTED = [
    "Ban Quản lý Khu kinh tế tỉnh",
    "Bắc Sơn",
    "Công an tỉnh",
    "Cục Thuế tỉnh",
    "Dương Minh Châu",
    "Đài PT-TH Tây Ninh",
    "Sở Tư pháp",
    "Uông Bí",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Ủy ban nhân dân xã Đông Sơn",
    "Ưng Hòa",
    "Văn phòng UBND tỉnh",
    "xã Đông Sơn",
    "xã Yên Sơn",
]


def test_python_sorts_names_in_vietnamese_order() -> None:
    shuffled = EXPECTED[7:] + EXPECTED[:7]
    assert vi_sorted(shuffled) == EXPECTED
    assert sorted(shuffled) != EXPECTED  # code points get it wrong: that is why the collation exists
    # Tones are a second-level difference, in the traditional order: ngang, huyền, hỏi, ngã, sắc, nặng.
    assert vi_sorted(["cạ", "cá", "cã", "cả", "cà", "ca"]) == ["ca", "cà", "cả", "cã", "cá", "cạ"]
    assert vi_key(None) == vi_key("")


def test_the_database_orders_names_in_vietnamese_order(app) -> None:  # type: ignore[no-untyped-def]
    # On SQLite the collation registered on every connection; on PostgreSQL "vi-x-icu" (TEST_DATABASE_URL).
    for number, name in enumerate(reversed(EXPECTED)):
        db.session.add(Agency(code=f"ZZ-COLL-{number}", name_vi=name, level=AgencyLevel.province))
    db.session.flush()
    names = db.session.scalars(
        sa.select(Agency.name_vi).where(Agency.code.like("ZZ-COLL-%")).order_by(vi_order(Agency.name_vi))
    ).all()
    assert names == EXPECTED
    descending = db.session.scalars(
        sa.select(Agency.name_vi).where(Agency.code.like("ZZ-COLL-%")).order_by(vi_order(Agency.name_vi).desc())
    ).all()
    assert descending == EXPECTED[::-1]


def test_relationships_list_members_in_vietnamese_order(app) -> None:  # type: ignore[no-untyped-def]
    parent = Agency(code="ZZ-COLL-P", name_vi="Ủy ban nhân dân thành phố", level=AgencyLevel.district)
    db.session.add(parent)
    for number, name in enumerate(["xã Đông Sơn", "Đài PT-TH Tây Ninh", "Văn phòng UBND tỉnh", "Cục Thuế tỉnh"]):
        db.session.add(Agency(code=f"ZZ-COLL-C{number}", name_vi=name, parent=parent, level=AgencyLevel.commune))
    db.session.flush()
    db.session.expire(parent)
    assert [c.name_vi for c in parent.children] == [
        "Cục Thuế tỉnh",
        "Đài PT-TH Tây Ninh",
        "Văn phòng UBND tỉnh",
        "xã Đông Sơn",
    ]
