"""SIGTERM while `screening serve` runs a job: the process exits cleanly and the run is never left `running`.

A real `screening serve` process (scheduler on, every job off except `accounts.import` every second)
picks up a large account file from its inbox in a child process (a heavy job); once its log says the
job started, the test sends SIGTERM. With a shutdown grace of half a second the import is abandoned (or,
on a very fast machine, finished): its run row says `abandoned` or `succeeded`, the child is gone, the
accounts are all imported or none, the process exits with 0 or by the signal, no traceback is logged,
and the store opens afterwards with the job history intact.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from jobs.registry import JOBS
from screening import settings
from screening.evaluation.http_bench import free_port
from screening.registration.events import process_alive
from screening.store import connect
from tests.jobs.conftest import UN_2025, load_un, write_accounts

ROOT = Path(__file__).resolve().parents[2]


def _events(log: Path) -> list[dict]:
    out = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def test_sigterm_during_a_job_abandons_it_and_exits_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    load_un(db, UN_2025)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    many = {f"A{i:05d}": ("person", f"Test Person {i}", "1980-01-01") for i in range(20_000)}
    write_accounts(inbox / "accounts.csv", many)
    service = tmp_path / "service"
    service.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), settings.SERVICE_DIR_ENV: str(service),
           settings.ACCOUNTS_INBOX_ENV: str(inbox), settings.SHUTDOWN_GRACE_ENV: "0.5",
           settings.LOG_JSON_ENV: "1", settings.LOG_LEVEL_ENV: "INFO",
           **{settings.SCHEDULE_ENV_PREFIX + settings._env_key(job): "off" for job in JOBS},
           settings.SCHEDULE_ENV_PREFIX + settings._env_key("accounts.import"): "every 1"}
    log = service / "serve.log"
    with open(log, "wb") as err:
        server = subprocess.Popen([sys.executable, "-m", "screening", "--db", str(db), "serve", "--host", "127.0.0.1",
                                   "--port", str(free_port())], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=err)
    try:
        deadline = time.monotonic() + 180
        while not any(e.get("event") == "job started" and e.get("job_id") == "accounts.import" for e in _events(log)):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the import job never started"
            time.sleep(0.1)
        server.send_signal(signal.SIGTERM)
        code = server.wait(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
    text = log.read_text(errors="replace")
    assert code in (0, -signal.SIGTERM), text
    assert "Traceback" not in text
    assert any(e.get("event") == "service stopped" for e in _events(log))
    con = connect(db, read_only=True)
    try:
        runs = con.execute("SELECT job_id, status, error FROM job_runs ORDER BY run_id").fetchall()
        pids = {pid for (pid,) in con.execute("SELECT DISTINCT pid FROM job_runs WHERE job_id = 'accounts.import' "
                                                "AND status <> 'skipped_max_instances'").fetchall()}
        imported = con.execute("SELECT count(*) FROM accounts").fetchall()[0][0]
    finally:
        con.close()
    assert "running" not in {status for _, status, _ in runs}, runs
    # the import ran in a child process of the service, which is gone, and wrote all or nothing
    assert pids and server.pid not in pids, (pids, server.pid)
    assert not any(process_alive(pid) for pid in pids), pids
    assert imported in (0, len(many)), imported
    started = [r for r in runs if r[1] != "skipped_max_instances"]  # the scheduler's ticks while it ran
    assert started and started[0][0] == "accounts.import", runs
    assert all(status in ("abandoned", "succeeded") for _, status, _ in started), runs
    assert all("stopped" in (error or "") for _, status, error in started if status == "abandoned"), runs
