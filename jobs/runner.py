"""The one job wrapper: every run of every job writes one `job_runs` row, whoever triggered it.

The row is written here, around the job function, not by pairing scheduler events (APScheduler does
not guarantee their order). It opens as `running` before the job starts and is
closed as `succeeded` / `skipped` / `failed` with the job's inputs (list versions, config hash,
watermark), outputs (counts, run ids) and error. A process that dies mid-run leaves `running`; the next
service start marks such rows `abandoned` (`mark_abandoned`). Each row write is its own short
connection, so the store is held only while the job itself works.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from screening import exc, settings
from screening.registration.events import process_alive
from screening.logs import bound, get_logger
from screening.store import connect, fetch_one, transaction

log = get_logger(__name__)

HOST = socket.gethostname()
TRIGGERS = ("cron", "interval", "event", "manual", "nightly")


class JobSkipped(Exception):
    """Nothing to do (no new file, no pending version): the run is recorded as `skipped`, not failed."""


@dataclass
class JobContext:
    """What a job function gets: the store path, its own run id, and dicts to fill."""

    db: Path
    job_id: str
    run_id: int
    trigger: str
    offline: bool = False
    inputs: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # partial failures: the run ends `failed`, outputs kept

    @contextmanager
    def store(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The store for one step of the job, closed right after (other processes may write between)."""
        con = connect(self.db)
        try:
            yield con
        finally:
            con.close()


@dataclass(frozen=True)
class JobRun:
    run_id: int
    job_id: str
    status: str
    outputs: dict[str, Any]
    error: str | None


JobFunction = Callable[[JobContext], dict[str, Any]]

# job runs of this process that have not finished: run_id → job id (the service abandons them on SIGTERM)
ACTIVE: dict[int, str] = {}
_ACTIVE_LOCK = threading.Lock()


def run_job(job_id: str, db: Path, *, trigger: str = "manual", scheduled_for: dt.datetime | None = None,
            offline: bool = False, params: dict[str, Any] | None = None) -> JobRun:
    """Run one job now and record it; errors end up in the row (and the returned JobRun), not raised."""
    from jobs.registry import get_job

    spec = get_job(job_id)
    # a scheduled run finding its job busy is recorded as skipped; a chained or manual run waits its turn
    with one_instance(db, job_id, wait=trigger not in ("cron", "interval")) as mine:
        if not mine:
            run_id = record_event(db, job_id, "skipped_max_instances", trigger=trigger, scheduled_for=scheduled_for,
                                  error="the previous run of this job was still running")
            return JobRun(run_id, job_id, "skipped_max_instances", {}, None)
        return _run_locked(spec, job_id, db, trigger, scheduled_for, offline, params)


@contextmanager
def one_instance(db: Path, job_id: str, *, wait: bool) -> Iterator[bool]:
    """One run of a job at a time per store, across threads and processes (the service's job children,
    `screening jobs run`, `nightly`): an exclusive `flock` on `<service dir>/locks/<job>.lock`, which the
    kernel releases when its holder exits, crashed or not. Yields False when busy and not `wait`."""
    folder = settings.service_dir_for(Path(db)) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{job_id}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)


def _run_locked(spec, job_id: str, db: Path, trigger: str, scheduled_for: dt.datetime | None, offline: bool,
                params: dict[str, Any] | None) -> JobRun:
    run_id = _open_row(db, job_id, trigger, scheduled_for)
    ctx = JobContext(db=Path(db), job_id=job_id, run_id=run_id, trigger=trigger, offline=offline,
                     params=dict(params or {}))
    status, outputs, error = "succeeded", {}, None
    with _ACTIVE_LOCK:
        ACTIVE[run_id] = job_id
    with bound(job_id=job_id, job_run_id=run_id):
        log.info("job started", trigger=trigger)
        try:
            outputs = spec.func(ctx) or {}
            if ctx.problems:
                status, error = "failed", "; ".join(ctx.problems)
        except JobSkipped as why:
            status, error = "skipped", str(why)
        except exc.ScreeningError as failure:
            status, error = "failed", f"{type(failure).__name__}: {failure}"
        except Exception as failure:  # a bug in a job must not kill the scheduler thread
            status, error = "failed", f"{type(failure).__name__}: {failure}"
            log.error("job crashed", error=error, traceback=traceback.format_exc())
        finally:
            with _ACTIVE_LOCK:
                ACTIVE.pop(run_id, None)
        _close_row(db, run_id, status, ctx.inputs, outputs, error)
        log.info("job finished", status=status, error=error)
    return JobRun(run_id, job_id, status, outputs, error)


def record_event(db: Path, job_id: str, status: str, *, trigger: str, scheduled_for: dt.datetime | None,
                 error: str | None = None) -> int:
    """A run that never started (missed its grace time, or another instance was still running)."""
    con = connect(db)
    try:
        run_id = _next_id(con)
        con.execute(
            """INSERT INTO job_runs (run_id, job_id, trigger, scheduled_for, started_at, finished_at, status, error,
                   pid, host) VALUES (?, ?, ?, ?, NULL, now(), ?, ?, ?, ?)""",
            [run_id, job_id, trigger, scheduled_for, status, error, os.getpid(), HOST])
        return run_id
    finally:
        con.close()


def mark_abandoned(db: Path, run_ids: list[int] | None = None, reason: str = "the process ended while it ran") -> int:
    """Close rows left `running`: the given ones, else those of processes on this host that are gone."""
    con = connect(db)
    try:
        rows = con.execute("SELECT run_id, pid, host FROM job_runs WHERE status = 'running'").fetchall()
        with _ACTIVE_LOCK:
            mine = set(ACTIVE)
        # a row of another host cannot be checked; the store is a local file, so such rows are leftovers
        stale = [r for r, pid, host in rows
                 if (run_ids is not None and r in run_ids)
                 or (run_ids is None and r not in mine and (host != HOST or pid == os.getpid() or not process_alive(pid)))]
        if stale:
            con.execute("UPDATE job_runs SET status = 'abandoned', finished_at = now(), error = ? "
                        "WHERE run_id IN (SELECT unnest(?))", [reason, stale])
        return len(stale)
    finally:
        con.close()


def history(con: duckdb.DuckDBPyConnection, job_id: str | None = None, limit: int = 50) -> list[dict]:
    rows = con.sql(
        """SELECT run_id, job_id, trigger, scheduled_for, started_at, finished_at, status, inputs, outputs, error
           FROM job_runs WHERE ($j IS NULL OR job_id = $j) ORDER BY run_id DESC LIMIT $n""",
        params={"j": job_id, "n": limit}).pl().to_dicts()
    for row in rows:
        for key in ("inputs", "outputs"):
            row[key] = json.loads(row[key]) if row[key] else {}
    return rows


def last_success(con: duckdb.DuckDBPyConnection, job_id: str) -> dict | None:
    """Outputs of the job's last successful run (watermarks), or None."""
    row = fetch_one(con, "SELECT outputs FROM job_runs WHERE job_id = ? AND status = 'succeeded' "
                         "ORDER BY run_id DESC LIMIT 1", [job_id])
    return json.loads(row[0]) if row and row[0] else None


def _open_row(db: Path, job_id: str, trigger: str, scheduled_for: dt.datetime | None) -> int:
    con = connect(db)
    try:
        with transaction(con):
            run_id = _next_id(con)
            con.execute(
                """INSERT INTO job_runs (run_id, job_id, trigger, scheduled_for, started_at, status, pid, host)
                   VALUES (?, ?, ?, ?, now(), 'running', ?, ?)""",
                [run_id, job_id, trigger, scheduled_for, os.getpid(), HOST])
        return run_id
    finally:
        con.close()


def _close_row(db: Path, run_id: int, status: str, inputs: dict, outputs: dict, error: str | None) -> None:
    try:
        con = connect(db)
    except exc.StoreError as failure:  # the row stays `running` and is abandoned at the next start
        log.error("job run row not closed", run_id=run_id, error=str(failure))
        return
    try:
        con.execute(
            """UPDATE job_runs SET status = ?, finished_at = now(), inputs = ?, outputs = ?, error = ?
               WHERE run_id = ?""",
            [status, json.dumps(inputs, default=str), json.dumps(outputs, default=str),
             error[:4000] if error else None, run_id])
    finally:
        con.close()


def _next_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(fetch_one(con, "SELECT nextval('job_run_seq')")[0])
