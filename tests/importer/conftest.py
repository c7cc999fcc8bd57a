"""The API fixtures (a bearer-token client per demo user) for the import tests."""

from tests.api.conftest import api, issue_token

__all__ = ["api", "issue_token"]
