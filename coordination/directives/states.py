"""The lifecycle of a directive: draft → active → closed, and what each state allows.

The status changes only through `next_directive_status()`; operations, views and templates ask the
predicates below rather than comparing status strings.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from coordination.directives.models import DirectiveStatus


class DirectiveAction(enum.StrEnum):
    activate = "activate"
    close = "close"


#: the only allowed changes of a directive's status
TRANSITIONS: dict[tuple[DirectiveStatus, DirectiveAction], DirectiveStatus] = {
    (DirectiveStatus.draft, DirectiveAction.activate): DirectiveStatus.active,
    (DirectiveStatus.active, DirectiveAction.close): DirectiveStatus.closed,
}


class Allows(NamedTuple):
    #: edited as a whole (header and the task list replaced at once): only before agencies see it
    edit_structure: bool
    #: changed at all (a task added or edited, an agency assigned or removed)
    amend: bool
    #: agencies see it and its clock runs
    published: bool


RULES: dict[DirectiveStatus, Allows] = {
    DirectiveStatus.draft: Allows(edit_structure=True, amend=True, published=False),
    DirectiveStatus.active: Allows(edit_structure=False, amend=True, published=True),
    DirectiveStatus.closed: Allows(edit_structure=False, amend=False, published=True),
}


class DirectiveTransitionError(ValueError):
    """The action is not allowed from the directive's status."""


def next_directive_status(action: DirectiveAction | str, status: DirectiveStatus | str) -> DirectiveStatus:
    """Return the status after action, or raise DirectiveTransitionError."""
    try:
        return TRANSITIONS[(DirectiveStatus(status), DirectiveAction(action))]
    except (KeyError, ValueError):
        raise DirectiveTransitionError(f"{action} is not allowed from {status}") from None


def _allows(status: DirectiveStatus | str) -> Allows:
    return RULES[DirectiveStatus(status)]


def can_activate(status: DirectiveStatus | str) -> bool:
    return (DirectiveStatus(status), DirectiveAction.activate) in TRANSITIONS


def can_close(status: DirectiveStatus | str) -> bool:
    return (DirectiveStatus(status), DirectiveAction.close) in TRANSITIONS


def can_edit_structure(status: DirectiveStatus | str) -> bool:
    return _allows(status).edit_structure


def can_amend(status: DirectiveStatus | str) -> bool:
    return _allows(status).amend


def is_published(status: DirectiveStatus | str) -> bool:
    return _allows(status).published
