"""Text from the store made safe to show: names and list text are hostile.

Jinja2's autoescape stops markup; this removes what escaping does not: control characters, bidi
overrides and isolates (which reorder what an officer reads: "Trojan Source"), and ID numbers typed into
free text (a name field holding a resident ID), which are masked as the store masks them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0/C1 controls except tab/newline handled below, bidi embeddings/overrides/isolates and marks,
# zero-width and other invisible format characters.
_INVISIBLE = re.compile(
    "[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_SPACES = re.compile(r"[\t\n\r\u2028\u2029]+")
# A resident ID (18 characters, the last may be X; or the old 15 digits), a unified social credit
# code, or any other run of 12+ digits: kept as the first 6 and last 4 characters.
_ID_LIKE = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{17}[\dXx]|\d{15}|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}|\d{12,})(?![0-9A-Za-z])"
)
MAX_CHARS = 200


def mask_ids(text: str) -> str:
    """Mask every ID-number-like run in `text` (first 6 and last 4 characters kept)."""
    return _ID_LIKE.sub(lambda m: m.group(0)[:6] + "*" * (len(m.group(0)) - 10) + m.group(0)[-4:], text)


def clean_text(value: Any, max_chars: int = MAX_CHARS) -> Any:
    """A string safe to display: NFC, no invisible or bidi controls, IDs masked, bounded length.

    Non-strings pass through unchanged (numbers, dates, None)."""
    if not isinstance(value, str):
        return value
    text = _INVISIBLE.sub("", unicodedata.normalize("NFC", value))
    text = mask_ids(_SPACES.sub(" ", text)).strip()
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def clean_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`clean_text` over every value of every row."""
    return [{k: clean_text(v) for k, v in row.items()} for row in rows]
