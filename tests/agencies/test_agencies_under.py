"""agencies_under: an agency and everything below it, from a parent map."""

from __future__ import annotations

from coordination.agencies.queries import agencies_under


def test_below_and_not_beside() -> None:
    #  1 ─ 2 ─ 4        5 (another province)   6 ⇄ 7 (a cycle in bad data)
    #    └ 3
    parents = {1: None, 2: 1, 3: 1, 4: 2, 5: None, 6: 7, 7: 6}
    assert agencies_under(1, parents) == {1, 2, 3, 4}
    assert agencies_under(2, parents) == {2, 4}
    assert agencies_under(5, parents) == {5}
    assert agencies_under(6, parents) == {6, 7}
