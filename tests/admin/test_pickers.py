"""Choosing agencies and directives at province scale: the issuer's agencies only, by level, in Vietnamese
order; the work list's directive filter embeds a page of directives and searches the rest as JSON."""

from __future__ import annotations

from html.parser import HTMLParser

from coordination.directives.queries import CHOICES_PAGE_SIZE
from tests.factories import make_directive


class _Options(HTMLParser):
    """(optgroup label, option text) of every option of the select named `name`."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name, self.inside, self.group, self.text = name, False, None, None
        self.options: list[tuple[str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        attributes = dict(attrs)
        if tag == "select" and attributes.get("name") == self.name:
            self.inside = True
        elif self.inside and tag == "optgroup":
            self.group = attributes.get("label")
        elif self.inside and tag == "option":
            self.text = ""

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if self.inside and tag == "option" and self.text is not None:
            self.options.append((self.group, self.text.strip()))
            self.text = None
        elif tag == "optgroup":
            self.group = None
        elif tag == "select":
            self.inside = False


def options(html: str, name: str) -> list[tuple[str | None, str]]:
    parser = _Options(name)
    parser.feed(html)
    return parser.options


def test_tam_diep_pickers_offer_its_own_agencies_by_level_in_vietnamese_order(client, login) -> None:  # type: ignore[no-untyped-def]
    html = login("office.tamdiep").get("/app/directive/register/").get_data(as_text=True)
    offered = options(html, "addressee_agencies")
    names = [text for _group, text in offered]
    # Another province's agencies are no longer offered (issue 11: Tây Ninh's Fatherland Front under
    # "Cơ quan khác" for Tam Điệp).
    assert not [n for n in names if "Tây Ninh" in n]
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Tam Điệp" in names
    assert offered[0][0] == "Cấp huyện"
    communes = [text for group, text in offered if group == "Cấp xã"]
    assert communes == [
        "Ủy ban nhân dân phường Bắc Sơn",
        "Ủy ban nhân dân phường Nam Sơn",
        "Ủy ban nhân dân phường Tân Bình",
        "Ủy ban nhân dân phường Tây Sơn",
        "Ủy ban nhân dân phường Trung Sơn",
        "Ủy ban nhân dân phường Yên Bình",
        "Ủy ban nhân dân xã Đông Sơn",
        "Ủy ban nhân dân xã Quang Sơn",
        "Ủy ban nhân dân xã Yên Sơn",
    ]
    # The same list in every agency picker of the form, the task rows' included.
    assert [t for _g, t in options(html, "tasks-0-lead")] == names
    assert 'data-picker="agencies"' in html


def test_tay_ninh_pickers_offer_the_province_and_the_agencies_it_addresses(client, login) -> None:  # type: ignore[no-untyped-def]
    html = login("office.tayninh").get("/app/directive/register/").get_data(as_text=True)
    offered = options(html, "addressee_agencies")
    names = [text for _group, text in offered]
    assert not [n for n in names if "Tam Điệp" in n or "Sơn" in n]
    # No parent, but 2157/UBND-KSTT addresses it: the province works with its Fatherland Front.
    assert "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Tây Ninh" in names
    province = [text for group, text in offered if group == "Cấp tỉnh"]
    # Vietnamese order: "Đài…" after "Công an…" and before "Hội…", not after "Văn phòng…".
    assert province.index("Công an tỉnh Tây Ninh") < province.index("Đài Phát thanh và Truyền hình Tây Ninh")
    assert province.index("Đài Phát thanh và Truyền hình Tây Ninh") < province.index("Hội Cựu chiến binh tỉnh Tây Ninh")
    assert province[-1] == "Văn phòng Ủy ban nhân dân tỉnh Tây Ninh"
    assert [group for group, _t in offered].index("Cấp huyện") > len(province) - 1


def test_work_list_embeds_a_page_of_directives_not_every_one(client, login) -> None:  # type: ignore[no-untyped-def]
    for _ in range(CHOICES_PAGE_SIZE + 5):
        make_directive({"1": ["TN-STP"]})
    html = login("justice.tayninh").get("/app/assignment/").get_data(as_text=True)
    embedded = options(html, "directive")
    assert len(embedded) == 1 + CHOICES_PAGE_SIZE  # "Tất cả" and the newest page
    assert 'data-picker="remote"' in html and 'data-picker-url="/app/directive/choices/"' in html


def test_directive_choices_json_pages_and_searches_what_the_user_may_see(client, login) -> None:  # type: ignore[no-untyped-def]
    for _ in range(CHOICES_PAGE_SIZE + 5):
        make_directive({"1": ["TN-STP"]})
    login("justice.tayninh")
    first = client.get("/app/directive/choices/").get_json()
    second = client.get("/app/directive/choices/?page=2").get_json()
    assert (len(first["results"]), first["more"]) == (CHOICES_PAGE_SIZE, True)
    # 25 test directives and 2157/UBND-KSTT; Tam Điệp's 570/UBND-CA does not address Sở Tư pháp Tây Ninh.
    assert (len(second["results"]), second["more"]) == (6, False)
    texts = [r["text"] for r in first["results"] + second["results"]]
    assert any(t.startswith("2157/UBND-KSTT — ") for t in texts)
    assert not any(t.startswith("570/UBND-CA") for t in texts)
    found = client.get("/app/directive/choices/?q=cao+diem+cccd").get_json()
    assert [r["text"].split(" — ")[0] for r in found["results"]] == ["2157/UBND-KSTT"]
    # Nonsense paging is the first page, never a 500.
    assert client.get("/app/directive/choices/?page=abc").get_json()["results"] == first["results"]


def test_the_chosen_directive_stays_in_the_filter(client, login) -> None:  # type: ignore[no-untyped-def]
    from tests.support.admin_views import directive_id

    for _ in range(CHOICES_PAGE_SIZE + 2):
        make_directive({"1": ["TN-STP"]})
    kstt = directive_id("2157/UBND-KSTT")
    html = login("justice.tayninh").get(f"/app/assignment/?directive={kstt}").get_data(as_text=True)
    assert f'<option value="{kstt}" selected>' in html
