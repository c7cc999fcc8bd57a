"""GET /api/v1/agencies (filters kind, level, q) and GET /api/v1/me."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coordination.agencies.models import Agency, AgencyKind, AgencyLevel
from coordination.extensions import db
from coordination.text import fold
from tests.conftest import USERS, get_user


def _agencies() -> list[Agency]:
    return list(db.session.scalars(sa.select(Agency).order_by(Agency.id)))


def test_every_agency_is_listed_with_parent_groups_and_aliases(api):
    items = api("bacson.tamdiep").items("/api/v1/agencies")
    agencies = _agencies()
    assert [i["id"] for i in items] == [a.id for a in agencies]
    for item, agency in zip(items, agencies, strict=True):
        assert item["code"] == agency.code
        assert item["name_vi"] == agency.name_vi
        assert item["kind"] == agency.kind.value
        assert item["level"] == agency.level.value
        assert item["parent_code"] == (agency.parent.code if agency.parent else None)
        assert sorted(item["groups"]) == sorted(g.name for g in agency.groups)
        assert sorted(item["aliases"]) == sorted(a.alias for a in agency.aliases)
    assert any(i["parent_code"] for i in items)
    assert any(i["groups"] for i in items)
    assert any(i["aliases"] for i in items)


@pytest.mark.parametrize("kind", list(AgencyKind))
def test_the_kind_filter(api, kind):
    found = {i["code"] for i in api("admin").items("/api/v1/agencies", kind=kind.value)}
    assert found == {a.code for a in _agencies() if a.kind == kind}


@pytest.mark.parametrize("level", list(AgencyLevel))
def test_the_level_filter(api, level):
    found = {i["code"] for i in api("admin").items("/api/v1/agencies", level=level.value)}
    assert found == {a.code for a in _agencies() if a.level == level}


@pytest.mark.parametrize(
    ("q", "must_find"),
    [
        ("tu phap tay ninh", "TN-STP"),
        ("Sở Tư pháp", "TN-STP"),
        ("tn-stp", "TN-STP"),
        ("bac son", None),
        ("Sở GD&ĐT", "TN-SGDDT"),
        ("zzzz-nothing", None),
    ],
)
def test_the_q_filter_ignores_diacritics_and_matches_aliases(api, q, must_find):
    found = {i["code"] for i in api("admin").items("/api/v1/agencies", q=q)}
    words = fold(q).split()
    expected = set()
    for agency in _agencies():
        names = fold(" | ".join(filter(None, [agency.code, agency.name_vi, agency.name_en, agency.short_name])))
        aliases = fold(" | ".join(a.alias for a in agency.aliases))
        if all(w in names + " | " + aliases for w in words):
            expected.add(agency.code)
    assert found == expected
    if must_find:
        assert must_find in found
    if q == "zzzz-nothing":
        assert found == set()


def test_filters_combine(api):
    found = {i["code"] for i in api("admin").items("/api/v1/agencies", kind="people_committee", level="commune")}
    assert found == {
        a.code for a in _agencies() if a.kind == AgencyKind.people_committee and a.level == AgencyLevel.commune
    }
    assert get_user("bacson.tamdiep").agency.code in found


@pytest.mark.parametrize("username", USERS)
def test_me(api, username):
    me = api(username).get("/api/v1/me").get_json()
    user = get_user(username)
    assert me["id"] == user.id
    assert me["username"] == username
    assert me["full_name"] == user.full_name
    assert me["email"] == user.email
    assert me["role"] == user.role.value
    assert me["locale"] == user.locale
    if user.agency is None:
        assert me["agency"] is None
    else:
        assert me["agency"] == {
            "id": user.agency.id,
            "code": user.agency.code,
            "name_vi": user.agency.name_vi,
            "name_en": user.agency.name_en,
            "short_name": user.agency.short_name,
        }
