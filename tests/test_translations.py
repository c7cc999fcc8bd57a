"""The English catalog keeps up with the code: every Vietnamese msgid extracted from the sources
(with babel.cfg and the Makefile's keywords) is translated, not fuzzy, with the same placeholders;
and the app does speak English once asked to.

A developer who adds `_("...")` without translating it gets a failure naming the string: run
`make translations-update`, fill the msgstr in coordination/translations/en/LC_MESSAGES/messages.po,
then `make translations`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask import Flask
from flask_babel import get_domain, refresh

from coordination.extensions import db

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "coordination" / "translations"
LANGUAGES = ("vi", "en")
#: the keywords the Makefile's translations-update passes to pybabel extract, besides babel's defaults
EXTRA_KEYWORDS = ("_l", "lazy_gettext")
#: %(name)s, %(count)d, %%: what Python's %-formatting reads in a message
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrs%])")


def read_catalog(path: Path) -> Catalog:
    # abort_invalid: an entry that lost its msgstr (a merge keeping both sides) fails here, not only warns
    with path.open("rb") as fh:
        return read_po(fh, abort_invalid=True)


def catalog_path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `make translations-update` would extract now, written to a temporary .pot and read back."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update({keyword: None for keyword in EXTRA_KEYWORDS})
    template = Catalog(charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    pot = tmp_path_factory.mktemp("translations") / "messages.pot"
    with pot.open("wb") as fh:
        write_po(fh, template)
    return read_catalog(pot)


def where(message: Message) -> str:
    return ", ".join(f"{filename}:{lineno}" for filename, lineno in message.locations[:3])


def placeholders(text: str) -> list[str]:
    return sorted(f"%({name})" + kind if name else "%" + kind for name, kind in PLACEHOLDER.findall(text))


# --- extraction sees everything --------------------------------------------------------------------


def test_extraction_covers_python_and_every_template_directory(extracted):
    files = {filename for message in extracted for filename, _ in message.locations}
    assert any(f.endswith(".py") for f in files)
    templates = {p.relative_to(ROOT).as_posix() for p in (ROOT / "coordination").rglob("templates/**/*")}
    with_strings = {
        t
        for t in templates
        if t.endswith((".html", ".txt")) and re.search(r"\b(_|gettext|ngettext)\(", (ROOT / t).read_text("utf-8"))
    }
    assert with_strings, "no template calls _()"
    assert with_strings <= files, f"templates not extracted: {sorted(with_strings - files)}"


def test_the_makefile_extracts_with_the_same_keywords():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    extract = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    for keyword in EXTRA_KEYWORDS:
        assert f"-k {keyword}" in extract
    assert "-F babel.cfg" in extract


def test_gettext_is_imported_only_under_names_the_extraction_knows():
    known = set(DEFAULT_KEYWORDS) | set(EXTRA_KEYWORDS)
    unknown = []
    for path in (ROOT / "coordination").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for name, alias in re.findall(r"^\s*from flask_babel import (\w*gettext)(?: as (\w+))?", source, re.M):
            if (alias or name) not in known:
                unknown.append(f"{path.relative_to(ROOT)}: {name} as {alias}")
    assert not unknown, "pybabel extract would miss the strings of: " + "; ".join(unknown)


# --- the English catalog is complete ---------------------------------------------------------------


def test_every_extracted_string_is_translated_into_english(extracted):
    catalog = read_catalog(catalog_path("en"))
    problems = []
    for message in extracted:
        if not message.id:
            continue
        entry = catalog.get(message.id, context=message.context)
        if entry is None:
            problems.append(
                f"missing from en/messages.po (run make translations-update): {message.id!r} [{where(message)}]"
            )
            continue
        strings = entry.string if isinstance(entry.string, tuple | list) else (entry.string,)
        if entry.fuzzy:
            problems.append(f"fuzzy: {message.id!r} [{where(message)}]")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r} [{where(message)}]")
    if problems:
        pytest.fail(f"{len(problems)} English translations to do:\n" + "\n".join(problems), pytrace=False)


def test_the_catalogs_hold_every_extracted_string(extracted):
    for lang in LANGUAGES:
        catalog = read_catalog(catalog_path(lang))
        absent = [m.id for m in extracted if m.id and catalog.get(m.id, context=m.context) is None]
        assert not absent, f"{lang}/messages.po lacks {absent} (run make translations-update)"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_compiles_without_errors(lang, tmp_path):
    catalog = read_catalog(catalog_path(lang))
    errors = [f"{message.id!r}: {error}" for message, errs in catalog.check() for error in errs]
    assert not errors, "\n".join(errors)
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy entries are left out of the compiled catalog"
    with (tmp_path / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)


def test_plural_forms_match_the_language():
    assert read_catalog(catalog_path("en")).num_plurals == 2
    assert read_catalog(catalog_path("vi")).num_plurals == 1
    for lang in LANGUAGES:
        catalog = read_catalog(catalog_path(lang))
        for message in catalog:
            if message.pluralizable and any(message.string):
                assert len(message.string) == catalog.num_plurals, (lang, message.id)


def test_placeholders_of_each_translation_match_its_msgid():
    mismatched = []
    for lang in LANGUAGES:
        for message in read_catalog(catalog_path(lang)):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
            strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
            # the singular may drop %(count)s ("one task"); the plural forms keep the plural msgid's
            expected = {name for text in ids for name in placeholders(text)}
            for text in strings:
                if text and (found := set(placeholders(text))) != expected and not (len(ids) > 1 and found < expected):
                    mismatched.append(f"{lang}: {message.id!r} -> {text!r}")
    assert not mismatched, "\n".join(mismatched)


# --- the app speaks English ------------------------------------------------------------------------


@pytest.fixture
def compiled_catalogs(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The app reads the .po files of the working tree, compiled now (the .mo files are build output)."""
    for lang in LANGUAGES:
        target = tmp_path / lang / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as fh:
            write_mo(fh, read_catalog(catalog_path(lang)))
    monkeypatch.setattr(app.extensions["babel"], "translation_directories", [str(tmp_path)])
    with app.app_context():
        get_domain().cache.clear()
    yield
    with app.app_context():
        get_domain().cache.clear()


def fresh_locale() -> None:
    """Forget the locale flask-babel keeps on `g`: the test's app context outlives each request."""
    refresh()


def directive_id(ref: str) -> int:
    from coordination.directives.models import Directive

    found = db.session.scalar(sa.select(Directive.id).where(Directive.ref == ref))
    assert found is not None, ref
    return found


def test_the_login_page_speaks_english_after_the_switch(client, compiled_catalogs):
    assert "Đăng nhập" in client.get("/login").get_data(as_text=True)
    client.get("/language/en", query_string={"next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert "<title>Sign in · Task monitoring and reminders</title>" in html
    assert "Sign in to follow up the implementation of directives" in html
    assert "Đăng nhập" not in html


def test_pages_speak_english_for_a_logged_in_user(client, login, compiled_catalogs):
    login("justice.tayninh")
    assert client.post("/language/en", data={"next": "/app/"}).status_code == 302

    home = client.get("/app/").get_data(as_text=True)
    assert "Directives" in home and "Sign out" in home

    listing = client.get("/app/directive/").get_data(as_text=True)
    assert re.search(r"<h1[^>]*>\s*Directives\s*</h1>", listing), listing[:2000]
    assert "Number, symbol" in listing and "Số, ký hiệu" not in listing

    page = client.get(f"/app/directive/details/?id={directive_id('2157/UBND-KSTT')}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "In progress" in html
    assert "Đang thực hiện" not in html

    work = client.get("/app/assignment/").get_data(as_text=True)
    assert "Deadline" in work and "Agency work" in work


def test_api_errors_speak_the_requested_language(client, compiled_catalogs):
    english = client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert english.status_code == 401
    assert english.get_json()["detail"] == "Sign-in or a valid access token is required."
    fresh_locale()
    vietnamese = client.get("/api/v1/me", headers={"Accept-Language": "vi"})
    assert vietnamese.get_json()["detail"] == "Cần đăng nhập hoặc mã truy cập (token) hợp lệ."
