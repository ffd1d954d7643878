"""Sanctions and eligibility screening service.

`from screening import lookup, compare, screen_accounts` — the registration-time screen
(screening.registration), the pairwise scorer (screening.matching) and the batch run (screening.runs);
imported lazily so `import screening` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["compare", "lookup", "screen_accounts"]


def __getattr__(name: str) -> Any:
    if name == "lookup":
        from screening.registration import lookup

        return lookup
    if name == "compare":
        from screening.matching.pairwise import compare

        return compare
    if name == "screen_accounts":
        from screening.runs import screen_accounts

        return screen_accounts
    raise AttributeError(f"module 'screening' has no attribute {name!r}")
