"""The workflow's rules one by one: refusals (role, inactive officer, state, four-eyes, missing note or
follow-up, unknown reason), the regime policy (legal escalation for a Chinese subject on a foreign
unilateral list), lookups, data-quality and eligibility alerts, notices and receipts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from screening import exc
from screening.alerts import (
    alert_from_lookup,
    alerts,
    audit,
    decisions,
    flags,
    ingest_eligibility,
    ingest_run,
    notices,
)
from screening.alerts import policy as policy_mod
from screening.store import connect
from tests.screening.alerts.conftest import Cli, copy_store


@pytest.fixture
def con(template: Path, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    c = connect(copy_store(template, tmp_path))
    ingest_run(c, 1)
    yield c
    c.close()


def _alert(con: duckdb.DuckDBPyConnection, account_id: str) -> int:
    return int(con.execute("SELECT alert_id FROM alerts WHERE account_id = ? ORDER BY alert_id DESC LIMIT 1",
                           [account_id]).fetchall()[0][0])


def _events(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT count(*) FROM audit_events").fetchall()[0][0])


def test_one_open_alert_per_account_with_priority_and_reasons(con: duckdb.DuckDBPyConnection) -> None:
    rows = alerts.listing(con)
    assert sorted(a["account_id"] for a in rows) == ["P1", "P2", "P3"]
    for a in rows:
        assert a["state"] == "open" and a["priority"] == "P1"  # block_review on a UN list
        assert a["hits"][0]["regime"] == "UN" and a["hits"][0]["reasons"]["name"]["alignment"]
    assert ingest_run(con, 1)["already_ingested"]


@pytest.mark.parametrize(("officer", "error"), [
    ("cat", exc.Forbidden),      # auditor: read-only
    ("eve", exc.Forbidden),      # inactive
    ("nobody", exc.Forbidden),   # unknown
])
def test_only_known_active_officers_with_the_role_act(con: duckdb.DuckDBPyConnection, officer: str, error: type) -> None:
    before = _events(con)
    with pytest.raises(error):
        decisions.decide(con, _alert(con, "P1"), officer, "false_positive", ["OTHER"], "x")
    with pytest.raises(error):
        alerts.assign(con, _alert(con, "P1"), officer)
    assert _events(con) == before


def test_decision_inputs(con: duckdb.DuckDBPyConnection) -> None:
    alert_id = _alert(con, "P1")
    with pytest.raises(exc.UsageError, match="unknown reason"):
        decisions.decide(con, alert_id, "ann", "false_positive", ["BECAUSE"], "x")
    with pytest.raises(exc.UsageError, match="note"):
        decisions.decide(con, alert_id, "ann", "false_positive", ["OTHER"], "  ")
    with pytest.raises(exc.UsageError, match="follow-up"):
        decisions.decide(con, alert_id, "ann", "inconclusive", ["OTHER"], "need the passport")
    with pytest.raises(exc.UsageError, match="suppress"):
        decisions.decide(con, alert_id, "ann", "true_match", ["OTHER"], "x", suppress=True)
    follow_up = audit.now().date().replace(year=audit.now().year + 1)
    d = decisions.decide(con, alert_id, "ann", "inconclusive", ["partial_name_only"], "need the passport",
                         follow_up=follow_up)
    assert d["status"] == "final" and d["alert_state"] == "closed_inconclusive"
    row = decisions.get(con, d["decision_id"])
    assert json.loads(row["reason_codes"]) == ["PARTIAL_NAME_ONLY"]
    assert row["policy_hash"] == policy_mod.load().sha256 and row["config_hash"]
    with pytest.raises(exc.ActionRefused):  # closed: nothing left to decide
        decisions.decide(con, alert_id, "ann", "false_positive", ["OTHER"], "x")
    # the follow-up date comes: the next ingestion reopens the alert with its findings pending
    later = audit.now() + dt.timedelta(days=400)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(audit, "now", lambda: later)
        con.execute("INSERT INTO screening_runs SELECT * REPLACE (2 AS run_id) FROM screening_runs WHERE run_id = 1")
        assert ingest_run(con, 2)["follow_ups_reopened"] == 1
    assert alerts.get(con, alert_id)["state"] == "open"
    assert {h["disposition"] for h in alerts.show(con, alert_id)["hits"]} == {"pending"}
    assert audit.verify(con).ok


def test_block_review_false_positive_needs_a_second_officer(con: duckdb.DuckDBPyConnection) -> None:
    alert_id = _alert(con, "P1")
    alerts.assign(con, alert_id, "ann")
    with pytest.raises(exc.ActionRefused, match="in review by ann"):
        decisions.decide(con, alert_id, "amy", "false_positive", ["OTHER"], "x")
    d = decisions.decide(con, alert_id, "ann", "false_positive", ["DOB_MISMATCH"], "born elsewhere")
    assert d["status"] == "pending" and d["alert_state"] == "pending_approval"
    rejected = decisions.reject(con, d["decision_id"], "bob", "look at the birth place")
    assert rejected["status"] == "rejected" and alerts.get(con, alert_id)["state"] == "in_review"
    with pytest.raises(exc.ActionRefused):
        decisions.approve(con, d["decision_id"], "dan")  # a rejected decision stays rejected
    d2 = decisions.decide(con, alert_id, "ann", "false_positive", ["DOB_MISMATCH"], "checked the birth place")
    decisions.approve(con, d2["decision_id"], "dan")
    assert alerts.get(con, alert_id)["state"] == "closed_false_positive"


def test_new_findings_block_an_approval(con: duckdb.DuckDBPyConnection) -> None:
    """Findings added after the maker decided: the checker cannot approve what the maker did not see."""
    alert_id = _alert(con, "P1")
    d = decisions.decide(con, alert_id, "ann", "true_match", ["NAME_AND_DOB_MATCH"], "same person")
    con.execute("UPDATE list_entries SET fingerprint = 'changed' WHERE source_id = 'HTi.006'")  # entry data changed
    con.execute("INSERT INTO screening_runs SELECT * REPLACE (2 AS run_id) FROM screening_runs WHERE run_id = 1")
    con.execute("INSERT INTO screening_run_versions SELECT * REPLACE (2 AS run_id) FROM screening_run_versions WHERE run_id = 1")
    con.execute("INSERT INTO screening_hits SELECT * REPLACE (2 AS run_id) FROM screening_hits WHERE run_id = 1")
    assert ingest_run(con, 2)["alerts_updated"] == 1
    with pytest.raises(exc.ActionRefused, match="added after decision"):
        decisions.approve(con, d["decision_id"], "bob")
    assert alerts.get(con, alert_id)["state"] == "pending_approval"


def test_policy_requires_escalation_for_chinese_subject(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A policy where the UN list is treated as a foreign unilateral regime for Chinese subjects."""
    text = policy_mod.DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "  - regimes: [UN, CN]\n    subject_cn: any", "  - regimes: [CN]\n    subject_cn: any"
    ).replace("  - regimes: [US, EU, UK, AU]\n    subject_cn: true", "  - regimes: [UN, US, EU, UK, AU]\n    subject_cn: true"
    ).replace('version: "2026-12-03.2"', 'version: "test"')
    path = tmp_path / "policy.yml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SCREENING_POLICY_FILE", str(path))
    con.execute("UPDATE accounts SET nationality = 'CN' WHERE account_id = 'P1'")
    con.execute("INSERT INTO screening_runs SELECT * REPLACE (2 AS run_id) FROM screening_runs WHERE run_id = 1")
    con.execute("INSERT INTO screening_run_versions SELECT * REPLACE (2 AS run_id) FROM screening_run_versions WHERE run_id = 1")
    con.execute("INSERT INTO screening_hits SELECT * REPLACE (2 AS run_id) FROM screening_hits WHERE run_id = 1 AND account_id = 'P1'")
    decisions.decide(con, _alert(con, "P1"), "ann", "inconclusive", ["OTHER"], "wait",
                     follow_up=audit.now().date().replace(year=audit.now().year + 1))
    ingest_run(con, 2)  # account data changed: a new alert under the new policy
    alert_id = _alert(con, "P1")
    assert alerts.get(con, alert_id)["policy_action"] == "escalate_legal"
    with pytest.raises(exc.ActionRefused, match="legal escalation"):
        decisions.decide(con, alert_id, "ann", "true_match", ["OTHER"], "same person")
    alerts.escalate(con, alert_id, "ann", "AFSL: legal to advise")
    d = decisions.decide(con, alert_id, "ann", "true_match", ["CONFIRMED_BY_DOCUMENT"], "legal confirmed")
    decisions.approve(con, d["decision_id"], "bob")
    assert flags.listing(con) == [] and notices.listing(con) == []  # no automatic suspension or notice
    assert decisions.get(con, d["decision_id"])["policy_hash"] == policy_mod.load().sha256 != policy_mod.load(
        policy_mod.DEFAULT_POLICY).sha256


def test_lookup_alert(template: Path, tmp_path: Path) -> None:
    """Real lookups on a store holding only the UN list (the other mandatory lists are missing, so
    even a name without a hit is `review`, never `clear`)."""
    from screening.registration import lookup

    path = copy_store(template, tmp_path)
    hit = lookup("MUNIR AL QUBAYSI", subject_type="person", birth_date="1966-01-01", db=path)
    no_hit = lookup("Zhou Xiaoming", subject_type="person", db=path)
    assert hit.hits and no_hit.decision == "review" and not no_hit.hits
    con = connect(path)
    assert alert_from_lookup(con, "R0", {**no_hit.to_dict(), "decision": "clear"}) is None
    assert alert_from_lookup(con, "R1", hit)["alerts_opened"] == 1
    [alert] = alerts.listing(con, account_id="R1")
    assert [h["source_id"] for h in alert["hits"]] == ["IQi.074"] and alert["hits"][0]["origin"] == "lookup"
    assert alert["hits"][0]["entry_fp"]  # the entry's fingerprint, for suppression
    alert_from_lookup(con, "R2", no_hit)
    [dq] = alerts.listing(con, account_id="R2")
    assert dq["kind"] == "data_quality" and "stale" in dq["hits"][0]["reasons"]
    assert audit.verify(con).ok


def test_unscreened_accounts_become_data_quality_alerts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO screening_runs SELECT * REPLACE (2 AS run_id) FROM screening_runs WHERE run_id = 1")
    con.execute("INSERT INTO screening_unscreened VALUES (2, 'Q9', 17, 'no usable name')")
    con.execute("INSERT INTO account_data_issues VALUES (1, 2, 'P2', 3, 'birth_date', 'impossible date')")
    summary = ingest_run(con, 2)
    assert summary["alerts_opened"] == 1 and summary["alerts_updated"] == 1  # P2 has an open alert already
    [alert] = alerts.listing(con, account_id="Q9")
    assert alert["kind"] == "data_quality" and alert["hits"][0]["source_id"] == "no usable name"
    [p2] = alerts.listing(con, account_id="P2")
    assert p2["kind"] == "sanctions" and "birth_date: impossible date" in {h["source_id"] for h in p2["hits"]}
    with pytest.raises(exc.ActionRefused, match="cannot suppress"):
        decisions.decide(con, alert["alert_id"], "ann", "false_positive", ["OTHER"], "x", suppress=True)


def test_eligibility_alerts_follow_the_same_decisions(tmp_path: Path) -> None:
    """Real eligibility run: a checksum failure → a request for correction; a name impersonating the
    platform → its display name suspended and the notice before cancelling; both four-eyes."""
    from screening.accounts import read_accounts, store_import
    from screening.alerts import officers
    from screening.eligibility.run import run_eligibility
    from tests.screening.alerts.conftest import write_accounts

    con = connect(tmp_path / "e.duckdb")
    for name, role in (("ann", "analyst"), ("bob", "approver")):
        officers.add(con, name, role)
    accounts = write_accounts(tmp_path / "a.csv", [
        "E1,person,李雷,Li Lei,1990-01-01,CN,CN,RIC,110105199001010011,雷",      # checksum fails
        "E2,person,韩梅梅,Han Meimei,1985-05-05,CN,CN,passport,E12345678,官方客服",  # impersonation words
    ])
    imported = read_accounts(accounts)
    store_import(con, imported)
    run_id, _ = run_eligibility(con, imported)
    summary = ingest_eligibility(con, run_id)
    assert summary["alerts_opened"] >= 1
    for a in alerts.listing(con):
        assert a["kind"] == "eligibility"
        d = decisions.decide(con, a["alert_id"], "ann", "true_match", ["CONFIRMED_BY_DOCUMENT"], "checked")
        assert d["status"] == "pending"
        decisions.approve(con, d["decision_id"], "bob")
    codes = {(r[0], r[1]) for r in con.execute("SELECT account_id, code FROM eligibility_reasons").fetchall()}
    assert codes == {("E1", "id_checksum"), ("E2", "staff_impersonation")}
    sent = {(n["account_id"], n["kind"]) for n in notices.listing(con)}
    assert sent == {("E1", "correction_request"), ("E2", "brand_name")}
    assert [(f["account_id"], f["kind"], f["scope"], f["basis"][0]["code"]) for f in flags.listing(con)] == [
        ("E2", "suspend", ["display_name"], "staff_impersonation")]  # a correction request suspends nothing
    for n in notices.listing(con):
        assert "110105" not in n["text"] and "E12345678" not in n["text"]
    assert audit.verify(con).ok


def test_receipts_are_all_or_nothing(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    d = decisions.decide(con, _alert(con, "P3"), "ann", "true_match", ["ID_NUMBER_MATCH"], "document")
    decisions.approve(con, d["decision_id"], "bob")
    flags.export(con, tmp_path / "f.json")
    [exported] = json.loads((tmp_path / "f.json").read_text())
    receipt = tmp_path / "receipt.csv"
    receipt.write_text(f"flag_id\n{exported['flag_id']}\n999\n")
    before = _events(con)
    with pytest.raises(exc.InputError, match="line 3: no flag 999"):
        flags.applied(con, receipt)
    assert _events(con) == before and flags.get(con, exported["flag_id"])["state"] == "exported"


def test_hostile_names_are_neutralised_in_exports(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    con.execute("UPDATE list_entries SET primary_name = '=cmd|''/c calc''!A1 \u202eevil' WHERE source_id = 'IQi.074'")
    d = decisions.decide(con, _alert(con, "P3"), "ann", "true_match", ["ID_NUMBER_MATCH"], "document")
    decisions.approve(con, d["decision_id"], "bob")
    flags.export(con, tmp_path / "f.csv")
    text = (tmp_path / "f.csv").read_text(encoding="utf-8")
    assert "\u202e" not in text and "IQi.074" in text


def test_cli_contract(template: Path, tmp_path: Path) -> None:
    cli = Cli(copy_store(template, tmp_path))
    cli.run("alerts", "ingest", "--run", "1")
    listed = cli.json("alerts", "list", "--state", "all")
    assert {"alert_id", "account_id", "state", "priority", "hits"} <= set(listed[0])
    alert_id = str(listed[0]["alert_id"])
    shown = cli.json("alerts", "show", alert_id)
    assert shown["hits"] and shown["history"][0]["action"] == "alert.opened"
    cli.run("alerts", "assign", alert_id, "--officer", "cat", code=7)
    cli.run("alerts", "show", "999", code=6)
    cli.run("alerts", "list", "--state", "nonsense", code=2)
    out = cli.json("alerts", "decide", alert_id, "--officer", "ann", "--outcome", "true_match", "--reason", "other",
                   "--note", "n")
    assert set(out) >= {"decision_id", "status"}
    cli.run("decisions", "reject", str(out["decision_id"]), "--officer", "bob", "--note", "no")
    cli.run("officers", "add", "bob", "--role", "analyst", code=7)
    assert cli.json("alerts", "suppressions") == []
    assert cli.json("audit", "verify")["ok"]


def test_the_followups_job_reopens_due_inconclusive_alerts_without_a_new_run(con: duckdb.DuckDBPyConnection) -> None:
    from screening.alerts import run_followups

    alert_id = _alert(con, "P1")
    follow_up = audit.now().date() + dt.timedelta(days=30)
    decisions.decide(con, alert_id, "ann", "inconclusive", ["OTHER"], "need the passport", follow_up=follow_up)
    assert run_followups(con) == {"suppressions_expired": 0, "follow_ups_reopened": 0}  # not due yet
    later = audit.now() + dt.timedelta(days=31)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(audit, "now", lambda: later)
        assert run_followups(con)["follow_ups_reopened"] == 1
    assert alerts.get(con, alert_id)["state"] == "open"
    assert audit.verify(con).ok
