"""schemathesis against every documented operation, as an office user: no 5xx, answers as documented.

Examples are derandomized and few per operation (the suite stays fast and repeatable); `bench/fuzz.py`
runs longer, once per role. The database is the test's savepoint: whatever the examples write is
rolled back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def fuzz(app, issue: Callable[[], str], *, examples: int) -> tuple[Counter[int], list[str]]:  # type: ignore[no-untyped-def]
    """Run every operation's examples; (statuses answered, one line per failure found)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    token = issue()
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal token
            response = case.call(headers={"Authorization": f"Bearer {token}"})
            statuses[response.status_code] += 1
            if case.operation.label == "DELETE /api/v1/tokens/current" and response.status_code == 204:
                token = issue()  # the example revoked the token it came with
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as error:  # every failure is collected, reported at the end
                failures.append(f"{case.operation.label}: {response.status_code}: {str(error).splitlines()[0][:200]}")

        run()
    return statuses, failures


def test_every_operation_keeps_its_contract(app, issue_token, store_dir):  # type: ignore[no-untyped-def]
    statuses, failures = fuzz(app, lambda: issue_token("office.tayninh"), examples=5)
    assert statuses[401] < 10  # the examples got past authentication (a bad token is one example's own choice)
    assert sum(statuses.values()) > 150
    assert failures == []
