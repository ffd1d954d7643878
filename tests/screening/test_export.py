"""Exports: spreadsheet formulas in untrusted names are neutralised in CSV, kept verbatim elsewhere."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from screening.exc import UsageError
from screening.export import write_table

ROWS = pl.DataFrame({
    "account_id": ["A1", "A2", "A3", "A4"],
    "name": ['=HYPERLINK("http://x","click")', "+1 Trading", "Ordinary Name", "@SUM(A1:A2)"],
    "score": [0.9, 0.8, 0.7, 0.6],
})


def test_csv_cells_that_start_a_formula_are_prefixed(tmp_path: Path) -> None:
    written = pl.read_csv(write_table(ROWS, tmp_path / "hits.csv"))
    assert written["name"].to_list() == ["'=HYPERLINK(\"http://x\",\"click\")", "'+1 Trading", "Ordinary Name",
                                         "'@SUM(A1:A2)"]
    assert written["score"].to_list() == [0.9, 0.8, 0.7, 0.6]


def test_parquet_and_jsonl_keep_values(tmp_path: Path) -> None:
    assert pl.read_parquet(write_table(ROWS, tmp_path / "hits.parquet")).equals(ROWS)
    assert pl.read_ndjson(write_table(ROWS, tmp_path / "hits.jsonl"))["name"].to_list() == ROWS["name"].to_list()


def test_an_unwritable_path_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(UsageError, match="cannot write .*taken"):
        write_table(ROWS, tmp_path / "taken")
