"""Sheets with one row per name, where a listed party is every row sharing an id (UK OFSI `Group ID`,
Australia DFAT `Reference`): read the first sheet, find the header row, group the rows by party.

Each field of a party is then the set of distinct values over its rows (`distinct`), and because the
rows repeat the same facts (OFSI's are a cross product of names × addresses × dates of birth), a
problem found in them is quarantined once (`parsed`).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from python_calamine import CalamineWorkbook

from lists.model import ListEntry, ParsedList, Quarantined
from lists.parsing import ListFormatError, clean, read_bytes

Cell = TypeVar("Cell")
Row = dict[str, Cell]


def read_workbook(path: Path) -> list[list[object]]:
    """All rows of the first sheet (plain or `.gz`), with calamine's cell types (str, float, date)."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(read_bytes(path)))
    except Exception as exc:  # calamine raises its own error types for non-workbooks
        raise ListFormatError(f"{path.name}: not a readable Excel workbook ({exc})") from exc
    rows: list[list[object]] = book.get_sheet_by_index(0).to_python()
    return rows


def split_header(
    rows: list[list[Cell]], required: Sequence[str], marker: str, what: str, text: Callable[[Cell], str]
) -> tuple[list[list[Cell]], list[str], list[list[Cell]]]:
    """The rows above the header (a title, a date), the header (the first of the top five rows holding
    the `marker` column) and the rows below it, each padded or cut to the header's width. Missing
    required columns raise, named against the likeliest header row when the marker column is missing."""
    top = [[text(c).strip() for c in row] for row in rows[:5]]
    at = next((i for i, cells in enumerate(top) if marker in cells), None)
    likeliest = top[at] if at is not None else max(top, key=lambda h: sum(c in h for c in required), default=[])
    missing = [h for h in dict.fromkeys([*required, marker]) if h not in likeliest]
    if at is None or missing:
        raise ListFormatError(f"not {what}: missing columns {missing}")
    header = top[at]
    width = len(header)
    padding: list[Cell] = [""] * width  # type: ignore[list-item]
    return rows[:at], header, [(list(row) + padding)[:width] for row in rows[at + 1 :]]


def group_rows(
    rows: Iterable[Row[Cell]],
    key: Callable[[Row[Cell]], str | None],
    no_key: Callable[[Row[Cell]], str],
    raw: Callable[[Row[Cell]], str],
    quarantine: list[Quarantined],
) -> dict[str, list[Row[Cell]]]:
    """Rows by party id, in first-seen order; a row without a readable id is quarantined (`no_key` says why)."""
    groups: dict[str, list[Row[Cell]]] = {}
    for row in rows:
        group_id = key(row)
        if group_id is None:
            quarantine.append(Quarantined(no_key(row), raw(row)))
        else:
            groups.setdefault(group_id, []).append(row)
    return groups


def parsed(
    groups: dict[str, list[Row[Cell]]],
    parse_group: Callable[[str, list[Row[Cell]], list[Quarantined]], ListEntry | None],
    quarantine: list[Quarantined],
    publisher_date: dt.date | None,
) -> ParsedList:
    """One entry per readable group; each quarantined item once (the rows repeat each problem)."""
    entries = [e for group_id, rows in groups.items() if (e := parse_group(group_id, rows, quarantine))]
    return ParsedList(entries=entries, publisher_date=publisher_date, quarantine=list(dict.fromkeys(quarantine)))


def distinct(values: Iterable[str]) -> list[str]:
    """Cleaned, non-empty, first-seen order."""
    return list(dict.fromkeys(v for v in (clean(x) for x in dict.fromkeys(values)) if v))  # dedupe raw first: cheap


def raw_row(row: Row[Cell], text: Callable[[Cell], str]) -> str:
    """A row as `column=value` pairs (non-empty cells) for the quarantine."""
    return "; ".join(f"{k}={text(v)}" for k, v in row.items() if k and text(v).strip())
