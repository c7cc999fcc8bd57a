"""Report fixtures: the API client of tests/api, and shortcuts to the demo's directives and assignments."""

from __future__ import annotations

import sqlalchemy as sa

from coordination.agencies.models import Agency
from coordination.assignments.models import Assignment
from coordination.directives.models import Directive, Task
from coordination.extensions import db
from tests.api.conftest import api, issue_token  # noqa: F401 - fixtures shared with the API tests

REF_2157 = "2157/UBND-KSTT"
REF_570 = "570/UBND-CA"


def directive(ref: str) -> Directive:
    found = db.session.scalar(sa.select(Directive).where(Directive.ref == ref))
    assert found is not None, ref
    return found


def assignment(ref: str, label: str, code: str) -> Assignment:
    """The assignment of the top-level task `label` of `ref` to the agency `code`."""
    found = db.session.scalar(
        sa.select(Assignment)
        .join(Task, Task.id == Assignment.task_id)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Agency, Agency.id == Assignment.agency_id)
        .where(Directive.ref == ref, Task.label == label, Task.parent_id.is_(None), Agency.code == code)
    )
    assert found is not None, (ref, label, code)
    return found
