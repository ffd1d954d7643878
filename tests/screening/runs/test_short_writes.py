"""A long screen holds the store only for short steps: another process's write command runs meanwhile.

The screen runs in this process and is paused in the middle of its matching (a wrapper around the real
`screen_batch` waits on an event), so "meanwhile" is certain, not a race. While it is paused, a separate
`screening lists load` process loads a list the store does not have yet: it must succeed (exit 0, no
traceback) within a bounded lock wait. Then the screen resumes and its run, with all its hits, is
written in one transaction at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import polars as pl
import pytest

import screening.matching.screen as batch_engine
import screening.runs.ledger as ledger
from lists.refresh import snapshot_manifest
from screening.matching.config import DEFAULT_CONFIG
from screening.store import connect

ROOT = Path(__file__).resolve().parents[3]
LISTED = ["Eric Badege", "Paek Chang-Ho", "Doku Khamatovich Umarov"]  # UN entries of the bundled snapshot


def accounts(n: int) -> pl.DataFrame:
    """n accounts: a few listed names among generated clean ones."""
    first = ["Wei", "Anna", "Jorge", "Mei", "Olu", "Sven", "Priya", "Tomasz", "Aiko", "Omar"]
    last = ["Lindqvist", "Okafor", "Moreau", "Tanaka", "Kowalski", "Haddad", "Ferreira", "Novak", "Singh", "Berg"]
    names = [f"{first[i % 10]} {last[(i // 10) % 10]} {chr(65 + i % 26)}{chr(65 + (i // 26) % 26)}" for i in range(n)]
    names[: len(LISTED)] = LISTED
    return pl.DataFrame({"account_id": [f"A{i:05d}" for i in range(n)], "subject_type": ["person"] * n,
                         "name": names, "country": ["CN"] * n})


def write_command(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCREENING_LOCK_WAIT_SECONDS": "30"}
    return subprocess.run([sys.executable, "-m", "screening", "--db", str(db), *args], capture_output=True,
                          text=True, timeout=300, env=env, cwd=ROOT)


def test_a_write_command_succeeds_while_a_screen_runs(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paused, resume = threading.Event(), threading.Event()
    real = batch_engine.screen_batch
    calls = []

    def pausing(*args, **kwargs):  # the real matcher, paused once in the middle of the run
        calls.append(1)
        if len(calls) == 2:
            paused.set()
            assert resume.wait(300)
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_engine, "screen_batch", pausing)
    base = accounts(3000)
    config = DEFAULT_CONFIG.replace(chunk_size=1000)  # three batches: paused before the second
    outcome: dict = {}
    screen = threading.Thread(target=lambda: outcome.update(result=ledger.screen_accounts(store, base, config=config)))
    screen.start()
    try:
        assert paused.wait(300), "the screen never reached its second batch"
        eu = snapshot_manifest()["eu_fsf"]
        load = write_command(store, "lists", "load", "eu_fsf", str(eu.path), "--as-of", eu.as_of.isoformat())
    finally:
        resume.set()
        screen.join(300)
    assert load.returncode == 0, load.stderr
    assert "Traceback" not in load.stderr and "locked" not in load.stderr.lower()
    assert screen.is_alive() is False and "result" in outcome
    result = outcome["result"]
    con = connect(store, read_only=True)
    try:
        (eu_versions,) = con.execute("SELECT count(*) FROM list_versions WHERE source = 'eu_fsf'").fetchall()[0]
        status, population, hits = con.execute("SELECT status, population, hits FROM screening_runs WHERE run_id = ?",
                                               [result.run_id]).fetchall()[0]
        stored = con.execute("SELECT count(*) FROM screening_hits WHERE run_id = ?", [result.run_id]).fetchall()[0][0]
    finally:
        con.close()
    assert eu_versions == 1
    assert (status, population) == ("finished", 3000)
    assert stored == hits > 0
    assert set(LISTED) <= set(base.filter(pl.col("account_id").is_in(result.hits["account_id"].to_list()))["name"])
