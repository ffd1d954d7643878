"""The lookup-event spool: appended without the store, folded by the job, nothing lost when a process dies
mid-file (its active file is folded once the process is gone), a torn last line skipped, folds idempotent."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from jobs.runner import run_job
from screening.registration.events import Spool, fold, foldable
from screening.store import connect


def _event(k: int) -> dict:
    return {"screening_id": f"s{k}", "looked_up_at": "2026-12-03T08:00:00+00:00", "client": "web", "account_id": None,
            "subject_type": "person", "name": f"Name {k}", "birth_date": None, "country": "CN", "id_type": "RIC",
            "id_hash": "ab" * 32, "decision": "clear", "reasons": [], "hits": [],
            "list_versions": [{"source": "un_sc", "version_id": 1, "sha256": "x"}], "config_hash": "c",
            "snapshot_id": "snap", "stale_sources": [], "took_ms": 1.5}


def test_crashed_writer_loses_nothing(db_path: Path, tmp_path: Path) -> None:
    spool_dir = tmp_path / "service" / "spool"
    # another process appends three events and dies without closing its file (os._exit: no cleanup)
    script = textwrap.dedent(f"""
        import json, os, sys
        from screening.registration.events import Spool
        spool = Spool({str(spool_dir)!r}, rotate_seconds=3600)
        for k in range(3):
            spool.append({{**json.loads(sys.argv[1]), "screening_id": f"crash{{k}}"}})
        with open(spool._path, "ab") as handle:
            handle.write(b'{{"screening_id": "torn", "looked_')  # killed in the middle of a line
        os._exit(9)
    """)
    done = subprocess.run([sys.executable, "-c", script, json.dumps(_event(0))], cwd=Path(__file__).parents[3],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 9, done.stderr
    assert [p.name.split("-")[0] for p in foldable(spool_dir)] == ["active"]  # its writer is gone

    spool = Spool(spool_dir)  # this process: its active file is not folded until rotated
    spool.append(_event(1))
    assert len(foldable(spool_dir)) == 1
    spool.rotate()
    run = run_job("lookups.fold", db_path, params={})
    assert run.status == "succeeded", run.error
    assert run.outputs == {"files": 2, "events": 4, "torn": 1, "lookup_alerts": 0}  # all clear, no account
    con = connect(db_path)
    rows = con.execute("SELECT screening_id, decision, id_hash, payload_sha256 FROM lookup_events ORDER BY 1").fetchall()
    assert [r[0] for r in rows] == ["crash0", "crash1", "crash2", "s1"]
    assert all(len(r[3]) == 64 for r in rows)
    # folding the same events again (a crash between insert and delete) adds nothing
    spool.append(_event(1))
    spool.rotate()
    assert fold(con, spool_dir)["events"] == 1
    assert con.execute("SELECT count(*) FROM lookup_events").fetchall()[0][0] == 4
    con.close()
    assert foldable(spool_dir) == []


def test_a_non_clear_lookup_of_a_registering_account_becomes_an_alert(db_path: Path, tmp_path: Path) -> None:
    spool = Spool(tmp_path / "service" / "spool")
    review = {**_event(7), "account_id": "acc-7", "decision": "review",
              "reasons": ["lists stale: un_sc (bundled snapshot)"]}
    anonymous = {**_event(8), "decision": "block", "hits": [{"source": "un_sc", "source_id": "QDi.1", "score": 0.95,
                                                             "band": "block_review"}]}  # no account: no alert
    for event in (review, _event(9) | {"account_id": "acc-9"}, anonymous):  # acc-9 was clear
        spool.append(event)
    spool.rotate()
    run = run_job("lookups.fold", db_path, params={})
    assert run.status == "succeeded", run.error
    assert run.outputs["lookup_alerts"] == 1
    con = connect(db_path)
    alerts = con.execute("SELECT account_id, state FROM alerts").fetchall()
    assert alerts == [("acc-7", "open")]
    con.close()


def test_in_process_lookups_are_recorded_like_the_apis_even_when_the_process_crashes(fresh: Path) -> None:
    """lookup() appends its event to the store's spool (no store opened); a process killed right after its
    lookups loses none of them: the fold job takes its file once it is gone, and the non-clear lookup of a
    registering account becomes an alert. The ID number is kept only as its keyed hash."""
    spool_dir = fresh.parent / "service" / "spool"
    script = textwrap.dedent(f"""
        import json, os
        from screening.registration import lookup
        listed = lookup("Igor Ivanovich Sechin", subject_type="person", db={str(fresh)!r}, account_id="acc-1",
                        id_type="PASSPORT", id_number="E-1234567")
        clean = lookup("Zhang Xiuying", subject_type="person", db={str(fresh)!r})
        print(json.dumps([[listed.screening_id, listed.decision], [clean.screening_id, clean.decision]]))
        os._exit(9)  # a crash: no clean-up, the spool file stays active
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[3], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 9, done.stderr
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    assert [decision for _, decision in answers] == ["block", "clear"]
    files = foldable(spool_dir)
    assert [p.name.split("-")[0] for p in files] == ["active"]
    assert b"E-1234567" not in files[0].read_bytes() and b"E1234567" not in files[0].read_bytes()

    run = run_job("lookups.fold", fresh, params={})
    assert run.status == "succeeded", run.error
    assert (run.outputs["events"], run.outputs["lookup_alerts"]) == (2, 1)
    con = connect(fresh)
    try:
        rows = con.execute("SELECT screening_id, decision, account_id, id_hash, snapshot_id FROM lookup_events "
                           "ORDER BY looked_up_at").fetchall()
        alerts = con.execute("SELECT account_id FROM alerts").fetchall()
    finally:
        con.close()
    assert [(r[0], r[1]) for r in rows] == [tuple(a) for a in answers]
    assert rows[0][2] == "acc-1" and len(rows[0][3]) == 64 and rows[0][4]
    assert rows[1][3] is None  # no ID number given
    assert alerts == [("acc-1",)]


def test_only_recorded_lookups_write_events(fresh: Path) -> None:
    from screening.registration import lookup
    from screening.registration.events import spool_for

    lookup("Zhang Xiuying", subject_type="person", db=fresh, record=False)
    recorded = lookup("Zhang Xiuying", subject_type="person", db=fresh, account_id="acc-2")
    spool_for(fresh).rotate()  # hand this process's file over, as at exit
    lines = [json.loads(line) for f in foldable(fresh.parent / "service" / "spool")
             for line in f.read_bytes().splitlines()]
    assert [(e["screening_id"], e["account_id"], e["decision"]) for e in lines] == [
        (recorded.screening_id, "acc-2", "clear")]


def test_a_full_file_is_handed_over_while_appends_go_on(tmp_path: Path) -> None:
    """Rotation by age: the next append starts a new file at once; the full one turns `ready-` (synced)
    in the background, with every event it got."""
    import time

    spool = Spool(tmp_path, rotate_seconds=0.0)  # every append starts a new file
    for k in range(3):
        spool.append(_event(k))
    deadline = time.monotonic() + 30
    while len(list(tmp_path.glob("ready-*.jsonl"))) < 2:
        assert time.monotonic() < deadline, sorted(p.name for p in tmp_path.iterdir())
        time.sleep(0.05)
    active = list(tmp_path.glob("active-*.jsonl"))
    assert len(active) == 1 and json.loads(active[0].read_text())["screening_id"] == "s2"
    ready = sorted(json.loads(p.read_text())["screening_id"] for p in tmp_path.glob("ready-*.jsonl"))
    assert ready == ["s0", "s1"]
    spool.close()
    assert not list(tmp_path.glob("active-*.jsonl"))
