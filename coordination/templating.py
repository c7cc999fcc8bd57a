"""Jinja filters and globals: Vietnamese dates and numbers, labels, permissions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from operator import attrgetter
from typing import Any

from flask import Flask, has_request_context, request
from flask_babel import format_datetime, get_locale

from coordination import formatting
from coordination.assignments.states import STATUS_LABELS, TIMELINESS_LABELS, Status, Timeliness
from coordination.collation import vi_sorted
from coordination.directives import states as directive_states
from coordination.permissions import Permission, can


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy in both languages: the form every Vietnamese office writes; a moment also with its time."""
    if isinstance(value, datetime):
        # In the user's time zone, which Flask-Babel knows.
        return format_datetime(value, "dd/MM/yyyy HH:mm")
    return formatting.format_date(value)


def format_number(value: int | float | Decimal | None, decimals: int = 0) -> str:
    """327.407 and 73,3 in Vietnamese; 327,407 and 73.3 in English."""
    return formatting.format_number(value, decimals, locale=_number_locale())


def _number_locale() -> str:
    # Asked once a request: a province's dashboard formats ~1,000 numbers, and each get_locale() walks
    # Flask-Babel's context. The WSGI environ lives exactly as long as the request.
    if not has_request_context():
        return "en" if str(get_locale()) == "en" else "vi"
    environ = request.environ
    locale = environ.get(_NUMBER_LOCALE)
    if locale is None:
        locale = environ[_NUMBER_LOCALE] = "en" if str(get_locale()) == "en" else "vi"
    return locale


_NUMBER_LOCALE = "coordination.number_locale"


def status_label(value: Status | str | None) -> str:
    return str(STATUS_LABELS[Status(value)]) if value else ""


def timeliness_label(value: Timeliness | str | None) -> str:
    return str(TIMELINESS_LABELS[Timeliness(value)]) if value else ""


def vi_sort(items: Iterable[Any], attribute: str) -> list[Any]:
    """`items` in Vietnamese order of the dotted `attribute` ("agency.name_vi"): Jinja's `sort` uses code points."""
    return vi_sorted(items, attrgetter(attribute))


def page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows (1-based): the first, the last, `around` each side of `page`; None: a gap.

    A link to every page was thousands of links on a province's lists (make bench).
    """
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    result: list[int | None] = []
    previous = 0
    for number in shown:
        if number - previous == 2:  # a gap of one page: the page itself, not "…"
            result.append(previous + 1)
        elif number - previous > 2:
            result.append(None)
        result.append(number)
        previous = number
    return result


def init_templating(app: Flask) -> None:
    app.jinja_env.filters.update(
        vndate=format_date,
        vnnumber=format_number,
        status_label=status_label,
        timeliness_label=timeliness_label,
        vi_sort=vi_sort,
        date_input=formatting.date_input_value,
    )
    # Templates ask the directive's lifecycle (directive_states.can_close(directive.status)), never compare strings.
    app.jinja_env.globals.update(
        can=can,
        Permission=Permission,
        get_locale=get_locale,
        directive_states=directive_states,
        page_window=page_window,
        DATE_INPUT_PATTERN=formatting.DATE_INPUT_PATTERN,
    )
