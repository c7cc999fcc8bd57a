"""Flask-Admin's and WTForms' own messages in Vietnamese: the project's catalogs read over the libraries'.

Flask-Admin translates its buttons, lists and flashes ("Failed to create record.") through its `admin`
domain, whose Vietnamese catalog lacks some messages and words others badly; WTForms ships no Vietnamese
at all ("This field is required."). The project owns `translations/vi/LC_MESSAGES/admin.po` and
`wtforms.po`, compiled with `messages.po` by `make translations`; flask-babel merges the directories of
a domain in order, so each library's catalog comes first and ours over it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import Domain
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

#: the project's catalogs: messages (its own strings), admin (Flask-Admin's), wtforms (WTForms')
CATALOGS = str(Path(__file__).resolve().parent / "translations")

#: WTForms' messages: its catalogs (no Vietnamese), then ours
WTFORMS = Domain([messages_path(), CATALOGS], domain="wtforms")


class WTFormsTranslations:
    """What a form's `Meta.get_translations` returns: WTForms' messages in the request's language."""

    def gettext(self, string: str) -> str:
        return WTFORMS.get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return WTFORMS.get_translations().ungettext(singular, plural, n)


TRANSLATIONS = WTFormsTranslations()


class TranslatedFlaskForm(FlaskForm):
    """A Flask-WTF form whose WTForms messages come from the catalogs above (Flask-WTF reads WTForms' alone)."""

    class Meta:
        def get_translations(self, form: Any) -> WTFormsTranslations:
            return TRANSLATIONS


def init_catalogs() -> None:
    """Read the project's `admin` catalog over Flask-Admin's own, in every view and outside them."""
    from flask_admin import babel as admin_babel
    from flask_admin import translations as admin_translations

    # Flask-Admin's one Domain object is what its modules' gettext is bound to: its directories are the
    # hook. (Admin(translations_path=...) would put ours *first*, so Flask-Admin's words would win, and
    # only inside a view: a message cached outside one would stay English.)
    directories = [admin_translations.__path__[0], CATALOGS]
    if admin_babel.domain._translation_directories != directories:
        admin_babel.domain._translation_directories = directories
        admin_babel.domain.cache.clear()
