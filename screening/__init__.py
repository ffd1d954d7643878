"""Sanctions and eligibility screening service.

`from screening import lookup, compare, screen_accounts` — the registration-time screen
(screening.registration), the pairwise scorer (screening.matching) and the batch run (screening.runs);
`from screening import import_accounts, screen, check_eligibility` — the DataFrame API over a whole
account base (screening.frames). Imported lazily so `import screening` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name → module that defines it
_PUBLIC = {
    "lookup": "screening.registration",
    "compare": "screening.matching.pairwise",
    "screen_accounts": "screening.runs",
    "import_accounts": "screening.frames",
    "screen": "screening.frames",
    "check_eligibility": "screening.frames",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'screening' has no attribute {name!r}")
