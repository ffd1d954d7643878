"""Sanctions and eligibility screening service.

`from screening import lookup, compare, screen_accounts` — the registration-time screen, the pairwise
scorer (see screening.matching) and the batch run (screening.runs); imported lazily so `import
screening` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["compare", "lookup", "screen_accounts"]


def __getattr__(name: str) -> Any:
    if name in ("lookup", "compare"):
        import screening.matching as matching

        return getattr(matching, name)
    if name == "screen_accounts":
        from screening.runs import screen_accounts

        return screen_accounts
    raise AttributeError(f"module 'screening' has no attribute {name!r}")
