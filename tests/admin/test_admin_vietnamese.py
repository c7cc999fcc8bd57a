"""Flask-Admin's and WTForms' own messages are Vietnamese: the project's catalogs hold every one of them, and
a walk of every page of the web UI (lists, create, edit, details, every page with its ids) and of its
forms sent empty, as admin and as the office in `vi`, finds no English string."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import flask_admin
import pytest
import sqlalchemy as sa
import wtforms
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from coordination.agencies.models import Agency, AgencyGroup
from coordination.assignments.models import Assignment
from coordination.auth.models import User
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from coordination.indicators.models import Indicator
from tests.support.web import text

CATALOGS = Path(__file__).resolve().parents[2] / "coordination" / "translations" / "vi" / "LC_MESSAGES"
FLASK_ADMIN = Path(flask_admin.__file__).parent
WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"

#: English words of buttons, labels, headers, menus and hints that a Vietnamese page never shows there
CHROME_WORDS = re.compile(
    r"\b(Save|Cancel|List|Create|Edit|Delete|Details|Search|Filter|Add|New|Export|Apply|Reset|Home|Yes|No|Submit|"
    r"Back|Next|Previous|Close|Select|Name|Value|Key|Content|Upload|Please|Actions?|View|Root|Sort|Page|Record|"
    r"items|records?|required|field|[Ff]ailed|successfully|equals|contains|between|empty|selected)\b"
)


def _msgids(catalog: Path) -> list[str]:
    with catalog.open("rb") as fh:
        return [m for message in read_po(fh) if message.id for m in _forms(message.id)]


def _forms(msgid: str | tuple[str, ...]) -> tuple[str, ...]:
    return msgid if isinstance(msgid, tuple) else (msgid,)


def _flask_admin_sources() -> set[str]:
    """Every message Flask-Admin's code and its Bootstrap 4 templates translate."""
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update({"_gettext": None, "_ngettext": (1, 2), "_lazy_gettext": None, "lazy_gettext": None})
    method_map = [
        ("**/tests/**", "ignore"),
        ("**.py", "python"),
        ("**/templates/bootstrap4/**.html", "jinja2"),
    ]
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(str(FLASK_ADMIN), method_map, keywords=keywords):
        found.update(_forms(message))
    return found


def _english_phrases() -> list[re.Pattern[str]]:
    """Flask-Admin's and WTForms' messages of two words or more, placeholders matching anything."""
    phrases = []
    for msgid in sorted(_flask_admin_sources() | set(_msgids(WTFORMS_POT))):
        literal = re.sub(r"%\(\w+\)[sd]|%[sd]", " ", msgid.replace("\\'", "'"))
        if len(re.findall(r"[A-Za-z]{2,}", literal)) < 2:
            continue
        parts = [re.escape(p.strip()) for p in re.split(r"%\(\w+\)[sd]|%[sd]", msgid.replace("\\'", "'"))]
        phrases.append(re.compile(r".{0,80}?".join(p for p in parts if p)))
    return phrases


PHRASES = _english_phrases()


# --- the catalogs ---------------------------------------------------------------------------------------


def test_the_admin_catalog_translates_every_flask_admin_message():
    with (CATALOGS / "admin.po").open("rb") as fh:
        catalog = {m.id: m.string for m in read_po(fh) if m.id}
    sources = _flask_admin_sources()
    assert len(sources) >= 100
    translated = {m for msgid, string in catalog.items() if all(_forms(string)) for m in _forms(msgid)}
    assert sorted(sources - translated) == []


def test_the_wtforms_catalog_translates_every_wtforms_message():
    with (CATALOGS / "wtforms.po").open("rb") as fh:
        catalog = {m.id: m.string for m in read_po(fh) if m.id}
    translated = {m for msgid, string in catalog.items() if all(_forms(string)) for m in _forms(msgid)}
    assert sorted(set(_msgids(WTFORMS_POT)) - translated) == []


@pytest.mark.parametrize("domain", ["admin", "wtforms"])
def test_each_translation_keeps_the_placeholders_of_its_msgid(domain):
    mismatched = []
    with (CATALOGS / f"{domain}.po").open("rb") as fh:
        for message in read_po(fh):
            if not message.id:
                continue
            expected = {p for msgid in _forms(message.id) for p in re.findall(r"%\(\w+\)[sd]|%[sd]", msgid)}
            for string in _forms(message.string):
                if set(re.findall(r"%\(\w+\)[sd]|%[sd]", string)) != expected:
                    mismatched.append(f"{message.id!r} -> {string!r}")
    assert mismatched == []


# --- the pages ----------------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """A page's visible text, and its chrome: buttons, links, labels, headers, options, hints and their attributes."""

    CHROME_TAGS = {"button", "a", "label", "th", "legend", "h1", "h2", "h3", "h4", "h5", "option", "small"}

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.chrome: list[str] = []
        self._skip = 0
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "svg"):
            self._skip += 1
        self._open.append(tag)
        for name, value in attrs:
            if value and name in ("placeholder", "title", "aria-label", "alt"):
                self.chrome.append(value)
                self.text.append(value)
            if value and name == "value" and dict(attrs).get("type") in ("submit", "button"):
                self.chrome.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag)]

    def handle_data(self, data: str) -> None:
        if self._skip or not data.strip():
            return
        self.text.append(data)
        if self.CHROME_TAGS & set(self._open[-2:]) or "alert" in self._open:
            self.chrome.append(data)


def english_in(html: str) -> list[str]:
    """The English strings a Vietnamese reader would meet on this page."""
    page = _Page()
    page.feed(html)
    visible = re.sub(r"\s+", " ", " ".join(page.text))
    found = [m.group(0) for phrase in PHRASES if (m := phrase.search(visible))]
    found += [f"{m.group(0)!r} in {t.strip()[:60]!r}" for t in page.chrome if (m := CHROME_WORDS.search(t))]
    return found


def _first_id(query: sa.Select) -> int:
    found = db.session.scalar(query.limit(1))
    assert found is not None
    return found


def _ids() -> dict[str, int]:
    """An id for each URL argument of the web UI, from the demo's Tây Ninh directive."""
    directive_id = _first_id(sa.select(Directive.id).where(Directive.ref == "2157/UBND-KSTT"))
    return {
        "directive_id": directive_id,
        "task_id": _first_id(sa.select(Task.id).where(Task.directive_id == directive_id).order_by(Task.position)),
        "assignment_id": _first_id(sa.select(Assignment.id).where(Assignment.directive_id == directive_id)),
        "agency_id": _first_id(sa.select(Agency.id).where(Agency.code == "TN-STP")),
        "indicator_id": _first_id(sa.select(Indicator.id).order_by(Indicator.id)),
        "id": 0,  # filled per model view below
    }


#: a model view's `?id=` object, the first of its model
_MODELS = {
    "directive": Directive,
    "assignment": Assignment,
    "agency": Agency,
    "agency_group": AgencyGroup,
    "user": User,
}


def _page_urls(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(endpoint, url) of every page of the web UI that answers GET, with an id for each of its arguments."""
    ids = _ids()
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/app") or rule.endpoint.endswith("static"):
            continue
        if any(name not in ids for name in rule.arguments):
            continue  # downloads and feeds (an evidence file, a calendar token): not pages
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[^:>]+:)?{name}>", str(ids[name]), path)
        urls.append((rule.endpoint, path))
        view, _, action = rule.endpoint.partition(".")
        if view in _MODELS and action in ("edit_view", "details_view"):
            first = db.session.scalar(sa.select(_MODELS[view].id).order_by(_MODELS[view].id).limit(1))
            urls[-1] = (rule.endpoint, f"{path}?id={first}")
    return sorted(urls)


def _walk(client, urls: list[tuple[str, str]], *, post: bool) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    seen, problems = 0, []
    for endpoint, url in urls:
        response = client.post(url, data={}, follow_redirects=True) if post else client.get(url)
        if response.status_code in (403, 404, 405) or response.mimetype != "text/html":
            continue
        assert response.status_code < 500, (url, response.status_code)
        seen += 1
        problems += [
            f"{endpoint} {'POST' if post else 'GET'} {url}: {found}"
            for found in english_in(response.get_data(as_text=True))
        ]
    return seen, problems


@pytest.mark.parametrize("username", ["admin", "office.tayninh"])
def test_every_page_in_vietnamese_has_no_english(app, client, login, username):
    login(username)
    urls = _page_urls(app)
    seen, problems = _walk(client, urls, post=False)
    assert seen >= 25, seen  # the walk really saw the pages
    assert problems == []


def test_every_form_sent_empty_answers_in_vietnamese(app, client, login):
    login("admin")
    writable = [
        (endpoint, url)
        for endpoint, url in _page_urls(app)
        if "POST" in app.url_map._rules_by_endpoint[endpoint][0].methods
    ]
    seen, problems = _walk(client, writable, post=True)
    assert seen >= 5, seen
    assert problems == []
    client.post("/logout")
    login("office.tayninh")
    for url in ("/app/directive/register/", "/app/directive/import/"):
        response = client.post(url, data={})
        assert response.status_code == 422
        assert english_in(response.get_data(as_text=True)) == []


def test_a_duplicate_agency_code_is_named_in_vietnamese(client, login):
    login("admin")
    response = client.post(
        "/app/agency/new/",
        data={"code": "TN-STP", "name_vi": "Sở Tư pháp (trùng)", "kind": "department", "level": "province"},
    )
    html = response.get_data(as_text=True)
    page = text(html)
    assert "Mã: Trùng với một mục đã có." in page
    assert "Chưa tạo: hãy sửa các ô được đánh dấu." in page
    assert "Failed" not in page and english_in(html) == []
    assert db.session.scalar(sa.select(sa.func.count(Agency.id)).where(Agency.code == "TN-STP")) == 1


def test_a_duplicate_group_name_is_named_in_vietnamese(client, login):
    """Two columns together are unique: the database refuses, and the message names the fields in words."""
    group = db.session.scalar(sa.select(AgencyGroup).order_by(AgencyGroup.id).limit(1))
    login("admin")
    response = client.post(
        "/app/agency-group/new/",
        data={"name": group.name, "owner": str(group.owner_id), "name_en": "", "aliases": ""},
        follow_redirects=True,
    )
    page = text(response.get_data(as_text=True))
    assert "Không lưu được: đã có bản ghi trùng Thuộc, Tên nhóm." in page
    assert "Integrity" not in page and "UNIQUE" not in page and "duplicate key" not in page


def test_the_detector_sees_flask_admins_english():
    """The check itself: Flask-Admin's untranslated chrome and messages are caught."""
    html = (
        '<div class="alert">Failed to create record. x</div><a class="btn">Save and Add Another</a>'
        '<input placeholder="Search: Name"><table><tr><td>There are no items in the table.</td></tr></table>'
    )
    found = english_in(html)
    assert any("Failed to create record" in f for f in found)
    assert any("There are no items in the table." in f for f in found)
    assert any("'Search'" in f for f in found)
    assert english_in('<a class="btn">Lưu</a><td>Department of Justice</td>') == []
