"""Decisions with four-eyes, enforced here (not in a UI): outcome, reason codes, a mandatory note,
the officer and time, the policy and matching-configuration hashes.

Needing a second, different officer (an approver): closing as true match, closing a `block_review`
alert as false positive, creating a suppression, confirming a linked flag proposal and lifting a
flag. A refused action raises (ActionRefused / Forbidden) inside the transaction: nothing changes.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb

from screening import exc
from screening.alerts import alerts as alerts_mod
from screening.alerts import audit, flags, notices, officers, suppression
from screening.alerts import policy as policy_mod
from screening.alerts.sql import next_id
from screening.alerts.sql import rows as _rows
from screening.store import fetch_one, transaction

OUTCOMES = ("true_match", "false_positive", "inconclusive")
REASON_CODES = ("DOB_MISMATCH", "NATIONALITY_MISMATCH", "ENTITY_TYPE_MISMATCH", "PARTIAL_NAME_ONLY", "WEAK_ALIAS_ONLY",
                "ID_NUMBER_MATCH", "NAME_AND_DOB_MATCH", "CONFIRMED_BY_DOCUMENT", "DATA_CORRECTED", "DELISTED", "OTHER")


def get(con: duckdb.DuckDBPyConnection, decision_id: int) -> dict[str, Any]:
    rows = _rows(con, "SELECT * FROM decisions WHERE decision_id = ?", [decision_id])
    if not rows:
        raise exc.NotFound(f"no decision {decision_id}")
    return rows[0]


def reason_codes(codes: list[str] | tuple[str, ...]) -> list[str]:
    """Reason codes in upper case (accepted in any case); at least one, all known."""
    out = [c.strip().upper() for c in codes if c and c.strip()]
    if not out:
        raise exc.UsageError("a decision needs at least one --reason (" + ", ".join(REASON_CODES) + ")")
    unknown = [c for c in out if c not in REASON_CODES]
    if unknown:
        raise exc.UsageError(f"unknown reason code(s) {', '.join(unknown)}: one of {', '.join(REASON_CODES)}")
    return list(dict.fromkeys(out))


def _note(note: str | None, what: str) -> str:
    if not note or not note.strip():
        raise exc.UsageError(f"{what} needs a --note")
    return note.strip()


def _config_hash(con: duckdb.DuckDBPyConnection, alert_id: int) -> str | None:
    row = fetch_one(con, "SELECT r.config_hash FROM alert_hits h JOIN screening_runs r USING (run_id) "
                         "WHERE h.alert_id = ? AND h.origin = 'run' ORDER BY h.hit_id DESC LIMIT 1", [alert_id])
    return row[0] if row else None


def _insert(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, **values: Any) -> int:
    decision_id = next_id(con, "decisions", "decision_id")
    row = {"decision_id": decision_id, "alert_id": None, "flag_id": None, "suppress": False, "follow_up": None,
           "last_hit_id": None, "config_hash": None, "made_at": audit.now(), "policy_hash": policy_mod.record(con, pol),
           **values}
    con.execute(f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
    return decision_id


def decide(con: duckdb.DuckDBPyConnection, alert_id: int, officer: str, outcome: str, reasons: list[str], note: str,
           *, suppress: bool = False, follow_up: dt.date | None = None) -> dict[str, Any]:
    """An analyst's decision on an alert. Returns decision_id and status (`final` when it took effect,
    `pending` when a second officer must approve it)."""
    if outcome not in OUTCOMES:
        raise exc.UsageError(f"unknown outcome {outcome!r}: one of {', '.join(OUTCOMES)}")
    codes, note = reason_codes(reasons), _note(note, "a decision")
    pol = policy_mod.load()
    with transaction(con):
        officers.require(con, officer, officers.MAY_DECIDE, "deciding an alert")
        alert = alerts_mod.get(con, alert_id)
        if alert["state"] not in ("open", "in_review", "escalated"):
            raise exc.ActionRefused(f"alert {alert_id} is {alert['state']}: only an open alert or one in review is decided")
        if alert["state"] != "open" and alert["assigned_to"] not in (None, officer):
            raise exc.ActionRefused(f"alert {alert_id} is in review by {alert['assigned_to']}: assign it to yourself first")
        pending = _rows(con, "SELECT * FROM alert_hits WHERE alert_id = ? AND disposition = 'pending'", [alert_id])
        if not pending:
            raise exc.ActionRefused(f"alert {alert_id} has no finding left to decide")
        if outcome == "inconclusive":
            if follow_up is None:
                raise exc.UsageError("an inconclusive decision needs --follow-up DATE")
            if follow_up <= audit.now().date():
                raise exc.UsageError("--follow-up must be a date after today")
        elif follow_up is not None:
            raise exc.UsageError("--follow-up goes with an inconclusive decision only")
        if suppress:
            if outcome != "false_positive":
                raise exc.UsageError("--suppress goes with a false_positive decision only")
            blind = [h["source_id"] for h in pending if h["kind"] == "data_quality" or not h["account_fp"] or not h["entry_fp"]]
            if blind:
                raise exc.ActionRefused(
                    f"alert {alert_id}: cannot suppress {', '.join(blind)}: a suppression needs the account's stored data "
                    "(screening accounts import) and a list entry")
        if outcome == "true_match" and alert["policy_action"] == "escalate_legal" and alert["state"] != "escalated":
            raise exc.ActionRefused(
                f"alert {alert_id}: the regime policy requires legal escalation before a true match "
                "(foreign unilateral list and a Chinese subject): screening alerts escalate first")
        needs_approval = (outcome == "true_match" or suppress
                          or (outcome == "false_positive" and any(h["band"] == "block_review" for h in pending)))
        decision_id = _insert(
            con, pol, kind="alert", alert_id=alert_id, outcome=outcome, reason_codes=json.dumps(codes), note=note,
            maker=officer, suppress=suppress, follow_up=follow_up, needs_approval=needs_approval,
            status="pending" if needs_approval else "final", last_hit_id=max(h["hit_id"] for h in pending),
            config_hash=_config_hash(con, alert_id),
        )
        audit.record(con, officer, "decision.made", "decision", decision_id, alert["account_id"])
        if needs_approval:
            alerts_mod.set_state(con, alert_id, "pending_approval", officer, "alert.decision_proposed", assigned_to=officer)
            if outcome == "true_match":
                flags.propose_for(con, pol, get(con, decision_id), alert)
        else:
            _close(con, pol, get(con, decision_id), alert, officer)
    return {"decision_id": decision_id, "status": "pending" if needs_approval else "final",
            "needs_approval": needs_approval, "alert_state": alerts_mod.get(con, alert_id)["state"]}


def _close(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, decision: dict[str, Any], alert: dict[str, Any],
           actor: str) -> None:
    """The effect of a decision that took effect: findings disposed, alert closed, side effects."""
    outcome = decision["outcome"]
    disposition = {"true_match": "confirmed", "false_positive": "not_match", "inconclusive": "inconclusive"}[outcome]
    state = f"closed_{outcome}"
    con.execute("UPDATE alert_hits SET disposition = ? WHERE alert_id = ? AND disposition = 'pending' AND hit_id <= ?",
                [disposition, alert["alert_id"], decision["last_hit_id"]])
    alerts_mod.set_state(con, alert["alert_id"], state, actor, f"alert.{state}", close_reason="decision",
                         follow_up=decision["follow_up"])
    at = audit.now()
    if outcome == "true_match":
        flags.approve_for(con, pol, decision, actor)
        notices.for_findings(con, pol, alert, decision)
    elif outcome == "false_positive":
        if decision["suppress"]:
            suppression.create_for(con, decision, actor, pol.suppression_days, at)
        flags.propose_lifts_after_false_positive(con, alert["account_id"], decision)


def approve(con: duckdb.DuckDBPyConnection, decision_id: int, officer: str, note: str | None = None) -> dict[str, Any]:
    """The second officer's approval: the decision takes effect."""
    pol = policy_mod.load()
    with transaction(con):
        officers.require(con, officer, officers.MAY_APPROVE, "approving a decision")
        decision = _pending(con, decision_id, officer)
        con.execute("UPDATE decisions SET status = 'approved', checker = ?, checked_at = ?, checker_note = ? "
                    "WHERE decision_id = ?", [officer, audit.now(), (note or "").strip() or None, decision_id])
        decision = get(con, decision_id)
        account_id = _account_of(con, decision)
        audit.record(con, officer, "decision.approved", "decision", decision_id, account_id)
        if decision["kind"] == "alert":
            alert = alerts_mod.get(con, decision["alert_id"])
            later = fetch_one(con, "SELECT count(*) FROM alert_hits WHERE alert_id = ? AND disposition = 'pending' "
                                   "AND hit_id > ?", [alert["alert_id"], decision["last_hit_id"]])
            if later and later[0]:
                raise exc.ActionRefused(
                    f"alert {alert['alert_id']} has {later[0]} finding(s) added after decision {decision_id} was made: "
                    "reject it and decide again")
            _close(con, pol, decision, alert, officer)
        elif decision["kind"] == "flag":
            flags.confirm_linked(con, pol, decision, officer)
        else:
            flags.lift(con, pol, decision, officer)
    return {"decision_id": decision_id, "status": "approved", "checker": officer}


def reject(con: duckdb.DuckDBPyConnection, decision_id: int, officer: str, note: str) -> dict[str, Any]:
    """The second officer sends the decision back: the alert returns to review, proposed flags are rejected."""
    note = _note(note, "a rejection")
    with transaction(con):
        officers.require(con, officer, officers.MAY_APPROVE, "rejecting a decision")
        decision = _pending(con, decision_id, officer)
        con.execute("UPDATE decisions SET status = 'rejected', checker = ?, checked_at = ?, checker_note = ? "
                    "WHERE decision_id = ?", [officer, audit.now(), note, decision_id])
        audit.record(con, officer, "decision.rejected", "decision", decision_id, _account_of(con, decision))
        if decision["kind"] == "alert":
            flags.reject_proposed(con, decision, officer)
            alerts_mod.set_state(con, decision["alert_id"], "in_review", officer, "alert.decision_rejected",
                                 assigned_to=decision["maker"])
        else:
            flags.restore_after_rejection(con, decision, officer)
    return {"decision_id": decision_id, "status": "rejected", "checker": officer}


def _pending(con: duckdb.DuckDBPyConnection, decision_id: int, officer: str) -> dict[str, Any]:
    decision = get(con, decision_id)
    if decision["status"] != "pending":
        raise exc.ActionRefused(f"decision {decision_id} is {decision['status']}: only a pending decision is approved or rejected")
    if decision["maker"] == officer:
        raise exc.ActionRefused(f"four-eyes: {officer} made decision {decision_id} and cannot also check it")
    return decision


def _account_of(con: duckdb.DuckDBPyConnection, decision: dict[str, Any]) -> str | None:
    if decision["alert_id"] is not None:
        return str(alerts_mod.get(con, decision["alert_id"])["account_id"])
    row = fetch_one(con, "SELECT account_id FROM flags WHERE flag_id = ?", [decision["flag_id"]])
    return row[0] if row else None


def propose_flag_action(con: duckdb.DuckDBPyConnection, flag_id: int, officer: str, kind: str, reasons: list[str],
                        note: str) -> dict[str, Any]:
    """An officer's proposal on a flag, for a second officer to approve: `confirm` a linked flag
    proposal, or `lift` a flag (after a delisting or a false-positive finding)."""
    codes, note = reason_codes(reasons), _note(note, f"a flag {kind}")
    pol = policy_mod.load()
    with transaction(con):
        officers.require(con, officer, officers.MAY_DECIDE, f"proposing a flag {kind}")
        flag = flags.get(con, flag_id)
        if fetch_one(con, "SELECT 1 FROM decisions WHERE flag_id = ? AND status = 'pending'", [flag_id]):
            raise exc.ActionRefused(f"flag {flag_id} already has a pending decision")
        if kind == "confirm" and flag["state"] != "proposed":
            raise exc.ActionRefused(f"flag {flag_id} is {flag['state']}: only a proposed flag is confirmed")
        if kind == "confirm" and flag["decision_id"] is not None:
            raise exc.ActionRefused(f"flag {flag_id} belongs to decision {flag['decision_id']}: approve that decision")
        if kind == "lift":
            flags.begin_lift(con, flag, officer, note)
        decision_id = _insert(con, pol, kind="flag" if kind == "confirm" else "lift", flag_id=flag_id,
                              outcome=kind, reason_codes=json.dumps(codes), note=note, maker=officer,
                              needs_approval=True, status="pending")
        audit.record(con, officer, "decision.made", "decision", decision_id, flag["account_id"])
    return {"decision_id": decision_id, "status": "pending", "needs_approval": True}


def listing(con: duckdb.DuckDBPyConnection, status: str | None = None) -> list[dict[str, Any]]:
    rows = _rows(con, "SELECT * FROM decisions WHERE ? IS NULL OR status = ? ORDER BY decision_id", [status, status])
    for r in rows:
        r["reason_codes"] = json.loads(r["reason_codes"])
    return rows
