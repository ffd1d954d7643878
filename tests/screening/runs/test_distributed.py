"""The full rescreen on Spark (local[2]) gives the local engine's hits, and is recorded as one run.

Needs pyspark (the `spark` extra) and Java 17: CI installs both; elsewhere the test is skipped with
the reason. 2,000 synthetic accounts, 120 of them carrying variants of real listed names, against the
bundled UN, OFAC SDN, China and OFSI lists.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import polars as pl
import pytest

from screening.evaluation.planting import plant_matches
from screening.evaluation.synth import synth_accounts
from screening.runs import screen_accounts

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    if os.environ.get("CI") != "true":
        pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install '.[spark]')")
        if shutil.which("java") is None:
            pytest.skip("no Java runtime for Spark")
    from screening.matching.engines.spark import session

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers must run this venv's Python
    s = session("local[2]")
    s.conf.set("spark.sql.shuffle.partitions", "4")
    yield s
    s.stop()


def test_spark_gives_the_local_engines_hits_and_records_the_run(spark, con, tmp_path: Path) -> None:
    from screening.runs.distributed import screen_accounts_spark

    accounts = plant_matches(synth_accounts(2000, 11), con, n=120, seed=11)
    planted = accounts.filter(pl.col("planted_source").is_not_null()).head(3)
    accounts = accounts.select([c for c in accounts.columns if not c.startswith("planted_")])
    # three of them as long names (over MAX_NAME_WORDS words) with the listed name inside: screened in
    # windows of their words by both engines, one hit per account and entry
    filler = " ".join(["trading"] * 20)
    long = planted.select(accounts.columns).with_columns(
        account_id=pl.format("long-{}", pl.col("account_id")),
        name=pl.format("{} {} {}", pl.lit(filler), pl.col("name"), pl.lit(filler)))
    accounts = pl.concat([accounts, long], how="vertical_relaxed")
    path = tmp_path / "accounts.parquet"
    accounts.write_parquet(path)

    local = screen_accounts(con, accounts, min_score=0.63, store=False)
    distributed = screen_accounts_spark(con, str(path), min_score=0.63, partitions=4,
                                        snapshot_root=tmp_path / "index")

    def keyed(hits: pl.DataFrame) -> dict[tuple[str, str, str], float]:
        return {(a, s, i): sc for a, s, i, sc in hits.select("account_id", "source", "source_id", "score").iter_rows()}

    local_hits, spark_hits = keyed(local.hits), keyed(distributed.hits)
    assert len(local_hits) >= 100  # the planted names hit
    assert spark_hits.keys() == local_hits.keys()
    assert max(abs(spark_hits[k] - local_hits[k]) for k in local_hits) <= 1e-6
    assert distributed.population == local.population == 2003
    assert any(a.startswith("long-") for a, _, _ in spark_hits)

    run = con.execute("""SELECT kind, status, engine, engine_info, population, population_sha256, hits, config_hash
                         FROM screening_runs WHERE run_id = ?""", [distributed.run_id]).fetchall()[0]
    kind, status, engine, info, population, pop_hash, n_hits, config_hash = run
    assert (kind, status, engine, population) == ("full", "finished", "spark", 2003)
    info = json.loads(info)
    assert info["spark_version"] == spark.version and info["partitions"] == 4
    assert info["master"].startswith("local")
    assert config_hash == local.config_hash
    assert n_hits == con.execute("SELECT count(*) FROM screening_hits WHERE run_id = ?",
                                 [distributed.run_id]).fetchall()[0][0] > 0
    import hashlib

    expected = hashlib.sha256("\n".join(sorted(accounts["account_id"].to_list())).encode()).hexdigest()
    assert pop_hash == expected
    versions = con.execute("SELECT source, version_id FROM screening_run_versions WHERE run_id = ?",
                           [distributed.run_id]).fetchall()
    assert {s for s, _ in versions} == {v["source"] for v in local.list_versions}


def test_a_delta_on_spark_covers_only_the_given_entries(spark, con, tmp_path: Path) -> None:
    from screening.runs.distributed import screen_accounts_spark

    accounts = plant_matches(synth_accounts(300, 5), con, n=40, seed=5, sources=["un_sc"])
    entries = accounts.filter(pl.col("planted_source").is_not_null()).select(
        pl.col("planted_source").alias("source"), pl.col("planted_source_id").alias("source_id")).head(5)
    path = tmp_path / "accounts.parquet"
    accounts.select([c for c in accounts.columns if not c.startswith("planted_")]).write_parquet(path)
    pairs = list(entries.iter_rows())
    result = screen_accounts_spark(con, str(path), kind="delta", min_score=0.63, entries=pairs, partitions=2,
                                   snapshot_root=tmp_path / "index")
    assert result.hits.height > 0
    assert set(result.hits.select("source", "source_id").iter_rows()) <= set(pairs)


def test_screen_command_on_spark_reads_the_file_fail_closed(spark, store: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from screening.cli import main

    path = tmp_path / "accounts.csv"
    path.write_text("account_id,subject_type,name,birth_date\n"
                    "a1,person,Igor Ivanovich Sechin,1960-09-07\n"
                    "a2,person,Zhang Xiuying,1985-03-03\n"
                    "a3,person,🙂 ★,\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(store), "screen", "--accounts", str(path), "--engine", "spark",
                                       "--partitions", "2", "--json"])
    assert result.exit_code == 10, result.output  # a3 could not be screened
    summary = json.loads(result.stdout)
    assert [u["account_id"] for u in summary["unscreened"]] == ["a3"]
    from screening.store import connect

    con = connect(store)
    engine, population = con.execute("SELECT engine, population FROM screening_runs WHERE run_id = ?",
                                     [summary["run_id"]]).fetchall()[0]
    hit_accounts = {r[0] for r in con.execute("SELECT account_id FROM screening_hits WHERE run_id = ?",
                                              [summary["run_id"]]).fetchall()}
    unscreened = con.execute("SELECT account_id FROM screening_unscreened WHERE run_id = ?",
                             [summary["run_id"]]).fetchall()
    assert (engine, population) == ("spark", 2) and "a1" in hit_accounts and unscreened == [("a3",)]
