"""Heavy job runs in a child process (jobs/worker.py): one run row, written by the child; one instance
per job across processes. (SIGTERM of the service with a child running: test_serve.py.)"""

from __future__ import annotations

import os
from pathlib import Path

from jobs.runner import one_instance
from jobs.worker import run_in_child
from screening.store import connect


def _runs(db: Path, job_id: str) -> list[tuple]:
    con = connect(db, read_only=True)
    try:
        return con.execute("SELECT run_id, status, pid, trigger FROM job_runs WHERE job_id = ? ORDER BY run_id",
                           [job_id]).fetchall()
    finally:
        con.close()


def test_a_heavy_job_runs_in_a_child_that_writes_its_one_row(service_db: Path) -> None:
    before = _runs(service_db, "screen.full")
    assert run_in_child("screen.full", service_db, trigger="manual") == "succeeded"
    after = _runs(service_db, "screen.full")
    assert len(after) == len(before) + 1
    _, status, pid, trigger = after[-1]
    assert (status, trigger) == ("succeeded", "manual")
    assert pid != os.getpid()  # the child's


def test_a_job_runs_once_at_a_time_across_processes(service_db: Path) -> None:
    before = _runs(service_db, "screen.delta")
    with one_instance(service_db, "screen.delta", wait=False) as mine:  # as if another process ran it
        assert mine
        assert run_in_child("screen.delta", service_db, trigger="interval") == "skipped_max_instances"
    after = _runs(service_db, "screen.delta")
    assert [r[1] for r in after[len(before):]] == ["skipped_max_instances"]
    # free again: it runs (nothing new to screen: skipped, not skipped_max_instances)
    assert run_in_child("screen.delta", service_db, trigger="interval") == "skipped"
