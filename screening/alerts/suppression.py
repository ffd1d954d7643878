"""Suppression ("good guy") memory, keyed on account + list entry + a fingerprint of the account's
screened data + the entry's fingerprint (OFAC's 2015 false-hit-list guidance).

A later finding with both fingerprints unchanged is logged and opens no alert; a change on either
side voids the suppression (the finding then opens an alert); suppressions expire (policy
`suppression_days`, default 12 months). A suppression covers one entry only: the other hits of the
same account are never hidden. Creating one needs a second officer (decisions.approve).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from screening.alerts import audit
from screening.alerts.sql import next_id, rows
from screening.store import fetch_one


def expire_due(con: duckdb.DuckDBPyConnection, at: dt.datetime) -> int:
    """End every active suppression whose time is up."""
    due = con.execute("SELECT suppression_id, account_id FROM suppressions WHERE state = 'active' AND expires_at <= ?",
                      [at]).fetchall()
    return _end_many(con, [(sid, account, "expired") for sid, account in due], "expired", at)


def end(con: duckdb.DuckDBPyConnection, suppression_id: int, account_id: str, state: str, reason: str,
        at: dt.datetime, actor: str = "system") -> None:
    _end_many(con, [(suppression_id, account_id, reason)], state, at, actor)


def void(con: duckdb.DuckDBPyConnection, voided: list[tuple[int, str, str]], at: dt.datetime) -> int:
    """Void suppressions: (suppression_id, account_id, reason) each."""
    return _end_many(con, voided, "voided", at)


def _end_many(con: duckdb.DuckDBPyConnection, items: list[tuple[int, str, str]], state: str, at: dt.datetime,
              actor: str = "system") -> int:
    for suppression_id, _, reason in items:
        con.execute("UPDATE suppressions SET state = ?, ended_at = ?, ended_reason = ? WHERE suppression_id = ?",
                    [state, at, reason, suppression_id])
    audit.record_many(con, [audit.Event(actor, f"suppression.{state}", "suppression", sid, account, {"reason": reason})
                            for sid, account, reason in items])
    return len(items)


class Memory:
    """The active suppressions and confirmed matches of some accounts, read once for a batch of findings."""

    def __init__(self, con: duckdb.DuckDBPyConnection, accounts: list[str]) -> None:
        self.active = {(a, s, i): (sid, afp, efp) for sid, a, s, i, afp, efp in con.execute(
            "SELECT suppression_id, account_id, source, source_id, account_fp, entry_fp FROM suppressions "
            "WHERE state = 'active' AND list_contains(?, account_id)", [accounts]).fetchall()}
        self.confirmed = {(a, s, i, afp, efp): alert_id for alert_id, a, s, i, afp, efp in con.execute(
            """SELECT max(a.alert_id), a.account_id, h.source, h.source_id, h.account_fp, h.entry_fp
               FROM alert_hits h JOIN alerts a USING (alert_id)
               WHERE list_contains(?, a.account_id) AND h.disposition = 'confirmed' AND a.state = 'closed_true_match'
               GROUP BY ALL""", [accounts]).fetchall()}
        self.voided: list[tuple[int, str, str]] = []

    def covering(self, f: dict[str, Any]) -> tuple[str, int | None, int | None] | None:
        """Why this finding opens no alert — ("suppressed", suppression_id, None) or ("already_confirmed",
        None, alert_id) — or None. A suppression on the same key whose fingerprints differ is voided."""
        key = (f["account_id"], f["source"], f["source_id"])
        active = self.active.get(key)
        if active:
            suppression_id, account_fp, entry_fp = active
            if f.get("account_fp") == account_fp and f.get("entry_fp") == entry_fp:
                return "suppressed", suppression_id, None
            changed = [side for side, same in (("account", f.get("account_fp") == account_fp),
                                               ("list entry", f.get("entry_fp") == entry_fp)) if not same]
            self.voided.append((suppression_id, f["account_id"], f"{' and '.join(changed)} data changed"))
            del self.active[key]
        confirmed = self.confirmed.get((*key, f.get("account_fp"), f.get("entry_fp")))
        if confirmed is not None and f.get("account_fp") and f.get("entry_fp"):
            return "already_confirmed", None, confirmed
        return None


def create_for(con: duckdb.DuckDBPyConnection, decision: dict[str, Any], checker: str, days: int,
               at: dt.datetime) -> list[int]:
    """Active suppressions for the findings a false-positive decision cleared, at its approval."""
    hits = con.execute(
        """SELECT h.source, h.source_id, h.account_fp, h.entry_fp, h.regime, a.account_id
           FROM alert_hits h JOIN alerts a USING (alert_id)
           WHERE h.alert_id = ? AND h.disposition = 'not_match' AND h.hit_id <= ?""",
        [decision["alert_id"], decision["last_hit_id"]],
    ).fetchall()
    created = []
    for source, source_id, account_fp, entry_fp, regime, account_id in hits:
        active = fetch_one(con, "SELECT suppression_id FROM suppressions WHERE account_id = ? AND source = ? "
                                "AND source_id = ? AND state = 'active'", [account_id, source, source_id])
        if active:  # replaced by the newer decision
            end(con, active[0], account_id, "voided", f"replaced by decision {decision['decision_id']}", at)
        suppression_id = next_id(con, "suppressions", "suppression_id")
        con.execute(
            "INSERT INTO suppressions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, NULL)",
            [suppression_id, account_id, source, source_id, account_fp, entry_fp, regime, decision["decision_id"],
             decision["maker"], checker, at, at + dt.timedelta(days=days)],
        )
        audit.record(con, checker, "suppression.activated", "suppression", suppression_id, account_id,
                     decision_id=decision["decision_id"])
        created.append(suppression_id)
    return created


def listing(con: duckdb.DuckDBPyConnection, state: str | None = None) -> list[dict[str, Any]]:
    return rows(con, "SELECT * FROM suppressions WHERE ? IS NULL OR state = ? ORDER BY suppression_id", [state, state])
