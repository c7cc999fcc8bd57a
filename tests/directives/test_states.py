"""The directive's lifecycle table: which changes are allowed, and what each status allows."""

from __future__ import annotations

import pytest

from coordination.directives.models import DirectiveStatus
from coordination.directives.states import (
    DirectiveAction,
    DirectiveTransitionError,
    can_activate,
    can_amend,
    can_close,
    can_edit_structure,
    is_published,
    next_directive_status,
)

D, A, C = DirectiveStatus.draft, DirectiveStatus.active, DirectiveStatus.closed


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        (D, "activate", A),
        (D, "close", None),
        (A, "activate", None),
        (A, "close", C),
        (C, "activate", None),
        (C, "close", None),
    ],
)
def test_transitions(status: DirectiveStatus, action: str, expected: DirectiveStatus | None) -> None:
    if expected is None:
        with pytest.raises(DirectiveTransitionError):
            next_directive_status(action, status)
    else:
        assert next_directive_status(DirectiveAction(action), status) == expected


#: status -> (activate, close, edit the whole structure, amend, published)
ALLOWS = {
    "draft": (True, False, True, True, False),
    "active": (False, True, False, True, True),
    "closed": (False, False, False, False, True),
}


@pytest.mark.parametrize("status", list(ALLOWS))
def test_what_each_status_allows(status: str) -> None:
    got = (can_activate(status), can_close(status), can_edit_structure(status), can_amend(status), is_published(status))
    assert got == ALLOWS[status]


def test_an_unknown_action_or_status_is_refused() -> None:
    with pytest.raises(DirectiveTransitionError):
        next_directive_status("reopen", "closed")
    with pytest.raises(ValueError):
        can_close("archived")
