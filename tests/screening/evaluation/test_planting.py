"""Planted matches: labels are consistent with the list store and with the changed rows."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from screening.accounts import normalise_accounts
from screening.evaluation.planting import LABEL_COLUMNS, plant_matches, planted_recall
from screening.evaluation.synth import synth_accounts
from screening.evaluation.variants import VARIATIONS_BY_KEY


def _base(n: int = 400) -> pl.DataFrame:
    return normalise_accounts(synth_accounts(n, 11)).accounts


def test_planting_labels_match_the_store_and_the_changed_rows(con: duckdb.DuckDBPyConnection) -> None:
    base = _base()
    out = plant_matches(base, con, n=40, seed=5)
    assert out.height == base.height
    assert out.columns == base.columns + list(LABEL_COLUMNS)
    assert out["account_id"].to_list() == base["account_id"].to_list()  # order and ids kept
    planted = out.filter(pl.col("planted_source").is_not_null())
    assert planted.height == 40
    # every label names an entry in force, of the account's subject type
    entries = con.sql("SELECT source, source_id, subject_type FROM current_entries").pl()
    joined = planted.join(entries, left_on=["planted_source", "planted_source_id"], right_on=["source", "source_id"],
                          how="left", suffix="_entry")
    assert joined["subject_type_entry"].null_count() == 0
    assert (joined["subject_type"] == joined["subject_type_entry"]).all()
    # variations are positive types from the table
    for key in planted["planted_variation"].unique():
        assert VARIATIONS_BY_KEY[key].expected in ("must_hit", "should_hit")
    # untouched rows are byte-identical to the input; planted rows changed their name
    untouched = out.filter(pl.col("planted_source").is_null()).drop(LABEL_COLUMNS)
    assert untouched.equals(base.filter(pl.col("account_id").is_in(untouched["account_id"].implode())))
    before = dict(zip(base["account_id"], base["name"], strict=True))
    changed = sum(before[a] != n for a, n in zip(planted["account_id"], planted["name"], strict=True))
    assert changed == planted.height


def test_planted_exact_names_are_list_names(con: duckdb.DuckDBPyConnection) -> None:
    out = plant_matches(_base(), con, n=60, seed=9, types=["exact"])
    planted = out.filter(pl.col("planted_source").is_not_null())
    names = con.sql("SELECT source, source_id, name FROM current_names").pl()
    found = planted.join(names, left_on=["planted_source", "planted_source_id", "name"],
                         right_on=["source", "source_id", "name"], how="semi")
    assert found.height == planted.height > 0


def test_planting_is_deterministic(con: duckdb.DuckDBPyConnection) -> None:
    base = _base()
    assert plant_matches(base, con, n=25, seed=1).equals(plant_matches(base, con, n=25, seed=1))
    assert not plant_matches(base, con, n=25, seed=1).equals(plant_matches(base, con, n=25, seed=2))


def test_planted_recall_counts_own_entry_hits_only() -> None:
    accounts = pl.DataFrame({
        "account_id": ["a", "b", "c"],
        "planted_source": ["un_sc", "un_sc", None],
        "planted_source_id": ["X", "Y", None],
        "planted_variation": ["exact", "exact", None],
    })
    hits = pl.DataFrame({"account_id": ["a", "b", "c"], "source": ["un_sc", "un_sc", "un_sc"],
                         "source_id": ["X", "Z", "X"], "score": [0.9, 0.95, 0.99]})
    out = planted_recall(accounts, hits, 0.8).to_dicts()
    assert out == [{"planted_variation": "exact", "planted": 2, "found": 1}]


def test_plant_command_writes_a_labelled_file(store_copy, tmp_path) -> None:
    from click.testing import CliRunner

    from screening.cli import Context
    from screening.evaluation.cli import eval_group

    out = tmp_path / "planted.csv"
    result = CliRunner().invoke(eval_group, ["plant", "--synth", "300", "-n", "12", "--seed", "4", "--out", str(out)],
                                obj=Context(store_copy))
    assert result.exit_code == 0, result.output
    df = pl.read_csv(out, infer_schema_length=0)
    assert df.height == 300 and df.filter(pl.col("planted_source").is_not_null()).height == 12


def test_planted_persons_never_contradict_the_listed_birth_date(con: duckdb.DuckDBPyConnection) -> None:
    out = plant_matches(_base(600), con, n=80, seed=21)
    planted = out.filter(pl.col("planted_source").is_not_null() & (pl.col("subject_type") == "person"))
    dobs = con.sql("SELECT source, source_id, min(date_from) AS lo, max(coalesce(date_to, date_from)) AS hi "
                   "FROM current_birth_dates GROUP BY ALL").pl()
    joined = planted.join(dobs, left_on=["planted_source", "planted_source_id"], right_on=["source", "source_id"])
    assert joined.height > 10
    declared = joined.filter(pl.col("birth_date").is_not_null())
    assert declared.height > 0
    # a year-only DOB gives a day inside that year; DOB ranges give a day inside the range; the E30
    # variant dob_off_by_one moves an exact DOB one year either way on purpose
    assert declared.filter((pl.col("birth_date") < pl.col("lo").dt.truncate("1y").dt.offset_by("-1y"))
                           | (pl.col("birth_date") > pl.col("hi").dt.offset_by("1y"))).height == 0


def test_accounts_synth_plant_option(store_copy: Path, tmp_path: Path) -> None:
    """`screening accounts synth --plant N` writes a labelled base: N rows carry a real entry's variant."""
    from click.testing import CliRunner

    from screening.cli import main

    out = tmp_path / "planted.parquet"
    result = CliRunner().invoke(main, ["--db", str(store_copy), "accounts", "synth", "--n", "400", "--seed", "3",
                                       "--plant", "12", "--plant-sources", "un_sc", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "12 with planted list entries" in result.output
    df = pl.read_parquet(out)
    planted = df.filter(pl.col("planted_source").is_not_null())
    assert df.height == 400 and planted.height == 12
    assert set(planted["planted_source"]) == {"un_sc"} and planted["planted_variation"].null_count() == 0
    help_text = CliRunner().invoke(main, ["accounts", "synth", "--help"]).output
    assert "--plant" in help_text and "planted_source" in help_text
