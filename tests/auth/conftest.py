"""Fixtures of the auth tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from coordination.extensions import db


@pytest.fixture(scope="session")
def app(app: Flask) -> Iterator[Flask]:
    """The suite's app, its pooled connection closed at the end.

    test_csrf builds a second app; the extensions then drop their reference to this one, which is
    collected with an open PostgreSQL connection before pytest finishes, and pytest reports it.
    """
    yield app
    with app.app_context():
        db.engine.dispose()
