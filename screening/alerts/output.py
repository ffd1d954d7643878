"""What the workflow writes for people and the platform. Names and free text come from hostile
sources (list files, registrations): they go through `clean` (no control, bidi or zero-width
characters) and CSV cells through screening.export's formula neutralising."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import polars as pl

from screening.export import write_table

# control (Cc), format incl. bidi overrides and zero-width characters (Cf), line/paragraph separators
_DROP = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}


def clean(text: object) -> str:
    """Text without control, bidi, zero-width or unassigned characters; whitespace collapsed."""
    if text is None:
        return ""
    s = str(text)
    return " ".join("".join(" " if c in "\t\r\n" else c for c in s if c in "\t\r\n"
                            or unicodedata.category(c) not in _DROP).split())


def write_records(records: list[dict[str, Any]], out: Path | str, columns: list[str]) -> None:
    """JSON (a list, `.json`) or a table by extension (CSV with formulas neutralised, Parquet, JSON lines)."""
    out = Path(out)
    if out.suffix.lower() == ".json":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(records, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        return
    rows = [{c: None if r[c] is None else str(r[c]) for c in columns} for r in records]
    write_table(pl.DataFrame(rows, schema={c: pl.String for c in columns}), out)
