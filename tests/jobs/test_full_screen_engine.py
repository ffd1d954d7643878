"""screen.full on the engine its configuration names (SCREENING_FULL_SCREEN_ENGINE): Spark gives the
local engine's hits and records the run as a Spark run; an unknown engine fails the job with one line.

The Spark test needs pyspark (the `spark` extra) and Java 17: CI installs both; elsewhere it is skipped
with the reason. The store is the job tests' one (real UN excerpts, seven accounts, tests/jobs/conftest.py).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from jobs.runner import run_job
from screening import settings
from tests.jobs.conftest import UN_2026, load_un
from tests.jobs.test_jobs import _rows


def _hits(db: Path, run_id: int) -> dict[tuple[str, str, str], float]:
    return {(a, s, i): sc for a, s, i, sc in _rows(db, "SELECT account_id, source, source_id, score FROM screening_hits "
                                                       "WHERE run_id = ?", [run_id])}


@pytest.mark.spark
def test_full_screen_on_spark_gives_the_local_hits_and_records_a_spark_run(
        service_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.environ.get("CI") != "true":
        pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install '.[spark]')")
        if shutil.which("java") is None:
            pytest.skip("no Java runtime for Spark")
    load_un(service_db, UN_2026)
    local = run_job("screen.full", service_db)
    assert local.status == "succeeded", local.error

    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # workers must run this venv's Python
    monkeypatch.setenv(settings.FULL_SCREEN_ENGINE_ENV, "spark")
    monkeypatch.setenv(settings.SPARK_MASTER_ENV, "local[2]")
    monkeypatch.setenv(settings.SPARK_PARTITIONS_ENV, "2")
    try:
        spark = run_job("screen.full", service_db)
    finally:
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:
            active.stop()
    assert spark.status == "succeeded", spark.error

    local_hits = _hits(service_db, local.outputs["screening_run_id"])
    spark_hits = _hits(service_db, spark.outputs["screening_run_id"])
    assert {"ADD-1", "ADD-2", "ADD-3", "SAME-1"} <= {a for a, _, _ in spark_hits}
    assert spark_hits.keys() == local_hits.keys()
    assert max(abs(spark_hits[k] - local_hits[k]) for k in local_hits) <= 1e-6
    (engine, info), = _rows(service_db, "SELECT engine, engine_info FROM screening_runs WHERE run_id = ?",
                            [spark.outputs["screening_run_id"]])
    assert engine == "spark" and json.loads(info)["partitions"] == 2
    inputs = [json.loads(r[0])["engine"] for r in _rows(service_db, "SELECT inputs FROM job_runs WHERE run_id IN (?, ?) "
                                                                    "ORDER BY run_id", [local.run_id, spark.run_id])]
    assert inputs == ["local", "spark"]
    # the accounts' Parquet copy is gone with the run; the published snapshots stay
    root = settings.snapshot_dir_for(service_db)
    assert not [p for p in root.iterdir() if p.name.startswith(".full-screen-accounts-")]


def test_an_unknown_engine_fails_the_job_with_one_line(service_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.FULL_SCREEN_ENGINE_ENV, "hadoop")
    run = run_job("screen.full", service_db)
    assert run.status == "failed"
    assert "SCREENING_FULL_SCREEN_ENGINE='hadoop': expected local or spark" in run.error
    assert "Traceback" not in run.error
    full_runs = _rows(service_db, "SELECT count(*) FROM screening_runs WHERE kind = 'full'")
    assert full_runs == [(0,)]  # nothing screened, nothing half-recorded
