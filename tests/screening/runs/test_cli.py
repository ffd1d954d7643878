"""`screening screen` on the snapshot store: the run summary, the hits file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from screening.cli import Context
from screening.runs.cli import screen_command


def test_screen_command_writes_hits(store: Path, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    pl.DataFrame({"account_id": ["a1", "a2"], "subject_type": ["person", "person"],
                  "name": ["Igor Ivanovich Sechin", "Zhang Xiuying"], "birth_date": ["1960-09-07", "1985-03-03"]}
                 ).write_csv(accounts)
    out = tmp_path / "hits.parquet"
    result = CliRunner().invoke(screen_command, ["--accounts", str(accounts), "--out", str(out), "--json"],
                                obj=Context(store))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["accounts"] == 2 and summary["run_id"] >= 1
    hits = pl.read_parquet(out)
    assert set(hits["account_id"]) == {"a1"}
