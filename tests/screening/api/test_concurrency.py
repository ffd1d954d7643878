"""Lookups keep answering while another process writes the store.

In-process `lookup()` calls and HTTP calls to a real `screening serve` run continuously while a separate
`screening lists load` process loads a new UN version (it holds the store for writing meanwhile). No
call may fail or answer "unavailable", and both must see the new version within the refresh interval
after the load has published it. Old version: the 2025-11-15 excerpt (3 entries); new: the complete
2026-02-27 list bundled in lists/snapshot/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from lists.refresh import snapshot_manifest
from screening.evaluation.http_bench import free_port, start_server, wait_ready
from screening.indexing import publish_if_changed
from screening.registration import get_screener, lookup
from screening.store import connect
from tests.jobs.conftest import UN_2025, load_un

NEW = {"name": "Doku Khamatovich Umarov", "subject_type": "person", "birth_date": "1964-04-13"}  # QDi.290, added
OLD = {"name": "Eric Badege", "subject_type": "person"}  # CDi.001, in both versions
REFRESH = 0.5


def test_lookups_never_fail_while_another_process_loads_a_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_LOOKUP_REFRESH_SECONDS", str(REFRESH))
    db = tmp_path / "store.duckdb"
    load_un(db, UN_2025)
    con = connect(db)
    publish_if_changed(con, tmp_path / "index")
    con.close()
    port = free_port()
    server = start_server(db, port, tmp_path / "service")
    stop = threading.Event()
    results: dict[str, list] = {"local": [], "http": []}
    problems: list[str] = []

    def local() -> None:
        while not stop.is_set():
            for body in (NEW, OLD):
                try:
                    r = lookup(body["name"], subject_type=body["subject_type"], birth_date=body.get("birth_date"),
                               db=db)
                except Exception as error:  # noqa: BLE001 - any failure is what the test counts
                    problems.append(f"local: {error!r}")
                    continue
                results["local"].append((time.monotonic(), body["name"], r.hits[0]["source_id"] if r.hits else None,
                                         r.reasons))

    def remote() -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            while not stop.is_set():
                for body in (NEW, OLD):
                    try:
                        response = client.post("/v1/lookup", json=body)
                        response.raise_for_status()
                        r = response.json()
                    except Exception as error:  # noqa: BLE001
                        problems.append(f"http: {error!r}")
                        continue
                    results["http"].append((time.monotonic(), body["name"], r["hits"][0]["source_id"] if r["hits"]
                                            else None, r["reasons"]))

    try:
        wait_ready(f"http://127.0.0.1:{port}", timeout=120, process=server)
        get_screener(db).warm()
        threads = [threading.Thread(target=local), threading.Thread(target=remote)]
        for t in threads:
            t.start()
        time.sleep(1.0)
        new_file = snapshot_manifest()["un_sc"].path
        load = subprocess.run([sys.executable, "-m", "screening", "--db", str(db), "lists", "load", "un_sc",
                               str(new_file)], capture_output=True, text=True, timeout=300, env=os.environ.copy())
        assert load.returncode == 0, load.stderr
        loaded_at = time.monotonic()
        deadline = loaded_at + 60
        seen = {"local": None, "http": None}
        while time.monotonic() < deadline and None in seen.values():
            for side in seen:
                if seen[side] is None:
                    seen[side] = next((t for t, name, hit, _ in results[side] if t > loaded_at and
                                       name == NEW["name"] and hit == "QDi.290"), None)
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=30)
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    assert problems == []
    for side in ("local", "http"):
        answers = results[side]
        assert len(answers) > 20, side
        assert not [a for a in answers if any("unavailable" in r for r in a[3])], side
        # the listed person of both versions is found throughout
        assert all(hit == "CDi.001" for _, name, hit, _ in answers if name == OLD["name"]), side
        # the newly listed one within the refresh interval (plus loading the new index) of the publication
        assert seen[side] is not None and seen[side] - loaded_at < REFRESH + 15, (side, seen)
