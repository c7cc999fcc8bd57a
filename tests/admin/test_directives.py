"""The directive list (search, filters) and the directive page that reads like the document."""

from __future__ import annotations

import re

import pytest

from coordination.templating import status_label
from tests.conftest import assignment_of
from tests.support.admin_views import attr_values, directive_id

KSTT = "2157/UBND-KSTT"
CA = "570/UBND-CA"


def _refs(client, query: str = "") -> list[str]:
    response = client.get(f"/app/directive/{query}")
    assert response.status_code == 200
    return attr_values(response.get_data(as_text=True), "data-ref", "directive-row")


@pytest.mark.parametrize("q", ["tu phap", "TƯ PHÁP", "Tư  pháp"])
def test_search_folds_diacritics(client, login, q):
    login("admin")  # the admin sees both directives, so the search alone decides
    assert _refs(client, f"?q={q}") == [KSTT]


def test_search_cccd_finds_both_campaigns(client, login):
    login("admin")
    assert set(_refs(client, "?q=cccd")) == {KSTT, CA}


def test_search_by_number_and_by_words_in_any_order(client, login):
    login("admin")
    assert _refs(client, "?q=2157") == [KSTT]
    assert _refs(client, "?q=phap+tu+giay+khai+sinh") == [KSTT]
    assert _refs(client, "?q=tu+phap+xyzzy") == []
    # A LIKE wildcard typed in the box is a character, not "anything" (the text has "100%", never "%%").
    assert _refs(client, "?q=%25%25") == []


def test_filters_by_status_and_issuer(client, login):
    login("admin")
    assert set(_refs(client, "?status=active")) == {KSTT, CA}
    assert _refs(client, "?status=draft") == []
    kstt = directive_id(KSTT)
    from coordination.directives.models import Directive
    from coordination.extensions import db

    issuer_id = db.session.get(Directive, kstt).issuer_id
    assert _refs(client, f"?issuer={issuer_id}") == [KSTT]
    # Nonsense filter values are ignored, never a 500.
    assert set(_refs(client, "?status=bogus&issuer=abc")) == {KSTT, CA}


def test_list_shows_columns_in_vietnamese_formats(client, login):
    login("justice.tayninh")
    html = client.get("/app/directive/").get_data(as_text=True)
    assert _refs(client) == [KSTT]  # Sở Tư pháp Tây Ninh is not addressed by Tam Điệp's letter
    assert "14/08/2022" in html
    assert "Công văn" in html
    assert "Ủy ban nhân dân tỉnh Tây Ninh" in html
    assert "Công an tỉnh Tây Ninh" in html
    assert "Đang thực hiện" in html


def test_directive_page_reads_like_the_document(client, login):
    login("justice.tayninh")
    response = client.get(f"/app/directive/details/?id={directive_id(KSTT)}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in (
        "ỦY BAN NHÂN DÂN TỈNH TÂY NINH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 2157/UBND-KSTT",
        "Tây Ninh, ngày 14 tháng 8 năm 2022",
        "V/v thực hiện cao điểm cấp CCCD gắn chip điện tử trên địa bàn tỉnh",
        "Kính gửi",
        "Ủy ban nhân dân các huyện, thị xã, thành phố",
        "Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Võ Đức Trọng",
        "Đơn vị theo dõi, đôn đốc",
        "Báo cáo kết quả về",
        "327.407 hồ sơ",
        "30/09/2022",
    ):
        assert text in html, text


def test_directive_page_lists_tasks_in_document_order(client, login):
    login("justice.tayninh")
    html = client.get(f"/app/directive/details/?id={directive_id(KSTT)}").get_data(as_text=True)
    labels = attr_values(html, "data-task-label", "doc-task ")
    depths = attr_values(html, "data-depth", "doc-task ")
    assert [label for label, depth in zip(labels, depths, strict=True) if depth == "0"] == [
        "1", "2", "3", "4", "5", "7", "8", "9", "10", "12", "11",
    ]  # fmt: skip
    # The two dashes of task 2 come right under it, indented.
    assert list(zip(labels, depths, strict=True))[1:4] == [("2", "0"), ("-", "1"), ("-", "1")]


def _task_block(html: str, label: str) -> str:
    blocks = re.split(r'(?=<div class="doc-task depth-)', html)
    start = re.compile(rf'<div class="doc-task depth-0" id="task-\d+" data-task-label="{label}"')
    found = [b for b in blocks if start.match(b)]
    assert len(found) == 1, label
    return found[0]


def test_task_5_shows_justice_with_its_status(client, login):
    login("justice.tayninh")
    html = client.get(f"/app/directive/details/?id={directive_id(KSTT)}").get_data(as_text=True)
    block = _task_block(html, "5")
    assignment = assignment_of(KSTT, "5", "TN-STP")
    assert "Sở Tư pháp tỉnh Tây Ninh" in block
    assert status_label(assignment.status) == "Đang thực hiện"  # the demo's story
    lead = block.split("Chủ trì:")[1].split("Phối hợp:")[0]
    assert "Sở Tư pháp tỉnh Tây Ninh" in lead
    assert 'data-agency="TN-STP"' in lead
    assert "Đang thực hiện" in lead
    assert "Quá hạn" in lead  # reported nothing by 30/09/2022
    coordinate = block.split("Phối hợp:")[1]
    assert "Công an tỉnh Tây Ninh" in coordinate


@pytest.mark.parametrize(
    "username, ref",
    [("justice.tayninh", CA), ("education.tayninh", CA), ("bacson.tamdiep", KSTT), ("monitor.tamdiep", KSTT)],
)
def test_details_and_edit_outside_scope_are_refused(client, login, username, ref):
    login(username)
    other = directive_id(ref)
    assert client.get(f"/app/directive/details/?id={other}").status_code == 404
    assert client.get(f"/app/directive/edit/?id={other}").status_code in (403, 404)
    assert client.post("/app/directive/delete/", data={"id": other}).status_code in (403, 404)


def test_details_of_a_missing_or_malformed_id_is_404(client, login):
    login("admin")
    assert client.get("/app/directive/details/?id=999999").status_code == 404
    assert client.get("/app/directive/details/?id=abc").status_code == 404
