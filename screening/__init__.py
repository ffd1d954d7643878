"""Sanctions and eligibility screening service.

`from screening import lookup, compare` — the registration-time screen and the pairwise scorer
(see screening.matching); imported lazily so `import screening` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["compare", "lookup"]


def __getattr__(name: str) -> Any:
    if name in ("lookup", "compare"):
        import screening.matching as matching

        return getattr(matching, name)
    raise AttributeError(f"module 'screening' has no attribute {name!r}")
