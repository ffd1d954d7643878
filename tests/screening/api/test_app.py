"""The HTTP API through FastAPI's test client (lifespan included), and once through a real uvicorn
process on a free loopback port."""

from __future__ import annotations

import logging
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from jobs.runner import run_job
from screening.api.app import BatchResponse, LookupResponse, create_app
from screening.evaluation.http_bench import free_port, start_server, wait_ready
from screening.store import connect

LISTED = {"name": "Doku Khamatovich Umarov", "subject_type": "person", "birth_date": "1964-04-13",
          "id_type": "passport", "id_number": "AB 1234567"}
CLEAN = {"name": "Marta Kowalczyk", "subject_type": "person", "birth_date": "1990-05-06", "country": "PL"}


def _wait_ready(client: TestClient, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while (answer := client.get("/readyz")).status_code != 200:
        assert answer.json()["status"] == "not ready" and time.monotonic() < deadline, answer.json()
        time.sleep(0.05)
    assert answer.json()["snapshot_id"]


def test_lookup_contract_and_fail_closed(api_db: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with TestClient(create_app(api_db)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        _wait_ready(client)  # the index loads and warms in the background
        listed = client.post("/v1/lookup", json=LISTED).json()
        assert listed["decision"] == "block"
        assert listed["hits"][0]["source_id"] == "QDi.290"
        assert listed["hits"][0]["matched_name"] and isinstance(listed["hits"][0]["reasons"], dict)
        assert {v["source"] for v in listed["list_versions"]} == {"un_sc"}
        assert len(listed["screening_id"]) == 32 and listed["took_ms"] > 0
        # the handlers serialise plain dicts: the answers must still be what the OpenAPI models promise
        assert LookupResponse.model_validate(listed).model_dump(mode="json") == listed
        # only an excerpt of one list is loaded: the other mandatory lists are missing, so a clean name is
        # not cleared (fail closed) and says why
        clean = client.post("/v1/lookup", json=CLEAN).json()
        assert clean["hits"] == [] and clean["decision"] == "review"
        assert any(r.startswith("lists") for r in clean["reasons"]), clean["reasons"]
        batch_answer = client.post("/v1/lookup/batch", json={"items": [CLEAN, LISTED, CLEAN]}).json()
        assert BatchResponse.model_validate(batch_answer).model_dump(mode="json") == batch_answer
        batch = batch_answer["results"]
        assert [r["hits"][0]["source_id"] if r["hits"] else None for r in batch] == [None, "QDi.290", None]
        assert client.post("/v1/lookup/batch", json={"items": [CLEAN] * 101}).status_code == 422
        assert client.post("/v1/lookup", json={"name": ""}).status_code == 422
        assert client.post("/v1/lookup", json={**CLEAN, "birth_date": "1990-13-45"}).status_code == 422
        lists = client.get("/v1/lists").json()
        un = [s for s in lists["sources"] if s["source"] == "un_sc"][0]
        assert un["publisher_date"] == "2026-02-27" and len(un["sha256"]) == 64 and un["age_days"] > 0
        assert lists["missing_mandatory"]
        metrics = client.get("/metrics").text
        assert 'screening_lookup_decisions_total{decision="block"} 2.0' in metrics
        assert 'route="/v1/lookup"' in metrics
        assert client.get("/openapi.json").json()["paths"]["/v1/lookup"]["post"]
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("Umarov", "Kowalczyk", "1234567"):
        assert secret not in logged and secret not in metrics
    # the lookups were recorded: folded from the spool, ID numbers only as keyed hashes
    fold = run_job("lookups.fold", api_db)
    assert fold.outputs["events"] == 5
    con = connect(api_db)
    rows = con.execute("SELECT decision, id_hash, list_versions FROM lookup_events WHERE name = ?",
                       [LISTED["name"]]).fetchall()
    con.close()
    assert len(rows) == 2 and all(r[0] == "block" and len(r[1]) == 64 and "1234567" not in r[1] for r in rows)


def test_api_keys(api_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_API_KEYS", "web:s3cret,batch:other")
    with TestClient(create_app(api_db)) as client:
        assert client.post("/v1/lookup", json=CLEAN).status_code == 401
        assert client.post("/v1/lookup", json=CLEAN, headers={"X-API-Key": "wrong"}).status_code == 403
        assert client.post("/v1/lookup", json=CLEAN, headers={"X-API-Key": "s3cret"}).status_code == 200
        assert client.get("/healthz").status_code == 200  # probes need no key


def test_not_ready_without_an_index(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    connect(db).close()  # a store with no list at all
    with TestClient(create_app(db)) as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 503
        answer = client.post("/v1/lookup", json=CLEAN).json()
        assert answer["decision"] == "review" and any("unavailable" in r for r in answer["reasons"])


def test_real_uvicorn_on_loopback(api_db: Path, tmp_path: Path) -> None:
    port = free_port()
    server = start_server(api_db, port, tmp_path / "service")
    try:
        wait_ready(f"http://127.0.0.1:{port}", timeout=120, process=server)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            answer = client.post("/v1/lookup", json=LISTED)
            assert answer.status_code == 200 and answer.json()["decision"] == "block"
            assert client.get("/v1/lists").json()["sources"][0]["source"] == "un_sc"

        # concurrent lookups (those arriving together go to the thread pool) answer as a lone one does
        def lookups(k: int) -> list[tuple[str, str | None]]:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                answers = [client.post("/v1/lookup", json=body).json() for body in (LISTED, CLEAN) * 3]
            return [(a["decision"], a["hits"][0]["source_id"] if a["hits"] else None) for a in answers]

        with ThreadPoolExecutor(6) as pool:
            for answers in pool.map(lookups, range(6)):
                assert answers == [("block", "QDi.290"), ("review", None)] * 3
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once shut down
        assert "service stopped" in (tmp_path / "service" / "serve.log").read_text()  # the lifespan ended cleanly
    finally:
        if server.poll() is None:
            server.kill()
