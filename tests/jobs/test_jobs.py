"""Job functions run directly (through the run-history wrapper) against real stores, real list files and a
real local HTTP server with faults."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from jobs.runner import mark_abandoned, run_job
from lists.parsing import read_bytes
from lists.refresh import snapshot_manifest
from screening.matching import snapshot
from screening.store import connect
from tests.jobs.conftest import ACCOUNTS, UN_2026, load_un, write_accounts

UN_BYTES = read_bytes(snapshot_manifest()["un_sc"].path)


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_delta_screens_only_the_changed_entries_of_the_new_version(service_db: Path) -> None:
    new_version = load_un(service_db, UN_2026)
    run = run_job("screen.delta", service_db)
    assert run.status == "succeeded", run.error
    out = run.outputs
    # 17 entries added, none changed, two removed (IQi.074, IRe.001): the run is masked to the 17
    assert (out["entries"], out["removed"], out["accounts"]) == (17, 2, len(ACCOUNTS))
    kind, entries_filter = _rows(service_db, "SELECT kind, entries_filter FROM screening_runs WHERE run_id = ?",
                                 [out["screening_run_id"]])[0]
    assert (kind, entries_filter) == ("delta", 17)
    hits = _rows(service_db, "SELECT DISTINCT account_id, source_id FROM screening_hits WHERE run_id = ? "
                             "AND band IN ('review', 'block_review')", [out["screening_run_id"]])
    by_account = {a: s for a, s in hits}
    assert by_account.get("ADD-1") == "QDi.290"
    assert by_account.get("ADD-2") == "KPi.006"
    assert by_account.get("ADD-3") == "QDe.157"
    # Eric Badege is listed in both versions with the same data: not part of this delta
    assert "SAME-1" not in by_account
    assert not [a for a in by_account if a.startswith("CLEAN")]
    # the alerts step turned the new hits into alerts
    alerted = {r[0] for r in _rows(service_db, "SELECT DISTINCT account_id FROM alerts WHERE kind = 'sanctions'")}
    assert {"ADD-1", "ADD-2", "ADD-3"} <= alerted and not [a for a in alerted if a.startswith("CLEAN")]
    assert out["alerts"] and "skipped" not in out["alerts"]
    # the SLA row of the new version is closed by this run
    screened = _rows(service_db, "SELECT delta_run_id, screened_at IS NOT NULL, entries_screened FROM list_sla "
                                 "WHERE version_id = ?", [new_version])
    assert screened == [(out["screening_run_id"], True, 17)]
    # nothing pending any more: the next run is a skip, recorded as such
    again = run_job("screen.delta", service_db)
    assert again.status == "skipped"


def test_full_rescreen_covers_every_entry_and_closes_pending_versions(service_db: Path) -> None:
    load_un(service_db, UN_2026)
    run = run_job("screen.full", service_db)
    assert run.status == "succeeded", run.error
    hit_accounts = {r[0] for r in _rows(service_db, "SELECT DISTINCT account_id FROM screening_hits WHERE run_id = ? "
                                                    "AND band <> 'low'", [run.outputs["screening_run_id"]])}
    assert {"ADD-1", "ADD-2", "ADD-3", "SAME-1"} <= hit_accounts
    assert run_job("screen.delta", service_db).status == "skipped"  # the full run covered the new version
    inputs = json.loads(_rows(service_db, "SELECT inputs FROM job_runs WHERE run_id = ?", [run.run_id])[0][0])
    assert inputs["config_hash"] and {v["source"] for v in inputs["list_versions"]} == {"un_sc"}


def test_import_moves_files_and_screens_new_accounts(service_db: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []
    assert len(list((inbox / "done").iterdir())) == 1
    # a changed account (new name) and a broken file
    write_accounts(inbox / "update.csv", {"CLEAN-2": ("person", "Eric Badege", "1971-01-01")})
    broken = inbox / "broken.csv"
    broken.write_text("id;nom\n1;x\n", encoding="utf-8")
    os.utime(broken, (0, 0))
    run = run_job("accounts.import", service_db)
    assert run.status == "failed" and "broken.csv" in run.error  # the good file is still imported
    assert [i["file"] for i in run.outputs["imported"]] == ["update.csv"]
    assert (inbox / "failed").is_dir() and any(p.name.endswith(".reason.txt") for p in (inbox / "failed").iterdir())
    screen = run.outputs["screen"]
    assert screen["status"] == "succeeded" and screen["accounts"] == 1
    hits = _rows(service_db, "SELECT account_id, source_id FROM screening_hits WHERE run_id = ? AND band <> 'low'",
                 [screen["screening_run_id"]])
    assert ("CLEAN-2", "CDi.001") in hits
    assert run_job("screen.accounts", service_db).status == "skipped"  # watermark: nothing new


def test_refresh_job_against_a_faulty_server(db_path: Path, httpserver: HTTPServer, monkeypatch) -> None:
    monkeypatch.setenv("SCREENING_HTTP_TIMEOUT", "2")
    monkeypatch.setenv("SCREENING_HTTP_RETRIES", "1")
    monkeypatch.setenv("SCREENING_URL_UN_SC", httpserver.url_for("/consolidated.xml"))
    params = {"sources": ["un_sc"]}
    httpserver.expect_oneshot_request("/consolidated.xml").respond_with_data("overloaded", status=503)
    httpserver.expect_oneshot_request("/consolidated.xml").respond_with_data("overloaded", status=503)
    failed = run_job("lists.refresh", db_path, params=params)
    assert failed.status == "failed" and "un_sc failed" in failed.error
    assert snapshot.current_id(db_path.parent / "index") is None  # nothing to publish

    def conditional(request: Request) -> Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(UN_BYTES, headers={"ETag": '"v1"'}, content_type="application/xml")

    httpserver.clear_all_handlers()
    httpserver.expect_request("/consolidated.xml").respond_with_handler(conditional)
    loaded = run_job("lists.refresh", db_path, params=params)
    assert loaded.status == "succeeded", loaded.error
    assert loaded.outputs["outcomes"] == {"un_sc": "loaded"}
    delta = loaded.outputs["delta"]  # chained right after the load; no account yet, so no screening run
    assert (delta["status"], delta["accounts"], delta["screening_run_id"]) == ("succeeded", 0, None)
    published = snapshot.load(db_path.parent / "index")
    assert published.snapshot_id == loaded.outputs["snapshot_id"]
    assert {v["source"] for v in published.manifest["versions"]} == {"un_sc"}
    fetched, loaded_at, published_at = _rows(db_path, "SELECT fetched_at, loaded_at, published_at FROM list_sla")[0]
    assert fetched <= loaded_at <= published_at
    unchanged = run_job("lists.refresh", db_path, params=params)
    assert unchanged.outputs["outcomes"] == {"un_sc": "unchanged"} and "delta" not in unchanged.outputs
    assert unchanged.outputs["snapshot_id"] == published.snapshot_id
    statuses = [r[0] for r in _rows(db_path, "SELECT status FROM job_runs WHERE job_id = 'lists.refresh' ORDER BY run_id")]
    assert statuses == ["failed", "succeeded", "succeeded"]


def test_stale_alarm_raises_once_per_episode(service_db: Path, monkeypatch) -> None:
    first = run_job("lists.stale_alarm", service_db)
    # UN is loaded (a 2025 file: published too long ago), the other mandatory lists are missing
    assert "un_sc" in first.outputs["stale"] and len(first.outputs["stale"]) > 1
    assert set(first.outputs["raised"]) == set(first.outputs["stale"])
    details = dict(_rows(service_db, "SELECT source, detail FROM list_alarms WHERE cleared_at IS NULL"))
    assert "published" in details["un_sc"] and all(d == "no version loaded" for s, d in details.items() if s != "un_sc")
    assert run_job("lists.stale_alarm", service_db).outputs["raised"] == []  # one alarm per episode
    freshness = snapshot.read_freshness(service_db.parent / "index")
    assert set(snapshot.stale_sources(freshness)) == set(first.outputs["stale"])


def test_crashed_runs_are_marked_abandoned(service_db: Path) -> None:
    con = connect(service_db)
    con.execute("INSERT INTO job_runs (run_id, job_id, trigger, started_at, status, pid, host) "
                "VALUES (9999, 'screen.full', 'cron', now(), 'running', 2147480000, ?)", [__import__("socket").gethostname()])
    con.close()
    assert mark_abandoned(service_db) == 1
    assert _rows(service_db, "SELECT status FROM job_runs WHERE run_id = 9999") == [("abandoned",)]


def test_purge_keeps_held_accounts(service_db: Path) -> None:
    con = connect(service_db)
    for account in ("OLD-1", "OLD-2"):  # closed twenty-five years ago, no alert
        con.execute("INSERT INTO accounts (account_id, subject_type, name, status, updated_at, fingerprint, "
                    "first_import_id, last_import_id) VALUES (?, 'person', 'Old Person', 'closed', "
                    "TIMESTAMP '2001-01-01', 'x', 1, 1)", [account])
    con.execute("INSERT INTO legal_holds VALUES ('OLD-2', now(), 'officer-1', 'court order', NULL)")
    con.close()
    run = run_job("retention.purge", service_db)
    assert run.status == "succeeded", run.error
    assert run.outputs["accounts_purged"] == 1
    left = {r[0] for r in _rows(service_db, "SELECT account_id FROM accounts")}
    assert "OLD-1" not in left and "OLD-2" in left and set(ACCOUNTS) <= left  # open accounts are never purged


def test_report_job_runs_through_the_registry(service_db: Path) -> None:
    """report.nightly, whose reports/ import the registry defers to the run, writes the day's report."""
    run = run_job("report.nightly", service_db)
    assert run.status == "succeeded", run.error
    assert Path(run.outputs["html"]).is_file()
    assert _rows(service_db, "SELECT count(*) FROM reports")[0][0] == 1
