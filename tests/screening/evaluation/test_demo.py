"""The demo (main job) on a small store: it screens, finds planted entries and writes the hits file."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from screening.cli import Context
from screening.evaluation.cli import demo_command
from screening.store import connect


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lists.refresh import refresh

    path = tmp_path_factory.mktemp("demo-store") / "store.duckdb"
    con = connect(path)
    assert all(o.status == "loaded" for o in refresh(con, ["un_sc", "cn_sanctions"], offline=True, raw_dir=None))
    con.close()
    return path


def test_demo_small(small_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "screening.duckdb"
    shutil.copyfile(small_store, db)
    result = CliRunner().invoke(demo_command, ["--accounts", "600", "--plant", "20", "--seed", "3"], obj=Context(db))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "DATED SNAPSHOTS" in out  # the bundled lists are labelled as dated
    assert "Planted entries found" in out and "Top hits" in out
    hits_file = tmp_path / "demo_hits.csv"
    assert f"Hits file: {hits_file}" in out
    hits = pl.read_csv(hits_file)
    accounts = pl.read_csv(tmp_path / "demo_accounts.csv")
    assert accounts.height == 600
    planted = accounts.filter(pl.col("planted_source").is_not_null())
    assert planted.height == 20
    # most planted accounts are hit on their own entry (exact recall targets are the eval's job)
    own = planted.join(hits, left_on=["account_id", "planted_source", "planted_source_id"],
                       right_on=["account_id", "source", "source_id"], how="semi")
    assert own.height >= 15
