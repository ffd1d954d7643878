"""Sanctions and eligibility screening service.

`from screening import lookup, compare` — the registration-time screen and the pairwise scorer
(screening.registration, screening.matching); imported lazily so `import screening` stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["compare", "lookup"]


def __getattr__(name: str) -> Any:
    if name == "lookup":
        from screening.registration import lookup

        return lookup
    if name == "compare":
        from screening.matching.pairwise import compare

        return compare
    raise AttributeError(f"module 'screening' has no attribute {name!r}")
