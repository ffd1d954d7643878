"""`screening lists …` end to end on the bundled snapshot, as an operator runs it."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from lists.refresh import snapshot_manifest
from screening.cli import main
from screening.store import connect as store_connect
from tests.conftest import un_xml_dated


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bundled list loaded once (the offline default of the main job)."""
    db = tmp_path_factory.mktemp("cli") / "store.duckdb"
    result = CliRunner().invoke(main, ["--db", str(db), "lists", "refresh", "--offline", "--json"])
    assert result.exit_code == 0, result.output
    return db


def _run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--db", str(db), *args])
    return result.exit_code, result.output


def test_offline_refresh_loads_every_bundled_list(loaded_db: Path) -> None:
    code, out = _run(loaded_db, "lists", "status", "--json")
    assert code == 0
    status = {row["source"]: row for row in json.loads(out)}
    assert set(status) == set(snapshot_manifest())
    expected = {"us_ofac_sdn": 13821, "us_ofac_cons": 442, "un_sc": 1003, "gb_ofsi": 4688, "au_dfat": 3062,
                "us_csl": 14160, "us_bis_dpl": 665, "cn_sanctions": 610, "eu_fsf": 5, "gb_fcdo": 5}
    assert {k: v["entries"] for k, v in status.items()} == expected
    assert all(row["is_snapshot"] and row["stale"] for row in status.values())
    assert str(status["us_ofac_sdn"]["publisher_date"]) == "2023-12-28"


def test_offline_refresh_again_is_unchanged(loaded_db: Path) -> None:
    code, out = _run(loaded_db, "lists", "refresh", "--offline", "--source", "un_sc", "--json")
    assert code == 0 and json.loads(out)[0]["status"] == "unchanged"


def test_status_text_flags_snapshot(loaded_db: Path) -> None:
    code, out = _run(loaded_db, "lists", "status")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("un_sc"))
    assert "2026-02-27" in line and "STALE" in line and "snapshot" in line and "1003" in line
    age = (dt.date.today() - dt.date(2026, 2, 27)).days
    assert f"{age}/7" in line and f"published {age} days ago (max 7)" in line and "never" in line


def test_load_and_diff(loaded_db: Path, shared_lists: Path, tmp_path: Path) -> None:
    db = tmp_path / "history.duckdb"
    for version in ("2025-11-15/consolidatedLegacyByPRN.xml", "2026-02-27/consolidated.xml"):
        code, out = _run(db, "lists", "load", "un_sc", str(shared_lists / "un_sc" / version))
        assert code == 0, out
    code, out = _run(db, "lists", "diff", "un_sc")
    assert code == 0
    assert "4 added, 1 removed" in out and "IQi.074" in out and "SDi.010" in out
    code, out = _run(db, "lists", "diff", "un_sc", "--json")
    assert {e["source_id"] for e in json.loads(out)["entries"] if e["change"] == "added"} == {
        "SDi.007", "SDi.008", "SDi.009", "SDi.010"}


def test_load_refusal_exits_non_zero(tmp_path: Path) -> None:
    empty = tmp_path / "consolidated.xml"
    empty.write_bytes(b"")
    code, out = _run(tmp_path / "s.duckdb", "lists", "load", "un_sc", str(empty))
    assert code == 5 and "REFUSED" in out and "empty file" in out


def _unindexed_versions(db: Path) -> list[int]:

    from screening.matching.index_store import missing_versions

    con = store_connect(str(db))
    try:
        return missing_versions(con)
    finally:
        con.close()


def test_refresh_leaves_the_match_index_ready(loaded_db: Path) -> None:
    """lookup() must not build the list index in memory on first use: the refresh built it."""
    assert _unindexed_versions(loaded_db) == []


def test_load_builds_the_match_index(tmp_path: Path) -> None:
    db = tmp_path / "one.duckdb"
    snapshot = Path(__file__).resolve().parents[2] / "lists" / "snapshot" / "un_sc" / "2026-02-27" / "consolidated.xml.gz"
    code, out = _run(db, "lists", "load", "un_sc", str(snapshot))
    assert code == 0, out
    names = int(out.split("match index ready: ")[1].split()[0].replace(",", ""))
    assert names > 1003  # every entry's names, aliases included
    assert _unindexed_versions(db) == []
    code, again = _run(db, "lists", "load", "un_sc", str(snapshot))  # unchanged: the same index, checked
    assert code == 0 and "unchanged" in again and f"match index ready: {names:,} names" in again


def test_a_rollback_is_refused_unless_forced_with_a_reason(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    today = dt.date.today()
    code, out = _run(db, "lists", "load", "un_sc", str(un_xml_dated(tmp_path, today)))
    assert code == 0, out
    old = un_xml_dated(tmp_path, today - dt.timedelta(days=3))
    code, out = _run(db, "lists", "load", "un_sc", str(old))
    assert code == 5 and out.startswith("REFUSED un_sc: publisher date") and "previous version stays in force" in out
    code, out = _run(db, "lists", "load", "un_sc", str(old), "--force", "  ")
    assert code == 2 and "--force needs a reason" in out
    code, out = _run(db, "lists", "load", "un_sc", str(old), "--force", "today's file is truncated (OPS-17)")
    assert code == 0 and "loaded version 2" in out
    code, out = _run(db, "lists", "status")
    line = next(line for line in out.splitlines() if line.startswith("un_sc"))
    assert "FORCED: today's file is truncated (OPS-17) (overrode: publisher date" in line
    con = store_connect(str(db))
    statuses = con.execute("SELECT status, forced_reason IS NOT NULL FROM list_fetches ORDER BY fetch_id").fetchall()
    con.close()
    assert statuses == [("loaded", False), ("rejected", False), ("loaded", True)]


def test_offline_refresh_never_replaces_a_newer_list(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    code, out = _run(db, "lists", "load", "un_sc", str(un_xml_dated(tmp_path, dt.date.today())))
    assert code == 0, out
    code, out = _run(db, "lists", "refresh", "--offline", "--source", "un_sc", "--json")
    assert code == 5
    [outcome] = json.loads(out[: out.rindex("]") + 1])
    assert outcome["status"] == "rejected" and "older than the version in force" in outcome["detail"]


def test_online_refresh_skips_the_manual_list(tmp_path: Path) -> None:
    code, out = _run(tmp_path / "s.duckdb", "lists", "refresh", "--source", "cn_sanctions")
    assert code == 0 and out.startswith("cn_sanctions   skipped") and "manual list" in out


def _holder(db: Path, read_only: bool, seconds: float | None = None) -> subprocess.Popen:
    """Another process holding the store (read-only like the service's reads, or read-write like a load)
    until its stdin closes (or for `seconds`); returns once it holds it."""
    code = textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db)!r}, read_only={read_only})
        print("held", flush=True)
        time.sleep({seconds}) if {seconds is not None} else sys.stdin.read()
        con.close()
    """)
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_status_and_diff_read_beside_other_processes(loaded_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """status and diff open the store read-only: beside a process reading it they answer at once (a
    read-write open would be refused); a writer's lock is waited for, then refused in one line."""
    monkeypatch.setenv("SCREENING_LOCK_WAIT_SECONDS", "0.3")
    reader = _holder(loaded_db, read_only=True)
    try:
        code, out = _run(loaded_db, "lists", "status", "--json")
        assert code == 0 and {row["source"] for row in json.loads(out)} == set(snapshot_manifest())
        code, out = _run(loaded_db, "lists", "diff", "un_sc", "--json")
        assert code == 0 and json.loads(out)["source"] == "un_sc"
    finally:
        reader.communicate("")
    writer = _holder(loaded_db, read_only=False)
    try:
        code, out = _run(loaded_db, "lists", "status")
        assert code == 4 and "held by another process" in out
    finally:
        writer.communicate("")
    monkeypatch.setenv("SCREENING_LOCK_WAIT_SECONDS", "30")
    writer = _holder(loaded_db, read_only=False, seconds=1.0)  # a short write transaction
    try:
        code, out = _run(loaded_db, "lists", "status", "--json")  # after the 'waiting' log line
        assert code == 0 and "waiting" in out and len(json.loads(out[out.index("\n[") + 1:])) == len(snapshot_manifest())
    finally:
        writer.communicate("")
