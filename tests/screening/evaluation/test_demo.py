"""The demo's parts around the nightly chain, on a small store: the planted base dropped in the inbox,
the chain itself (the jobs `screening nightly --offline` runs, in-process, on two bundled lists), and the
closing lines read back from the store."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import polars as pl
import pytest

from jobs.registry import NIGHTLY
from jobs.runner import run_job
from screening.evaluation.demo import INBOX_FILE, drop_accounts, outcome, summary_text
from screening.store import connect

SOURCES = ["un_sc", "cn_sanctions"]


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lists.refresh import refresh

    path = tmp_path_factory.mktemp("demo-store") / "store.duckdb"
    con = connect(path)
    assert all(o.status == "loaded" for o in refresh(con, SOURCES, offline=True, raw_dir=None))
    con.close()
    return path


def test_demo_feeds_the_nightly_chain_and_closes_with_the_report(small_store: Path, tmp_path: Path) -> None:
    db = tmp_path / "screening.duckdb"
    shutil.copyfile(small_store, db)
    con = connect(db)
    labels, inbox_file = drop_accounts(con, db, n=600, planted=20, seed=3)
    con.close()
    # the account file is where the import job looks, whole (no partial file left) and already settled
    assert inbox_file == tmp_path / "inbox" / INBOX_FILE
    assert [p.name for p in inbox_file.parent.iterdir()] == [INBOX_FILE]
    assert time.time() - os.stat(inbox_file).st_mtime > 30
    dropped = pl.read_csv(inbox_file, infer_schema=False)
    assert dropped.height == 600 and not [c for c in dropped.columns if c.startswith("planted_")]
    assert labels.filter(pl.col("planted_source").is_not_null()).height == 20

    runs = [run_job(job, db, trigger="nightly", offline=True, params={"sources": SOURCES}) for job in NIGHTLY]
    assert [r.job_id for r in runs if r.status == "failed"] == []
    con = connect(db, read_only=True)
    try:
        result = outcome(con, labels)
        imported = con.execute("SELECT count(*) FROM accounts").fetchall()[0][0]
        eligibility = con.execute("SELECT list(basis ORDER BY run_id) FROM eligibility_runs").fetchall()[0][0]
    finally:
        con.close()
    assert imported == 600 and eligibility == ["import", "stored"]  # at import, then by screen.full
    # most planted accounts reach an officer (exact recall targets are the eval's job)
    assert result["planted_found"] >= 15
    assert result["examples"] and all(e["planted_variation"] for e in result["examples"])
    report = result["report"]
    assert Path(report["html"]).is_file() and report["next_steps"]

    text = summary_text({**result, "planted": 20, "exit_code": 0})
    assert f"Report: {report['html']}" in text
    steps = text[text.index("What an officer does next:"):].splitlines()[1:]
    assert steps == [f"  {i}. {s}" for i, s in enumerate(report["next_steps"][:3], 1)]
    assert "likely match" in text  # the officer's words …
    assert "block_review" not in text and "low" not in text.split()  # … never the internal band names
