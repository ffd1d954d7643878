"""The shared reader of "one row per name, rows grouped by party id" sheets (OFSI, DFAT)."""

from __future__ import annotations

import pytest

from lists.grouped import distinct, group_rows, split_header
from lists.model import Quarantined
from lists.parsing import ListFormatError

ROWS = [["Last Updated", "01/02/2025", ""], ["Name", "Group ID", "DOB"], ["A", "1", "1970"], ["B", "1"], ["C", "", "x"]]


def test_header_found_below_a_title_and_rows_padded() -> None:
    preamble, header, body = split_header(ROWS, ("Name", "Group ID"), "Group ID", "a test list", str)
    assert preamble == [ROWS[0]] and header == ["Name", "Group ID", "DOB"]
    assert body == [["A", "1", "1970"], ["B", "1", ""], ["C", "", "x"]]


def test_missing_columns_are_named_against_the_likeliest_header() -> None:
    with pytest.raises(ListFormatError, match=r"not a test list: missing columns \['Party'\]"):
        split_header(ROWS, ("Name", "DOB", "Group ID"), "Party", "a test list", str)
    with pytest.raises(ListFormatError, match=r"missing columns \['Party', 'Group'\]"):
        split_header(ROWS, ("Name", "Party", "DOB"), "Group", "a test list", str)
    with pytest.raises(ListFormatError, match=r"missing columns \['Listed'\]"):
        split_header(ROWS, ("Name", "Listed"), "Group ID", "a test list", str)


def test_rows_grouped_in_order_and_keyless_rows_quarantined() -> None:
    _, header, body = split_header(ROWS, ("Name",), "Group ID", "a test list", str)
    quarantine: list[Quarantined] = []
    groups = group_rows((dict(zip(header, r)) for r in body), lambda r: r["Group ID"] or None,
                        lambda r: "no id", lambda r: r["Name"], quarantine)
    assert {k: [r["Name"] for r in v] for k, v in groups.items()} == {"1": ["A", "B"]}
    assert quarantine == [Quarantined("no id", "C")]
    assert distinct([" a ", "b", "a", "", "b "]) == ["a", "b"]
