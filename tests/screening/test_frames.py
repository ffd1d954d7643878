"""The DataFrame API: the same accounts as a file, a polars, pandas or Arrow frame give the same results,
each in the caller's kind; unreadable rows are refused unless skipped, and then reported by import."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import screening
from screening import exc
from tests.conftest import build_snapshot_store

ACCOUNTS = pl.DataFrame({
    "account_id": ["A1", "A2", "A3", "A4"],
    "subject_type": ["person", "person", "person", "organization"],
    "name": ["Eric Badege", "王小明", "Gaston Iyamuremye", "北京晨光科技有限公司"],
    "birth_date": [None, "1990-03-07", None, None],
    "country": ["CD", "CN", "RW", "CN"],
})
KINDS = {
    "polars": (lambda df, _: df, pl.DataFrame),
    "lazy": (lambda df, _: df.lazy(), pl.DataFrame),
    "pandas": (lambda df, _: df.to_pandas(), pd.DataFrame),
    "arrow": (lambda df, _: df.to_arrow(), pa.Table),
    "path": (lambda df, tmp: _written(df, tmp / "accounts.csv"), pl.DataFrame),
}


def _written(df: pl.DataFrame, path: Path) -> Path:
    df.write_csv(path)
    return path


def _polars(frame: object) -> pl.DataFrame:
    if isinstance(frame, pd.DataFrame):
        return pl.from_pandas(frame)
    if isinstance(frame, pa.Table):
        return pl.from_arrow(frame)  # type: ignore[return-value]
    assert isinstance(frame, pl.DataFrame)
    return frame


@pytest.fixture(scope="module")
def lists_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot_store(tmp_path_factory.mktemp("frames") / "lists.duckdb", ("un_sc",), match_index=True)


@pytest.fixture
def db(lists_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copy(lists_db, path)
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_screen_answers_in_the_callers_kind(kind: str, db: Path, tmp_path: Path) -> None:
    make, expected_type = KINDS[kind]
    hits = screening.screen(make(ACCOUNTS, tmp_path), db=db)
    assert type(hits) is expected_type
    hits = _polars(hits)
    # the two UN-listed persons are hit on their own entries; the others are clean
    assert set(hits["account_id"]) == {"A1", "A3"}
    assert set(hits.filter(pl.col("account_id") == "A1")["entry_name"].str.to_uppercase()) >= {"ERIC BADEGE"}
    assert hits["run_id"].n_unique() == 1 and hits["run_id"][0] is not None


def test_every_kind_gives_the_same_hits(db: Path, tmp_path: Path) -> None:
    runs = [_polars(screening.screen(make(ACCOUNTS, tmp_path), db=db)).drop("run_id") for make, _ in KINDS.values()]
    assert all(run.equals(runs[0]) for run in runs[1:])


@pytest.mark.parametrize("kind", ["polars", "pandas", "arrow"])
def test_eligibility_answers_in_the_callers_kind(kind: str, db: Path, tmp_path: Path) -> None:
    make, expected_type = KINDS[kind]
    results = screening.check_eligibility(make(ACCOUNTS, tmp_path), db=db, as_of=dt.date(2026, 1, 1))
    assert type(results) is expected_type
    results = _polars(results)
    assert results["account_id"].to_list() == ["A1", "A2", "A3", "A4"]
    assert set(results["status"]) <= {"eligible", "review", "ineligible"}
    assert results["run_id"].n_unique() == 1


BAD = pl.concat([ACCOUNTS, pl.DataFrame({"account_id": ["A5", "A1"], "subject_type": ["martian", "person"],
                                         "name": ["X", "Eric Badege"], "birth_date": [None, None],
                                         "country": [None, None]})])


@pytest.mark.parametrize("kind", ["polars", "pandas", "arrow"])
def test_import_reports_every_row(kind: str, db: Path, tmp_path: Path) -> None:
    make, expected_type = KINDS[kind]
    outcome = screening.import_accounts(make(BAD, tmp_path), db=db)
    assert type(outcome) is expected_type
    outcome = _polars(outcome)
    assert outcome["row"].to_list() == [1, 2, 3, 4, 5, 6]
    assert outcome["imported"].to_list() == [True, True, True, True, False, False]
    assert outcome["account_id"].to_list() == ["A1", "A2", "A3", "A4", "A5", "A1"]
    assert "duplicate account_id" in outcome["reason"][5]
    assert outcome["reason"][:4].null_count() == 4 and outcome["import_id"].n_unique() == 1


def test_unreadable_rows_are_refused_unless_skipped(db: Path) -> None:
    with pytest.raises(exc.InputError, match=r"2 account row\(s\) cannot be read \(row 5: .*subject_type"):
        screening.screen(BAD.to_pandas(), db=db)
    with pytest.raises(exc.InputError):
        screening.check_eligibility(BAD, db=db)
    hits = screening.screen(BAD.to_pandas(), db=db, skip_bad_rows=True)
    assert set(hits["account_id"]) == {"A1", "A3"}


def test_anything_else_is_a_usage_error(db: Path) -> None:
    with pytest.raises(exc.UsageError, match="not dict"):
        screening.screen({"account_id": ["A1"]}, db=db)  # type: ignore[arg-type]
