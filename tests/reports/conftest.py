"""Report fixtures: the API client of tests/api, and the demo's directive numbers."""

from __future__ import annotations

from tests.api.conftest import api, issue_token  # noqa: F401 - fixtures shared with the API tests

REF_2157 = "2157/UBND-KSTT"
REF_570 = "570/UBND-CA"
