"""Suppression memory on real list versions (tests/fixtures/alerts/un_sc: HTi.006 changes between
2025-11-15 and 2026-02-27, CDi.001 does not, IQi.074 is delisted): an unchanged entry keeps the
suppression, a changed entry or changed account data voids it, it expires, and it hides no other hit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from screening.accounts import read_accounts, store_import
from screening.alerts import apply_list_changes, audit, decisions, ingest_run, officers
from screening.runs.ledger import screen_accounts
from screening.store import connect
from tests.screening.alerts.conftest import UN_2025, UN_2026, load_list, write_accounts

ACCOUNTS = [
    "P2,person,ERIC BADEGE,,1971-02-02,CD,CD,passport,CD7654321,eric",
    # one account, two names: hits on CDi.001 and on HTi.006
    "P7,person,ERIC BADEGE,PROPHANE VICTOR,1971-02-02,CD,CD,passport,CD0000007,e7",
]


def _screen(con: duckdb.DuckDBPyConnection, accounts: Path) -> dict:
    imported = read_accounts(accounts)
    store_import(con, imported)
    return ingest_run(con, screen_accounts(con, imported.accounts).run_id)


def _alert_hits(con: duckdb.DuckDBPyConnection, account_id: str) -> list[str]:
    return sorted(s for (s,) in con.execute(
        "SELECT h.source_id FROM alert_hits h JOIN alerts a USING (alert_id) WHERE a.account_id = ? "
        "AND a.state = 'open'", [account_id]).fetchall())


@pytest.fixture
def suppressed(tmp_path: Path) -> tuple[duckdb.DuckDBPyConnection, Path]:
    """v2025 loaded, P2 and P7 screened, every alert closed as false positive with suppression (four-eyes)."""
    con = connect(tmp_path / "s.duckdb")
    load_list(con, UN_2025)
    officers.add(con, "ann", "analyst")
    officers.add(con, "bob", "approver")
    accounts = write_accounts(tmp_path / "accounts.csv", ACCOUNTS)
    first = _screen(con, accounts)
    assert first["alerts_opened"] == 2
    assert _alert_hits(con, "P7") == ["CDi.001", "HTi.006"]
    count = "SELECT count(*) FROM suppressions"
    for (alert_id,) in con.execute("SELECT alert_id FROM alerts ORDER BY 1").fetchall():
        before = con.execute(count).fetchall()
        d = decisions.decide(con, alert_id, "ann", "false_positive", ["NATIONALITY_MISMATCH"], "namesake", suppress=True)
        assert d["status"] == "pending" and con.execute(count).fetchall() == before  # never by one officer
        decisions.approve(con, d["decision_id"], "bob")
    assert con.execute("SELECT count(*) FROM suppressions WHERE state = 'active'").fetchall()[0][0] == 3
    return con, accounts


def test_unchanged_entries_keep_the_suppression(suppressed: tuple) -> None:
    con, accounts = suppressed
    again = _screen(con, accounts)
    assert again["suppressed"] == 3 and again["alerts_opened"] == 0 and again["suppressions_voided"] == 0
    logged = con.execute("SELECT account_id, source_id, why FROM suppressed_hits ORDER BY 1, 2").fetchall()
    assert logged == [("P2", "CDi.001", "suppressed"), ("P7", "CDi.001", "suppressed"), ("P7", "HTi.006", "suppressed")]
    # the suppressed hits are kept on an auto_suppressed alert; a further run adds no new one
    assert {s for (s,) in con.execute("SELECT DISTINCT state FROM alerts WHERE closed_at > opened_at - INTERVAL 1 DAY "
                                      "AND close_reason = 'suppressed'").fetchall()} == {"auto_suppressed"}
    n = con.execute("SELECT count(*) FROM alerts").fetchall()[0][0]
    _screen(con, accounts)
    assert con.execute("SELECT count(*) FROM alerts").fetchall()[0][0] == n
    assert audit.verify(con).ok


def test_changed_entry_voids_only_its_suppression(suppressed: tuple) -> None:
    """Next real version: HTi.006 changed → its suppression is voided and P7 gets an alert on it,
    while P7's suppressed CDi.001 hit stays suppressed (a suppression hides no other hit)."""
    con, accounts = suppressed
    load_list(con, UN_2026)
    again = _screen(con, accounts)
    assert again["suppressions_voided"] == 1
    assert _alert_hits(con, "P7") == ["HTi.006"]
    assert _alert_hits(con, "P2") == []
    voided = con.execute("SELECT source_id, ended_reason FROM suppressions WHERE state = 'voided'").fetchall()
    assert voided == [("HTi.006", "list entry data changed")]
    assert audit.verify(con).ok


def test_list_change_voids_at_load(suppressed: tuple) -> None:
    con, _ = suppressed
    version = load_list(con, UN_2026)
    summary = apply_list_changes(con, version)
    assert summary["removed"] == 1 and summary["changed"] == 1 and summary["suppressions_voided"] == 1
    assert apply_list_changes(con, version)["suppressions_voided"] == 0  # idempotent


def test_changed_account_data_voids(suppressed: tuple, tmp_path: Path) -> None:
    con, _ = suppressed
    changed = write_accounts(tmp_path / "changed.csv", [ACCOUNTS[0].replace("1971-02-02", "1971-03-03"), ACCOUNTS[1]])
    again = _screen(con, changed)
    assert again["suppressions_voided"] == 1 and again["suppressed"] == 2
    assert _alert_hits(con, "P2") == ["CDi.001"]
    assert con.execute("SELECT ended_reason FROM suppressions WHERE state = 'voided'").fetchall() == [("account data changed",)]


def test_suppressions_expire(suppressed: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    con, accounts = suppressed
    later = audit.now() + dt.timedelta(days=366)
    monkeypatch.setattr(audit, "now", lambda: later)
    again = _screen(con, accounts)
    assert again["suppressions_expired"] == 3 and again["alerts_opened"] == 2
    assert audit.verify(con).ok
