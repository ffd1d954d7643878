"""`screening bench --http`: the lookup API on loopback, as the registration flow would call it.

A real `screening serve --no-scheduler` process on a free 127.0.0.1 port; one client sends sequential
requests (latency p50/p99), then 8 clients at once (throughput, errors, "unavailable" answers). Every
20th name is a listed one, the rest are ordinary names. These screen against the sanctions lists
(`eligibility: false`); a smaller sample with the eligibility checks (the API's default) is measured
apart, since those cost far more. Targets: one client p99 ≤ 15 ms, 8 clients with no error.

The clients are the standard library's `http.client`, one keep-alive connection each (`Client`): a
registration backend keeps its connections open, and `requests` spends 2-4 ms of client CPU per call,
which this bench would otherwise count as the service's latency. The report names the client.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from screening import exc, settings

TARGET_P99_MS = 15.0
GIVEN = ["Wei", "Li Na", "Maria", "John", "Fatima", "Olga", "Hiroshi", "Ahmed", "Anna", "Carlos", "Mei", "Ivan"]
FAMILY = ["Zhang", "Wang", "Garcia", "Smith", "Kowalski", "Nguyen", "Ivanova", "Tanaka", "Haddad", "Silva", "Chen"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CLIENT = "http.client (keep-alive)"
_DROPPED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class Client:
    """One keep-alive HTTP/1.1 connection to `base` (http://host:port), JSON in and out. A connection the
    server closed while idle is opened again once; other failures raise OSError or HTTPException."""

    def __init__(self, base: str, timeout: float = 30.0) -> None:
        url = urlsplit(base)
        self.connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port or 80, timeout=timeout)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        for attempt in (0, 1):
            reused = self.connection.sock is not None
            try:
                self.connection.request(method, path, body=data, headers=headers)
                response = self.connection.getresponse()
                return response.status, response.read()
            except _DROPPED:
                self.connection.close()
                if attempt or not reused:
                    raise
            except (OSError, http.client.HTTPException):
                self.connection.close()
                raise
        raise AssertionError("unreachable")

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, bytes]:
        return self.request("POST", path, body)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def wait_ready(base: str, timeout: float = 180.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise exc.StoreError(f"the service exited with code {process.returncode} before it was ready")
        try:
            with Client(base, timeout=5) as client:
                if client.request("GET", "/readyz")[0] == 200:
                    return
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    raise exc.StoreError(f"the service at {base} was not ready within {timeout:.0f} s")


def warm_up(base: str, items: list[dict[str, Any]], *, timeout: float = 300.0) -> int:
    """Send `items` once before measuring, so first-use work is not measured; the answers that failed.

    A loaded machine can take long over the first requests (compiled kernels read from their cache,
    tables built on first use): each may take up to the time left of `timeout`, and one that fails is
    counted, not fatal — the measured requests say whether the service works."""
    deadline = time.monotonic() + timeout
    failed = 0
    for body in items:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            with Client(base, timeout=left) as client:
                failed += client.post("/v1/lookup", body)[0] != 200
        except (OSError, http.client.HTTPException):
            failed += 1
    return failed


def start_server(db: Path, port: int, service_dir: Path) -> subprocess.Popen:
    """`screening serve --no-scheduler` in its own process (its spool in `service_dir`, its log in
    `service_dir/serve.log`)."""
    env = {**os.environ, settings.SERVICE_DIR_ENV: str(service_dir)}
    service_dir.mkdir(parents=True, exist_ok=True)
    with open(service_dir / "serve.log", "ab") as log_file:
        return subprocess.Popen([sys.executable, "-m", "screening", "--db", str(db), "serve", "--no-scheduler",
                                 "--host", "127.0.0.1", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=log_file)


def bodies(db: Path, n: int) -> list[dict[str, Any]]:
    """`n` request bodies: ordinary names, and every 20th a listed name from the published index."""
    from screening.matching.snapshot import load

    entries = load(settings.snapshot_dir_for(db), cache_dir=settings.index_cache_dir_for(db)).index.entries
    listed = entries.select("primary_name", "subject_type").to_dicts()
    out = []
    for k in range(n):
        if k % 20 == 0 and listed:
            entry = listed[(k * 7919) % len(listed)]
            out.append({"name": entry["primary_name"], "subject_type": entry["subject_type"]
                        if entry["subject_type"] in ("person", "organization") else None})
        else:
            out.append({"name": f"{GIVEN[k % len(GIVEN)]} {FAMILY[(k // len(GIVEN)) % len(FAMILY)]}",
                        "subject_type": "person", "birth_date": f"19{50 + k % 50}-0{1 + k % 9}-1{k % 9}",
                        "country": "CN"})
    return out


def run_http_bench(db: Path, *, sequential: int = 2000, clients: int = 8, per_client: int = 250,
                   eligibility_sample: int = 300) -> dict[str, Any]:
    """Start the service, measure, stop it. The store must hold lists (an index is published if needed).

    The sequential and concurrent runs screen against the sanctions lists only (`eligibility: false`);
    `eligibility_sample` sequential requests with the eligibility checks are measured apart."""
    from screening.indexing import publish_if_changed
    from screening.matching.snapshot import current_id
    from screening.store import connect

    root = settings.snapshot_dir_for(db)
    if current_id(root) is None:
        con = connect(db)
        try:
            publish_if_changed(con, root)
        finally:
            con.close()
    work = Path(tempfile.mkdtemp(prefix="screening-http-bench-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(db, port, work)
    try:
        started = time.perf_counter()
        wait_ready(base, process=server)
        ready_s = time.perf_counter() - started
        work_items = [{**b, "eligibility": False} for b in bodies(db, max(sequential, clients * per_client))]
        warm_failed = warm_up(base, work_items[:50] + [{**b, "eligibility": True} for b in work_items[50:60]])
        with Client(base) as session:
            lat, errors = _sequential(session, work_items[:sequential])
            # with the eligibility checks (the API's default): a smaller sample, they cost far more
            with_elig, elig_errors = _sequential(session, [{**b, "eligibility": True}
                                                           for b in work_items[:eligibility_sample]])

        def client(k: int) -> tuple[int, int, int]:
            done = failed = unavailable = 0
            with Client(base) as session:
                for body in work_items[k * per_client:(k + 1) * per_client]:
                    try:
                        status, answer = session.post("/v1/lookup", body)
                    except (OSError, http.client.HTTPException):
                        failed += 1
                        continue
                    if status != 200:
                        failed += 1
                    elif any("unavailable" in r for r in json.loads(answer)["reasons"]):
                        unavailable += 1
                    done += 1
            return done, failed, unavailable

        t0 = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            results = list(pool.map(client, range(clients)))
        wall = time.perf_counter() - t0
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    done = sum(r[0] for r in results)
    return {
        "client": CLIENT,
        "ready_seconds": round(ready_s, 2),
        "warm_up_failed": warm_failed,
        "sequential": {"requests": lat.calls, "errors": errors, "p50_ms": lat.p50_ms, "p90_ms": lat.p90_ms,
                       "p99_ms": lat.p99_ms, "max_ms": lat.max_ms},
        "sequential_with_eligibility": {"requests": with_elig.calls, "errors": elig_errors, "p50_ms": with_elig.p50_ms,
                                        "p90_ms": with_elig.p90_ms, "p99_ms": with_elig.p99_ms,
                                        "max_ms": with_elig.max_ms},
        "concurrent": {"clients": clients, "requests": clients * per_client, "answered": done,
                       "errors": sum(r[1] for r in results), "unavailable": sum(r[2] for r in results),
                       "seconds": round(wall, 2), "requests_per_s": round(done / wall, 1) if wall else None},
        "targets": {"p99_ms<=15": lat.p99_ms <= TARGET_P99_MS,
                    "p99_ms<=15_with_eligibility": with_elig.p99_ms <= TARGET_P99_MS,
                    "8_clients_no_error": sum(r[1] + r[2] for r in results) == 0},
    }


def _sequential(session: Client, items: list[dict[str, Any]]) -> tuple[Any, int]:
    """Latency of one client sending `items` one after the other, and the failed requests."""
    from screening.evaluation.metrics import latency

    durations, errors = [], 0
    for body in items:
        t0 = time.perf_counter()
        try:
            status = session.post("/v1/lookup", body)[0]
        except (OSError, http.client.HTTPException):
            status = 0
        durations.append(time.perf_counter() - t0)
        errors += status != 200
    return latency(durations), errors


def http_text(report: dict[str, Any]) -> str:
    seq, conc, elig = report["sequential"], report["concurrent"], report["sequential_with_eligibility"]
    return (f"HTTP lookup API (loopback, one uvicorn worker; ready in {report['ready_seconds']} s; client "
            f"{report['client']}, warm-up failures {report['warm_up_failed']}):\n"
            f"  1 client, {seq['requests']:,} sequential requests (sanctions screen): p50 {seq['p50_ms']:.2f} ms"
            f"  p90 {seq['p90_ms']:.2f} ms  p99 {seq['p99_ms']:.2f} ms  max {seq['max_ms']:.1f} ms  errors {seq['errors']}"
            f"  [target p99 <= {TARGET_P99_MS:.0f} ms: {'met' if report['targets']['p99_ms<=15'] else 'MISSED'}]\n"
            f"  1 client, {elig['requests']:,} sequential requests with eligibility (the default): p50 "
            f"{elig['p50_ms']:.2f} ms  p99 {elig['p99_ms']:.2f} ms  max {elig['max_ms']:.1f} ms  errors {elig['errors']}"
            f"  [target p99 <= {TARGET_P99_MS:.0f} ms: "
            f"{'met' if report['targets']['p99_ms<=15_with_eligibility'] else 'MISSED'}]\n"
            f"  {conc['clients']} clients, {conc['requests']:,} requests: {conc['requests_per_s']} req/s, "
            f"errors {conc['errors']}, unavailable {conc['unavailable']}"
            f"  [target no error: {'met' if report['targets']['8_clients_no_error'] else 'MISSED'}]")
