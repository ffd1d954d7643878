"""A new list version removes or changes entries: open alerts on a removed entry lose that finding
(closed as `closed_delisted` when nothing else is pending, for an officer to check), suppressions on a
removed or changed entry are voided, and flags in force that rest only on removed entries get a lift
proposal (which two officers still decide)."""

from __future__ import annotations

from typing import Any

import duckdb

from screening import exc
from screening.alerts import alerts as alerts_mod
from screening.alerts import audit, flags, suppression
from screening.alerts import policy as policy_mod
from screening.logs import bound, get_logger
from screening.store import fetch_one, transaction

log = get_logger(__name__)


def apply_list_changes(con: duckdb.DuckDBPyConnection, version_id: int) -> dict[str, Any]:
    """Apply the removals and changes of list version `version_id` to the workflow (idempotent)."""
    if fetch_one(con, "SELECT 1 FROM list_versions WHERE version_id = ?", [version_id]) is None:
        raise exc.NotFound(f"no list version {version_id}")
    changes = con.execute("SELECT source, source_id, change FROM list_diffs WHERE version_id = ? "
                          "AND change IN ('removed', 'changed')", [version_id]).fetchall()
    removed = {(s, i) for s, i, c in changes if c == "removed"}
    summary = {"version_id": version_id, "removed": len(removed), "changed": len(changes) - len(removed),
               "findings_delisted": 0, "alerts_closed": 0, "suppressions_voided": 0, "lift_proposals": 0}
    pol = policy_mod.load()
    with bound(version_id=version_id), transaction(con):
        at = audit.now()
        keys = {f"{s}\x1f{i}": c for s, i, c in changes}
        hit = con.execute("SELECT suppression_id, account_id, source || chr(31) || source_id FROM suppressions "
                          "WHERE state = 'active' AND list_contains(?, source || chr(31) || source_id)",
                          [list(keys)]).fetchall()
        summary["suppressions_voided"] = suppression.void(
            con, [(sid, account, f"list entry {keys[key]} in version {version_id}") for sid, account, key in hit], at)
        touched = con.execute(
            f"""SELECT DISTINCT h.alert_id FROM alert_hits h JOIN alerts a USING (alert_id)
                WHERE a.state IN {alerts_mod.OPEN_STATES} AND h.disposition = 'pending'
                  AND list_contains(?, h.source || chr(31) || h.source_id)""",
            [[f"{s}\x1f{i}" for s, i in removed]],
        ).fetchall() if removed else []
        for (alert_id,) in touched:
            _delist_findings(con, pol, alert_id, removed, version_id, summary)
        for row in flags.listing(con):
            entries = {(b["source"], b["source_id"]) for b in row["basis"] if "source" in b}
            only_lists = all("source" in b for b in row["basis"])
            if row["state"] in flags.IN_FORCE and entries and only_lists and entries <= removed:
                ids = ", ".join(f"{s} {i}" for s, i in sorted(entries))
                if flags.propose_lift(con, row, f"delisted: {ids} removed in list version {version_id}"):
                    summary["lift_proposals"] += 1
    log.info("list changes applied to alerts", **summary)
    return summary


def _delist_findings(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, alert_id: int,
                     removed: set[tuple[str, str]], version_id: int, summary: dict[str, Any]) -> None:
    alert = alerts_mod.get(con, alert_id)
    hits = con.execute("SELECT hit_id, source, source_id FROM alert_hits WHERE alert_id = ? AND disposition = 'pending'",
                       [alert_id]).fetchall()
    gone = [h for h, s, i in hits if (s, i) in removed]
    con.execute("UPDATE alert_hits SET disposition = 'delisted' WHERE list_contains(?, hit_id)", [gone])
    summary["findings_delisted"] += len(gone)
    at = audit.now()
    if len(gone) < len(hits):
        alerts_mod.refresh(con, pol, alert_id, at)
        audit.record(con, "system", "alert.findings_delisted", "alert", alert_id, alert["account_id"],
                     version_id=version_id, findings=len(gone))
        return
    # nothing left to decide: a pending decision falls away with its proposed flags
    for (decision_id,) in con.execute("SELECT decision_id FROM decisions WHERE alert_id = ? AND status = 'pending'",
                                      [alert_id]).fetchall():
        con.execute("UPDATE decisions SET status = 'withdrawn', checked_at = ?, checker_note = ? WHERE decision_id = ?",
                    [at, f"entry delisted in list version {version_id}", decision_id])
        audit.record(con, "system", "decision.withdrawn", "decision", decision_id, alert["account_id"])
        flags.reject_proposed(con, {"decision_id": decision_id}, "system")
    alerts_mod.set_state(con, alert_id, "closed_delisted", "system", "alert.closed_delisted", close_reason="delisted")
    summary["alerts_closed"] += 1
