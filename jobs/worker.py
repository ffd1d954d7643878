"""Heavy job runs in a child process of the service, so a rescreen never competes with the lookup API for
the GIL.

The service's scheduler thread starts a child (multiprocessing, `spawn`: a fresh interpreter with the
service's import path and environment, none of its threads) for a heavy job (JobSpec.heavy) and waits for
it. The child runs the one job wrapper (`run_job`: it writes the run's single `job_runs` row, with the
child's pid) and sends back the run's status. On SIGTERM the service terminates its children after the
shutdown grace: a child dies inside its work, its store transaction never commits (no half-written store),
and its row, left `running` by a process that is gone, is marked `abandoned` (`mark_abandoned`); the same
happens at the next start for a child that died with a crashed service.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import signal
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from jobs.runner import mark_abandoned, run_job
from screening.logs import configure, get_logger

log = get_logger(__name__)

# running children of this process: pid → (process, job id)
CHILDREN: dict[int, tuple[BaseProcess, str]] = {}
_LOCK = threading.Lock()
_STOPPING = threading.Event()


def run_in_child(job_id: str, db: Path, *, trigger: str, scheduled_for: dt.datetime | None = None,
                 offline: bool = False) -> str:
    """Run `job_id` in a child process and wait; its status (`abandoned` when the child died before it
    could say, e.g. terminated at shutdown; `not_started` once the service is stopping)."""
    context = multiprocessing.get_context("spawn")
    with _LOCK:  # checked under the lock stop_children takes: no child starts after the stop
        if _STOPPING.is_set():
            return "not_started"
        receiver, sender = context.Pipe(duplex=False)
        child = context.Process(target=_child, args=(job_id, str(db), trigger, scheduled_for, offline, sender),
                                name=f"job {job_id}", daemon=False)
        child.start()
        CHILDREN[child.pid] = (child, job_id)
    sender.close()
    try:
        status = _status_of(receiver, child)
        child.join()
    finally:
        receiver.close()
        with _LOCK:
            CHILDREN.pop(child.pid, None)
    if status is not None:
        return status
    if not _STOPPING.is_set():  # at shutdown the service marks the rows itself, once its children are gone
        mark_abandoned(db, reason="the job's process ended before the job finished")
        log.error("job process ended without finishing", job_id=job_id, code=child.exitcode)
    return "abandoned"


def _status_of(receiver: Connection, child: BaseProcess) -> str | None:
    """The status the child sent, or None when it ended without sending one."""
    while not receiver.poll(0.5):
        if not child.is_alive() and not receiver.poll(0):
            return None
    try:
        return receiver.recv()
    except EOFError:  # the pipe closed: the child died before it could say
        return None


def stop_children(grace: float) -> list[str]:
    """At shutdown: no new child; running ones get `grace` seconds, then SIGTERM (SIGKILL 5 s later).
    Returns the job ids that were stopped."""
    with _LOCK:
        _STOPPING.set()
        children = list(CHILDREN.values())
    stopped = []
    deadline = time.monotonic() + grace
    for child, job_id in children:
        child.join(max(0.0, deadline - time.monotonic()))
        if child.exitcode is not None:
            continue
        child.terminate()
        child.join(5)
        if child.exitcode is None:
            child.kill()
            child.join()
        stopped.append(job_id)
    return stopped


def _child(job_id: str, db: str, trigger: str, scheduled_for: dt.datetime | None, offline: bool,
           sender: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C stops the service, which stops us
    configure()  # the service's log settings (environment), on the stderr it shares with the service
    run = run_job(job_id, Path(db), trigger=trigger, scheduled_for=scheduled_for, offline=offline)
    sender.send(run.status)
    sender.close()
