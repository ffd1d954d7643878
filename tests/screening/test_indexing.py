"""A crash between a version's commit and its match-index build is repaired by the next load, refresh or
screen (the store is left as the crash leaves it: the version in force, no index rows for it)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from lists import get_spec
from lists.refresh import snapshot_manifest
from lists.store import load_version
from screening.cli import main
from screening.matching.index_store import missing_versions
from screening.store import connect

UN_FILE = snapshot_manifest()["un_sc"].path


@pytest.fixture
def crashed(tmp_path: Path) -> Path:
    """A store where the UN version was committed and the process died before the index build."""
    db = tmp_path / "s.duckdb"
    con = connect(db)
    load_version(con, get_spec("un_sc"), UN_FILE)
    assert missing_versions(con) != []
    con.close()
    return db


def _missing(db: Path) -> list[int]:
    con = connect(db)
    try:
        return missing_versions(con)
    finally:
        con.close()


def test_the_next_load_repairs_it(crashed: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(crashed), "lists", "load", "un_sc", str(UN_FILE)])
    assert result.exit_code == 0 and "unchanged" in result.output and "match index ready" in result.output
    assert _missing(crashed) == []


def test_the_next_refresh_repairs_it(crashed: Path) -> None:
    result = CliRunner().invoke(main, ["--db", str(crashed), "lists", "refresh", "--offline", "--source", "un_sc"])
    assert result.exit_code == 0, result.output
    assert _missing(crashed) == []


def test_the_next_screen_repairs_it(crashed: Path, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    pl.DataFrame({"account_id": ["a1"], "subject_type": ["person"], "name": ["Zhang Xiuying"]}).write_csv(accounts)
    result = CliRunner().invoke(main, ["--db", str(crashed), "screen", "--accounts", str(accounts), "--json"])
    assert result.exit_code == 0, result.output
    assert _missing(crashed) == []
