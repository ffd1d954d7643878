"""The audit trail: tampering with any decision, workflow row or event by SQL makes `audit verify`
fail and name it; purging a payload does not break the chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.alerts import audit, decisions, flags, ingest_run
from screening.store import connect
from tests.screening.alerts.conftest import Cli, copy_store


def _worked_store(template: Path, directory: Path) -> Path:
    """Alerts decided both ways, a flag approved and exported, a suppression, notices."""
    path = copy_store(template, directory)
    con = connect(path)
    ingest_run(con, 1)
    by_account = dict(con.execute("SELECT account_id, alert_id FROM alerts").fetchall())
    d1 = decisions.decide(con, by_account["P3"], "ann", "true_match", ["ID_NUMBER_MATCH"], "document")["decision_id"]
    decisions.approve(con, d1, "bob")
    d2 = decisions.decide(con, by_account["P2"], "amy", "false_positive", ["dob_mismatch"], "other person",
                          suppress=True)["decision_id"]
    decisions.approve(con, d2, "dan")
    flags.export(con, directory / "flags.csv")
    con.close()
    return path


TAMPERING = [
    ("UPDATE decisions SET note = 'edited' WHERE decision_id = 1", "decision 1: row differs"),
    ("UPDATE decisions SET checker = maker WHERE decision_id = 1", "decision 1: row differs"),
    ("UPDATE decisions SET reason_codes = '[\"OTHER\"]' WHERE decision_id = 2", "decision 2: row differs"),
    ("DELETE FROM decisions WHERE decision_id = 2", "decision 2: row deleted"),
    ("UPDATE alerts SET state = 'closed_false_positive' WHERE account_id = 'P3'", "row differs"),
    ("UPDATE alert_hits SET disposition = 'not_match' WHERE source_id = 'IQi.074'", "row differs"),
    ("UPDATE suppressions SET expires_at = expires_at + INTERVAL 10 YEAR", "suppression 1: row differs"),
    ("UPDATE flags SET state = 'lifted'", "flag 1: row differs"),
    ("UPDATE notices SET text = 'pay here' WHERE notice_id = 1", "notice 1: row differs"),
    ("INSERT INTO suppressions SELECT * REPLACE (99 AS suppression_id) FROM suppressions", "suppression 99: row not in the audit log"),
    ("UPDATE audit_events SET actor = 'mallory' WHERE seq = 5", "event 5: hash does not match"),
    ("UPDATE audit_events SET action = 'decision.approved' WHERE seq = 7", "event 7: hash does not match"),
    ("DELETE FROM audit_events WHERE seq = 6", "event 7: a gap"),
    ("UPDATE audit_payloads SET payload = replace(payload, 'ann', 'eve')", "its payload was changed"),
]


@pytest.mark.parametrize(("sql", "named"), TAMPERING)
def test_tampering_is_named(template: Path, tmp_path: Path, sql: str, named: str) -> None:
    path = _worked_store(template, tmp_path)
    con = connect(path)
    assert audit.verify(con).ok
    con.execute(sql)
    result = audit.verify(con)
    con.close()
    assert not result.ok
    assert any(named in p for p in result.problems), result.problems
    out = Cli(path).run("audit", "verify", code=8)
    assert "does not verify" in out.output and named.split(":")[0] in out.output


def test_rehashed_event_is_caught_by_its_successor(template: Path, tmp_path: Path) -> None:
    """An edit that also recomputes the edited event's own hash breaks the link to the next one."""
    path = _worked_store(template, tmp_path)
    con = connect(path)
    seq, prev, digest, at, action, entity, entity_id = con.execute(
        "SELECT seq, prev_hash, payload_digest, occurred_at, action, entity, entity_id FROM audit_events WHERE seq = 4"
    ).fetchall()[0]
    forged = audit.chain_hash(prev, digest, at, "mallory", action, entity, entity_id)
    con.execute("UPDATE audit_events SET actor = 'mallory', hash = ? WHERE seq = ?", [forged, seq])
    assert audit.verify(con).problems[0] == "event 5: prev_hash does not match the event before"


def test_payload_purge_keeps_the_chain(template: Path, tmp_path: Path) -> None:
    path = _worked_store(template, tmp_path)
    con = connect(path)
    con.execute("DELETE FROM audit_payloads WHERE payload_digest = (SELECT payload_digest FROM audit_events WHERE seq = 3)")
    result = audit.verify(con)
    assert result.ok and result.purged_payloads == 1


def _rewrite_history_from(con, first: int) -> None:
    """What a forger with write access does: edit event `first` and recompute every hash after it."""
    rows = con.execute("SELECT seq, prev_hash, payload_digest, occurred_at, actor, action, entity, entity_id "
                       "FROM audit_events WHERE seq >= ? ORDER BY seq", [first]).fetchall()
    prev = rows[0][1]
    for seq, _, digest, at, actor, action, entity, entity_id in rows:
        actor = "mallory" if seq == first else actor
        new = audit.chain_hash(prev, digest, at, actor, action, entity, entity_id)
        con.execute("UPDATE audit_events SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?", [actor, prev, new, seq])
        prev = new


def test_a_recomputed_chain_is_caught_by_an_anchor_kept_outside(template: Path, tmp_path: Path) -> None:
    """A rewritten and fully re-hashed history verifies on its own; the head printed earlier does not match."""
    path = _worked_store(template, tmp_path)
    con = connect(path)
    before = audit.verify(con)
    anchor = (before.events, before.head)
    _rewrite_history_from(con, 4)
    assert audit.verify(con).ok  # the chain alone cannot tell
    result = audit.verify(con, (anchor,))
    assert result.problems == [f"anchor {anchor[0]}: event {anchor[0]} now has hash {audit.verify(con).head}, "
                               f"the anchor says {anchor[1]} (history rewritten)"]
    con.execute("DELETE FROM audit_events WHERE seq = ?", [anchor[0]])
    assert f"anchor {anchor[0]}: the chain has no event" in audit.verify(con, (anchor,)).problems[0]
    con.close()
    out = Cli(path).run("audit", "verify", "--anchor", f"{anchor[0]}:{anchor[1]}", code=8)
    assert "history cut" in out.output


def test_cli_anchor_holds_on_an_untouched_chain_and_refuses_a_malformed_one(template: Path, tmp_path: Path) -> None:
    path = _worked_store(template, tmp_path)
    con = connect(path)
    head = audit.verify(con)
    con.close()
    assert "audit chain verified" in Cli(path).run("audit", "verify", "--anchor", f"3:{_hash_of(path, 3)}",
                                                   "--anchor", f"{head.events}:{head.head}").output
    out = Cli(path).run("audit", "verify", "--anchor", "three:abc", code=2)
    assert "is not SEQ:HASH" in out.output and "Traceback" not in out.output


def _hash_of(path: Path, seq: int) -> str:
    con = connect(path, read_only=True)
    try:
        return con.execute("SELECT hash FROM audit_events WHERE seq = ?", [seq]).fetchall()[0][0]
    finally:
        con.close()
