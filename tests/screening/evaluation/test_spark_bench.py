"""The Spark bench's own parts that need no Spark: accounts written in bounded Parquet files and the
scaling note (measured speed-up, Amdahl extrapolation labelled)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from screening.evaluation.spark_bench import scaling_note, write_accounts


def test_accounts_are_written_in_bounded_files_with_unique_ids(tmp_path: Path) -> None:
    paths = write_accounts(tmp_path / "acc", 2_500, seed=3, profile="distinct", chunk=1_000)
    sizes = [pl.scan_parquet(p).select(pl.len()).collect().item() for p in paths]
    assert sizes == [1_000, 1_000, 500]
    accounts = pl.read_parquet(tmp_path / "acc" / "*.parquet")
    assert accounts["account_id"].n_unique() == 2_500
    assert accounts["name"].null_count() == 0
    assert accounts["name"].n_unique() > 2_400  # the distinct profile: files are not copies of each other


def _row(cores: int, seconds: float, n: int = 1_000_000) -> dict:
    return {"engine": "spark", "master": f"local[{cores}]", "cores": cores, "accounts": n, "wall_s": seconds}


def test_scaling_note_reports_the_measured_speedup_and_labels_the_extrapolation() -> None:
    rows = [{"engine": "local", "cores": 2, "accounts": 1_000_000, "wall_s": 50.0},
            _row(1, 20.0, n=1_000), _row(2, 19.0, n=1_000),  # a smaller size: not the one the note uses
            _row(1, 100.0), _row(2, 60.0)]
    note = scaling_note(rows, (1, 2))
    assert "×1.67 on 1,000,000 accounts" in note and "efficiency 83%" in note
    # the part that did not spread: 60 = 100 · (s + (1 − s) / 2) → s = 0.2; at 8 cores 100 · (0.2 + 0.1) = 30 s
    assert "did not spread: 20%" in note
    assert f"8 cores ≈ {1_000_000 / 30:,.0f} accounts/s" in note
    assert "EXTRAPOLATED, not measured" in note
    assert scaling_note(rows, (1,)) == ""


def test_no_extrapolation_from_a_speedup_that_is_not_one() -> None:
    note = scaling_note([_row(1, 100.0, n=20_000), _row(2, 110.0, n=20_000)], (1, 2))
    assert "too little to extrapolate" in note and "EXTRAPOLATED" not in note


def test_spark_cores_must_be_core_counts(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from screening.cli import main

    for bad in ("x", "0", "1,two", ""):
        result = CliRunner().invoke(main, ["--db", str(tmp_path / "s.duckdb"), "bench", "--engine", "spark",
                                           "--spark-cores", bad])
        assert result.exit_code == 2 and "--spark-cores" in result.output, (bad, result.output)
        assert not (tmp_path / "s.duckdb").exists()  # refused before any store is opened
