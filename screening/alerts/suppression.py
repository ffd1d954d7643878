"""Suppression ("good guy") memory, keyed on account + list entry + a fingerprint of the account's
screened data + the entry's fingerprint (OFAC's 2015 false-hit-list guidance, domain.md §1.5).

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
from screening.store import fetch_one


def expire_due(con: duckdb.DuckDBPyConnection, at: dt.datetime, summary: dict[str, Any] | None = None) -> int:
    """End every active suppression whose time is up."""
    due = con.execute("SELECT suppression_id, account_id FROM suppressions WHERE state = 'active' AND expires_at <= ?",
                      [at]).fetchall()
    for suppression_id, account_id in due:
        end(con, suppression_id, account_id, "expired", "expired", at)
    if summary is not None:
        summary["suppressions_expired"] += len(due)
    return len(due)


def end(con: duckdb.DuckDBPyConnection, suppression_id: int, account_id: str, state: str, reason: str,
        at: dt.datetime, actor: str = "system") -> None:
    con.execute("UPDATE suppressions SET state = ?, ended_at = ?, ended_reason = ? WHERE suppression_id = ?",
                [state, at, reason, suppression_id])
    audit.record(con, actor, f"suppression.{state}", "suppression", suppression_id, account_id, reason=reason)


def covering(con: duckdb.DuckDBPyConnection, f: dict[str, Any], at: dt.datetime,
             summary: dict[str, Any]) -> tuple[str, int | None, int | None] | None:
    """Why this finding opens no alert — ("suppressed", suppression_id, None) or ("already_confirmed",
    None, alert_id) — or None. A suppression on the same key whose fingerprints differ is voided here."""
    key = [f["account_id"], f["source"], f["source_id"]]
    active = fetch_one(con, "SELECT suppression_id, account_fp, entry_fp FROM suppressions "
                            "WHERE account_id = ? AND source = ? AND source_id = ? AND state = 'active'", key)
    if active:
        suppression_id, account_fp, entry_fp = active
        if f.get("account_fp") == account_fp and f.get("entry_fp") == entry_fp:
            return "suppressed", suppression_id, None
        changed = [side for side, same in (("account", f.get("account_fp") == account_fp),
                                           ("list entry", f.get("entry_fp") == entry_fp)) if not same]
        end(con, suppression_id, f["account_id"], "voided", f"{' and '.join(changed)} data changed", at)
        summary["suppressions_voided"] += 1
    if f.get("account_fp") is None or f.get("entry_fp") is None:
        return None
    confirmed = fetch_one(
        con,
        """SELECT a.alert_id FROM alert_hits h JOIN alerts a USING (alert_id)
           WHERE a.account_id = ? AND h.source = ? AND h.source_id = ? AND h.account_fp = ? AND h.entry_fp = ?
             AND h.disposition = 'confirmed' AND a.state = 'closed_true_match'
           ORDER BY a.alert_id DESC LIMIT 1""",
        [*key, f["account_fp"], f["entry_fp"]],
    )
    return ("already_confirmed", None, confirmed[0]) if confirmed else None


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
        suppression_id = int((fetch_one(con, "SELECT coalesce(max(suppression_id), 0) + 1 FROM suppressions") or (1,))[0])
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
    cur = con.execute("SELECT * FROM suppressions WHERE ? IS NULL OR state = ? ORDER BY suppression_id", [state, state])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]
