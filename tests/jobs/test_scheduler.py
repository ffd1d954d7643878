"""The real scheduler in real time (a few seconds): run rows, one instance at a time, and coalesced
catch-up after a restart with the persisted SQLite job store."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from jobs import registry
from jobs.registry import JobSpec
from jobs.scheduler import start_scheduler, trigger_for
from screening import exc
from screening.store import connect

DURATION = {"seconds": 0.0}


def _tick(ctx) -> dict:
    time.sleep(DURATION["seconds"])
    return {"slept": DURATION["seconds"]}


SPEC = JobSpec("test.tick", _tick, "every 1", 30, "a test job")


@pytest.fixture
def tick_job(monkeypatch: pytest.MonkeyPatch) -> JobSpec:
    monkeypatch.setitem(registry.JOBS, SPEC.id, SPEC)
    return SPEC


def _runs(db: Path) -> list[dict]:
    con = connect(db)
    try:
        return con.sql("SELECT status, trigger, scheduled_for, started_at, finished_at FROM job_runs "
                       "WHERE job_id = 'test.tick' ORDER BY run_id").pl().to_dicts()
    finally:
        con.close()


def _enough(runs: list[dict]) -> bool:
    """Two finished runs and one skipped while a run was still going."""
    statuses = [r["status"] for r in runs]
    return statuses.count("succeeded") >= 2 and "skipped_max_instances" in statuses


def test_one_instance_rows_and_coalesced_restart(tmp_path: Path, tick_job: JobSpec) -> None:
    db = tmp_path / "store.duckdb"
    connect(db).close()
    store = tmp_path / "scheduler.sqlite"

    # a job that takes 1.6 s, due every second: the overlapping runs are skipped (recorded), not queued
    DURATION["seconds"] = 1.6
    scheduler = start_scheduler(db, specs=[tick_job], store_path=store)
    deadline = time.monotonic() + 20  # about 4 s on an idle machine; a loaded one starts and runs later
    while time.monotonic() < deadline and not _enough(_runs(db)):
        time.sleep(0.2)
    scheduler.shutdown(wait=True)
    runs = _runs(db)
    done = [r for r in runs if r["status"] == "succeeded"]
    assert _enough(runs), runs
    for r in done:
        assert r["trigger"] == "interval" and r["scheduled_for"] is not None
        assert r["started_at"] >= r["scheduled_for"] - dt.timedelta(milliseconds=50)
        assert r["finished_at"] - r["started_at"] >= dt.timedelta(seconds=1.5)
    spans = sorted((r["started_at"], r["finished_at"]) for r in done)
    assert all(b[0] >= a[1] for a, b in zip(spans, spans[1:])), "two runs of the job overlapped"

    # down for ~3.5 s (three runs due), then back: the missed runs run once, not three times
    DURATION["seconds"] = 0.0
    time.sleep(3.5)
    restarted_at = dt.datetime.now(dt.timezone.utc)
    before = len(_runs(db))
    scheduler = start_scheduler(db, specs=[tick_job], store_path=store)
    deadline = time.monotonic() + 15  # start-up is slower on a loaded machine: wait for the catch-up run
    while time.monotonic() < deadline and not any(r["scheduled_for"] < restarted_at for r in _runs(db)[before:]):
        time.sleep(0.1)
    time.sleep(1.0)  # room for a second catch-up run, were the missed ones not coalesced
    scheduler.shutdown(wait=True)
    after = _runs(db)[before:]
    caught_up = [r for r in after if r["scheduled_for"] < restarted_at]
    assert len(caught_up) == 1, after  # coalesced: one run for the three missed
    assert caught_up[0]["status"] == "succeeded"
    # at start-up, not at the next due time (the job is due every second, so the first regular run
    # after the restart is scheduled at or after restarted_at and is not in caught_up)
    assert caught_up[0]["started_at"] - restarted_at < dt.timedelta(seconds=5)


def test_schedule_texts() -> None:
    trigger, kind = trigger_for("0 2 * * *")
    assert kind == "cron"
    fixed = dt.datetime(2026, 12, 3, 12, 0, tzinfo=dt.timezone.utc)  # 20:00 in Shanghai
    assert trigger.get_next_fire_time(None, fixed).isoformat() == "2026-12-04T02:00:00+08:00"
    assert trigger_for("every 3600")[1] == "interval"
    assert trigger_for("off") is None
    with pytest.raises(exc.UsageError):
        trigger_for("every day")
