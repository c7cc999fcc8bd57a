"""The demo's directive numbers, for the report tests."""

from __future__ import annotations

REF_2157 = "2157/UBND-KSTT"
REF_570 = "570/UBND-CA"
