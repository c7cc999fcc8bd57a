"""Tests that change the calendar's table forget the cached calendar when they end.

The suite rolls each test back on the connection, out of the session's sight: without this, the next test
would still see the rolled-back days in this process's cached calendar.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from coordination.workdays.calendar import invalidate


@pytest.fixture(autouse=True)
def _forget_the_calendar() -> Iterator[None]:
    invalidate()
    yield
    invalidate()
