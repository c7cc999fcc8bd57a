"""Which new passwords are too weak to accept: short, or common (SecLists' 10,000 most common passwords)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
#: digits and punctuation people append to a word to pass a length rule ("monkey12345!")
_TRAILING = re.compile(r"[\d\W_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """Tell whether `password`, ignoring case and any digits or symbols tacked on the end, is a common one."""
    lowered = password.strip().lower()
    common = common_passwords()
    if lowered in common:
        return True
    stem = _TRAILING.sub("", lowered)
    # A stem of 4+ letters ("monkey", "password") + digits is still a dictionary guess; "abc" + 7 digits is not.
    return len(stem) >= 4 and stem in common
