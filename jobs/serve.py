"""`screening serve`: one long-running process with the HTTP API (one uvicorn worker) and the scheduler.

It is the one process that writes the store on a schedule; its jobs hold the store only while they
work, so CLI commands run between them (waiting `SCREENING_LOCK_WAIT_SECONDS` at most, then a clear
"locked" message). Heavy jobs (rescreens, imports, list refreshes, the report) run in child processes
(jobs/worker.py), so they never hold the GIL the lookup API needs. On SIGTERM uvicorn stops taking
requests, the scheduler stops, a running job gets `SCREENING_SHUTDOWN_GRACE_SECONDS` to finish; a job
still running after that is stopped (a child is terminated; its store transaction never commits) and
marked `abandoned` in the run history before the process exits.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import uvicorn

from screening import exc, settings
from screening.logs import get_logger

log = get_logger(__name__)

SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL before another is let in (CPython: 0.005)

def serve(db: Path, *, host: str = "127.0.0.1", port: int = 8080, scheduler: bool = True, offline: bool = False,
          grace: float | None = None) -> None:
    from jobs import runner
    from jobs.lists import publish_index
    from jobs.scheduler import start_scheduler
    from jobs.worker import stop_children
    from screening.api.app import create_app
    from screening.store import connect

    state: dict = {}
    grace = settings.shutdown_grace_seconds() if grace is None else grace

    def startup() -> None:
        try:  # a store with lists but no published index yet (lists loaded before this version)
            con = connect(db)
            try:
                publish_index(con, db)
            finally:
                con.close()
        except exc.StoreError as error:
            log.warning("index not published at start-up", error=str(error))
        if scheduler:
            abandoned = runner.mark_abandoned(db)
            if abandoned:
                log.warning("job runs left running by a previous process marked abandoned", runs=abandoned)
            state["scheduler"] = start_scheduler(db, offline=offline)
        log.warning("service started", host=host, port=port, scheduler=scheduler)

    def shutdown() -> None:
        sched = state.get("scheduler")
        if sched is not None:
            sched.shutdown(wait=False)
        stopped = stop_children(grace)  # heavy jobs in child processes
        if stopped:
            runner.mark_abandoned(db, reason="the service was stopped before the job finished")
            log.warning("running job processes stopped", jobs=stopped)
        deadline = time.monotonic() + grace
        while runner.ACTIVE and time.monotonic() < deadline:
            time.sleep(0.2)
        if runner.ACTIVE:
            runs = list(runner.ACTIVE)
            runner.mark_abandoned(db, runs, reason="the service was stopped before the job finished")
            log.warning("running jobs abandoned at shutdown", runs=runs)
            state["abandoned"] = True
        log.warning("service stopped")

    # Heavy jobs run in child processes (jobs/worker.py); the light ones in the scheduler's threads beside
    # the request handlers. A job's Python code would hold the GIL for CPython's default 5 ms switch
    # interval at a time, a request waiting on each: 1 ms keeps a lookup's wait for the GIL short.
    sys.setswitchinterval(SWITCH_INTERVAL)
    app = create_app(db, on_startup=startup, on_shutdown=shutdown)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, workers=1, access_log=False, log_config=None,
                                           lifespan="on"))
    server.run()
    if state.get("abandoned"):
        os._exit(0)  # the job threads cannot be interrupted; their runs are recorded as abandoned
