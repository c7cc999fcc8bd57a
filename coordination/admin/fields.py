"""Flask-Admin's query fields, yielding the `Choice` objects WTForms 3.3 expects.

Flask-Admin 2.2.1 still yields raw tuples from `iter_choices`, which WTForms 3.3 deprecates (and the
test suite turns warnings into errors). Remove these once Flask-Admin yields `Choice` itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask_admin.contrib.sqla import fields as admin_fields
from wtforms.fields.choices import Choice


def _choices(raw: Iterator[tuple]) -> Iterator[Choice]:
    for item in raw:
        yield item if isinstance(item, Choice) else Choice(*item)


class QuerySelectField(admin_fields.QuerySelectField):
    def iter_choices(self) -> Iterator[Choice]:  # type: ignore[override]
        return _choices(super().iter_choices())


class QuerySelectMultipleField(admin_fields.QuerySelectMultipleField):
    def iter_choices(self) -> Iterator[Choice]:  # type: ignore[override]
        return _choices(super().iter_choices())
