"""Alerts: a screening run's hits (review band and above), a non-clear registration lookup, an
eligibility run's findings and the accounts that could not be screened become alerts for a person.

At most one open alert per account: new findings on an account with an open alert are added to it.
A finding covered by an active suppression whose two fingerprints still match is logged in
`suppressed_hits` and opens nothing; a finding already confirmed as a true match (same entry, same
data) is logged the same way. A suppression whose account or entry fingerprint changed is voided,
and an expired one ends, before the finding is considered: the finding then opens an alert.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import duckdb
import pyarrow as pa

from screening import exc
from screening.alerts import audit, officers, suppression
from screening.alerts import policy as policy_mod
from screening.alerts.sql import account_origin, next_id
from screening.alerts.sql import rows as _rows
from screening.logs import get_logger
from screening.store import fetch_one, transaction

log = get_logger(__name__)

OPEN_STATES = ("open", "in_review", "escalated", "pending_approval")
CLOSED_STATES = ("closed_true_match", "closed_false_positive", "closed_inconclusive", "closed_delisted",
                 "auto_suppressed")
STATES = (*OPEN_STATES, *CLOSED_STATES)
ALERT_BANDS = ("block_review", "review")
KIND_RANK = {"data_quality": 0, "eligibility": 1, "sanctions": 2}
BAND_RANK = {None: 0, "low": 1, "review": 2, "block_review": 3}

# The account's screened data: a change to any of these voids a suppression (alerts/suppression.py).
ACCOUNT_FP_SQL = """sha256(concat_ws('|', coalesce(a.subject_type, ''), coalesce(a.name, ''),
    coalesce(a.name_latin, ''), coalesce(CAST(a.birth_date AS VARCHAR), ''), coalesce(a.nationality, ''),
    coalesce(a.country, ''), coalesce(a.id_hash, '')))"""

FINDING_COLUMNS = ("kind", "origin", "run_id", "source", "source_id", "entry_version_id", "entry_fp", "account_fp",
                   "entry_name", "matched_name", "score", "band", "regime", "programs", "reasons")


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool((fetch_one(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]) or (0,))[0])


# ---- ingestion ---------------------------------------------------------------------------------


def ingest_run(con: duckdb.DuckDBPyConnection, run_id: int) -> dict[str, Any]:
    """Turn a finished screening run into alerts (hits at or above the review band, suppression applied)
    and data-quality alerts (rows of the run that had no usable name, or lost a bad secondary field).
    Ingesting a run twice adds nothing."""
    run = fetch_one(con, "SELECT status FROM screening_runs WHERE run_id = ?", [run_id])
    if run is None:
        raise exc.NotFound(f"no screening run {run_id}")
    if run[0] != "finished":
        raise exc.ActionRefused(f"screening run {run_id} is {run[0]}: only a finished run's hits become alerts")
    hits = _rows(
        con,
        f"""SELECT 'sanctions' AS kind, 'run' AS origin, h.run_id, h.account_id, h.source, h.source_id,
                   v.version_id AS entry_version_id, e.fingerprint AS entry_fp,
                   CASE WHEN a.account_id IS NULL THEN NULL ELSE {ACCOUNT_FP_SQL} END AS account_fp,
                   h.entry_name, h.matched_name, h.score, h.band, h.regime, h.programs, h.reasons,
                   a.nationality, a.country
            FROM screening_hits h
            LEFT JOIN screening_run_versions v ON v.run_id = h.run_id AND v.source = h.source
            LEFT JOIN list_entries e ON e.version_id = v.version_id AND e.source = h.source AND e.source_id = h.source_id
            LEFT JOIN accounts a ON a.account_id = h.account_id
            WHERE h.run_id = ? AND h.band IN ('block_review', 'review')
            ORDER BY h.account_id, h.score DESC""",
        [run_id],
    )
    unscreened: list[dict[str, Any]] = []
    if _table_exists(con, "screening_unscreened"):
        unscreened = _rows(
            con,
            f"""SELECT 'data_quality' AS kind, 'unscreened' AS origin, u.run_id, u.account_id,
                       'data_quality' AS source, u.reason AS source_id,
                       CASE WHEN a.account_id IS NULL THEN NULL ELSE {ACCOUNT_FP_SQL} END AS account_fp,
                       'line ' || coalesce(CAST(u.line AS VARCHAR), '?') || ': ' || u.reason AS reasons,
                       a.nationality, a.country
                FROM screening_unscreened u LEFT JOIN accounts a ON a.account_id = u.account_id
                WHERE u.run_id = ? AND u.account_id IS NOT NULL""",
            [run_id],
        )
    if _table_exists(con, "account_data_issues"):  # a bad secondary field dropped: screened with less data
        unscreened += _rows(
            con,
            f"""SELECT 'data_quality' AS kind, 'data_issue' AS origin, d.run_id, d.account_id,
                       'data_quality' AS source, d.field || ': ' || d.reason AS source_id,
                       CASE WHEN a.account_id IS NULL THEN NULL ELSE {ACCOUNT_FP_SQL} END AS account_fp,
                       'line ' || coalesce(CAST(d.line AS VARCHAR), '?') || ': ' || d.field || ' dropped (' || d.reason || ')'
                           AS reasons,
                       a.nationality, a.country
                FROM account_data_issues d LEFT JOIN accounts a ON a.account_id = d.account_id
                WHERE d.run_id = ? AND d.account_id IS NOT NULL""",
            [run_id],
        )
    return _ingest(con, "run", run_id, hits + unscreened)


def ingest_eligibility(con: duckdb.DuckDBPyConnection, eligibility_run_id: int) -> dict[str, Any]:
    """Turn the findings of an eligibility run that need a person (severity review / ineligible: a minor,
    a shared legal subject, a possible transfer, a brand-imitating name, data to correct) into alerts."""
    if fetch_one(con, "SELECT 1 FROM eligibility_runs WHERE run_id = ?", [eligibility_run_id]) is None:
        raise exc.NotFound(f"no eligibility run {eligibility_run_id}")
    findings = _rows(
        con,
        f"""SELECT 'eligibility' AS kind, 'eligibility' AS origin, r.run_id, r.account_id,
                   'eligibility:' || r."check" AS source, r.code AS source_id, sha256(r.code) AS entry_fp,
                   CASE WHEN a.account_id IS NULL THEN NULL ELSE {ACCOUNT_FP_SQL} END AS account_fp,
                   r.severity AS band, r.detail AS reasons, a.nationality, a.country
            FROM eligibility_reasons r LEFT JOIN accounts a ON a.account_id = r.account_id
            WHERE r.run_id = ? AND r.severity IN ('review', 'ineligible')
            ORDER BY r.account_id, r.code""",
        [eligibility_run_id],
    )
    return _ingest(con, "eligibility", eligibility_run_id, findings)


def alert_from_lookup(con: duckdb.DuckDBPyConnection, account_id: str, result: Any) -> dict[str, Any] | None:
    """A registration lookup whose decision is not `clear` → an alert on the registering account.

    `result` is a `LookupResult` (or its `to_dict()`). Its hits in the review bands become findings;
    a non-clear decision without such a hit (lists stale or unavailable) becomes a data-quality finding,
    so the account is never passed silently. Returns the ingest summary, or None for `clear`.
    """
    data = result if isinstance(result, dict) else result.to_dict()
    if data.get("decision") == "clear":
        return None
    account = fetch_one(con, f"SELECT {ACCOUNT_FP_SQL} FROM accounts a WHERE a.account_id = ?", [account_id])
    account_fp = account[0] if account else None
    nationality, country = account_origin(con, account_id)
    versions = {v["source"]: v["version_id"] for v in data.get("list_versions", [])}
    findings = []
    for hit in data.get("hits", []):
        if hit.get("band") not in ALERT_BANDS:
            continue
        version_id = versions.get(hit["source"])
        entry = fetch_one(con, "SELECT fingerprint FROM list_entries WHERE version_id = ? AND source = ? AND source_id = ?",
                          [version_id, hit["source"], hit["source_id"]])
        findings.append({
            "kind": "sanctions", "origin": "lookup", "run_id": None, "account_id": account_id,
            "source": hit["source"], "source_id": hit["source_id"], "entry_version_id": version_id,
            "entry_fp": entry[0] if entry else None, "account_fp": account_fp, "entry_name": hit.get("entry_name"),
            "matched_name": hit.get("matched_name"), "score": hit.get("score"), "band": hit["band"],
            "regime": hit.get("regime"), "programs": hit.get("programs"), "reasons": hit.get("reasons"),
            "nationality": nationality, "country": country,
        })
    if not findings:
        findings.append({
            "kind": "data_quality", "origin": "lookup", "run_id": None, "account_id": account_id,
            "source": "lookup", "source_id": f"lookup_{data.get('decision')}", "account_fp": account_fp,
            "reasons": "; ".join(data.get("reasons", [])), "nationality": nationality, "country": country,
        })
    return _ingest(con, "lookup", None, findings)


def _ingest(con: duckdb.DuckDBPyConnection, origin: str, run_id: int | None,
            findings: list[dict[str, Any]]) -> dict[str, Any]:
    """Set-based: a handful of queries and one audit batch whatever the number of findings."""
    pol = policy_mod.load()
    summary: dict[str, Any] = {"origin": origin, "run_id": run_id, "findings": len(findings), "alerts_opened": 0,
                               "alerts_updated": 0, "findings_added": 0, "suppressed": 0, "already_confirmed": 0,
                               "suppressions_voided": 0, "suppressions_expired": 0, "follow_ups_reopened": 0,
                               "already_ingested": False}
    with transaction(con):
        if run_id is not None:
            done = fetch_one(con, "SELECT summary FROM alert_ingests WHERE origin = ? AND run_id = ?", [origin, run_id])
            if done:
                return {**json.loads(done[0]), "already_ingested": True}
        policy_mod.record(con, pol)
        at = audit.now()
        summary["suppressions_expired"] = suppression.expire_due(con, at)
        summary["follow_ups_reopened"] = reopen_follow_ups(con, at)
        accounts = sorted({f["account_id"] for f in findings})
        memory = suppression.Memory(con, accounts)
        fresh: dict[str, list[dict[str, Any]]] = {}
        covered: list[tuple[dict[str, Any], str, int | None, int | None]] = []
        for f in findings:
            f["policy_action"] = _finding_rule(pol, f).action
            outcome = memory.covering(f)
            if outcome is None:
                fresh.setdefault(f["account_id"], []).append(f)
            else:
                covered.append((f, *outcome))
        summary["suppressions_voided"] = suppression.void(con, memory.voided, at)
        open_alerts = dict(con.execute(f"SELECT account_id, alert_id FROM alerts WHERE state IN {OPEN_STATES} "
                                       "AND list_contains(?, account_id)", [accounts]).fetchall())
        known = {(a, k, s, i, e, f) for a, k, s, i, e, f in con.execute(
            "SELECT alert_id, kind, source, source_id, entry_fp, account_fp FROM alert_hits WHERE list_contains(?, alert_id)",
            [list(open_alerts.values())]).fetchall()}
        ids = _Ids(con)
        alerts_rows, hits_rows, events = [], [], []
        for account_id, account_findings in fresh.items():
            alert_id = open_alerts.get(account_id)
            if alert_id is not None:
                account_findings = [f for f in account_findings if (alert_id, *_finding_key(f)) not in known]
                if not account_findings:
                    continue
                summary["alerts_updated"] += 1
                action = "alert.findings_added"
            else:
                alert_id = ids.next("alerts", "alert_id")
                alerts_rows.append(_new_alert(alert_id, account_id, "open", at))
                summary["alerts_opened"] += 1
                action = "alert.opened"
            added = _findings_rows(ids, alert_id, account_findings, "pending", at)
            hits_rows += added
            summary["findings_added"] += len(added)
            events.append(audit.Event("system", action, "alert", alert_id, account_id, {"findings": len(added)}))
        suppressed_alerts = _auto_suppressed(con, ids, covered, open_alerts, fresh, at, alerts_rows, hits_rows, events)
        _insert(con, "alerts", alerts_rows)
        _insert(con, "alert_hits", hits_rows)
        _insert(con, "suppressed_hits", [
            {"origin": origin, "run_id": run_id, "account_id": f["account_id"], "source": f["source"],
             "source_id": f["source_id"], "score": f.get("score"), "band": f.get("band"), "why": why,
             "suppression_id": suppression_id, "alert_id": confirmed or suppressed_alerts.get(f["account_id"]),
             "logged_at": at}
            for f, why, suppression_id, confirmed in covered])
        summary["suppressed"] = sum(why == "suppressed" for _, why, _, _ in covered)
        summary["already_confirmed"] = len(covered) - summary["suppressed"]
        refresh_many(con, pol, [e.entity_id for e in events], at)
        audit.record_many(con, events)
        if run_id is not None:
            con.execute("INSERT INTO alert_ingests VALUES (?, ?, ?, ?)", [origin, run_id, at, json.dumps(summary)])
    log.info("alerts ingested", **{k: v for k, v in summary.items() if k != "already_ingested"})
    return summary


def run_followups(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The `cases.followups` job: expire suppressions whose time is up and reopen inconclusive alerts
    whose follow-up date has come, in one transaction (each change with its audit event)."""
    with transaction(con):
        at = audit.now()
        return {"suppressions_expired": suppression.expire_due(con, at),
                "follow_ups_reopened": reopen_follow_ups(con, at)}


def reopen_follow_ups(con: duckdb.DuckDBPyConnection, at: dt.datetime) -> int:
    """Inconclusive alerts whose follow-up date has come open again (unless the account has an open one),
    their findings back to pending."""
    due = con.execute(
        f"""SELECT alert_id, account_id FROM alerts a WHERE state = 'closed_inconclusive' AND follow_up <= ?
            AND NOT EXISTS (SELECT 1 FROM alerts o WHERE o.account_id = a.account_id AND o.state IN {OPEN_STATES})
            QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY alert_id DESC) = 1""", [at.date()]).fetchall()
    for alert_id, _ in due:
        con.execute("UPDATE alert_hits SET disposition = 'pending' WHERE alert_id = ? AND disposition = 'inconclusive'",
                    [alert_id])
        set_state(con, alert_id, "open", "system", "alert.follow_up_due", assigned_to=None, close_reason=None)
    return len(due)


def _auto_suppressed(con: duckdb.DuckDBPyConnection, ids: _Ids, covered: list[tuple], open_alerts: dict[str, int],
                     fresh: dict[str, list[dict[str, Any]]], at: dt.datetime, alerts_rows: list[dict[str, Any]],
                     hits_rows: list[dict[str, Any]], events: list[audit.Event]) -> dict[str, int]:
    """Suppressed findings of an account with nothing else going on are kept on an `auto_suppressed`
    alert (a new one only when they differ from the account's last such alert), so the record shows them."""
    quiet: dict[str, list[dict[str, Any]]] = {}
    for f, why, _, _ in covered:
        if why == "suppressed" and f["account_id"] not in open_alerts and f["account_id"] not in fresh:
            quiet.setdefault(f["account_id"], []).append(f)
    if not quiet:
        return {}
    last = dict(con.execute(
        "SELECT account_id, alert_id FROM alerts WHERE list_contains(?, account_id) AND state = 'auto_suppressed' "
        "QUALIFY alert_id = max(alert_id) OVER (PARTITION BY account_id)", [list(quiet)]).fetchall())
    latest = dict(con.execute("SELECT account_id, max(alert_id) FROM alerts WHERE list_contains(?, account_id) "
                              "GROUP BY account_id", [list(quiet)]).fetchall())
    kept: dict[int, set[tuple]] = {}
    for alert_id, k, s, i, e, f in con.execute(
            "SELECT alert_id, kind, source, source_id, entry_fp, account_fp FROM alert_hits WHERE list_contains(?, alert_id)",
            [list(last.values())]).fetchall():
        kept.setdefault(alert_id, set()).add((k, s, i, e, f))
    out = {}
    for account_id, findings in quiet.items():
        previous = last.get(account_id)
        if previous is not None and previous == latest.get(account_id) and all(
                _finding_key(f) in kept.get(previous, set()) for f in findings):
            out[account_id] = previous
            continue
        alert_id = ids.next("alerts", "alert_id")
        alerts_rows.append({**_new_alert(alert_id, account_id, "auto_suppressed", at), "closed_at": at,
                            "close_reason": "suppressed"})
        hits_rows += _findings_rows(ids, alert_id, findings, "suppressed", at)
        events.append(audit.Event("system", "alert.auto_suppressed", "alert", alert_id, account_id,
                                  {"findings": len(findings)}))
        out[account_id] = alert_id
    return out


def _finding_key(f: dict[str, Any]) -> tuple:
    return (f["kind"], f["source"], f["source_id"], f.get("entry_fp"), f.get("account_fp"))


class _Ids:
    """Next ids of the tables an ingestion appends to (one query per table)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.last: dict[str, int] = {}

    def next(self, table: str, key: str) -> int:
        if table not in self.last:
            self.last[table] = next_id(self.con, table, key) - 1
        self.last[table] += 1
        return self.last[table]


def _new_alert(alert_id: int, account_id: str, state: str, at: dt.datetime) -> dict[str, Any]:
    return {"alert_id": alert_id, "account_id": account_id, "kind": "sanctions", "state": state, "priority": "P4",
            "policy_action": "review", "opened_at": at, "updated_at": at}


def _findings_rows(ids: _Ids, alert_id: int, findings: list[dict[str, Any]], disposition: str,
                   at: dt.datetime) -> list[dict[str, Any]]:
    rows, seen = [], set()
    for f in findings:
        key = (f["kind"], f["source"], f["source_id"])
        if key in seen:  # the same entry twice in one batch (two names of one account): the best comes first
            continue
        seen.add(key)
        rows.append({"hit_id": ids.next("alert_hits", "hit_id"), "alert_id": alert_id,
                     **{c: _text(f.get(c)) if c == "reasons" else f.get(c) for c in FINDING_COLUMNS},
                     "policy_action": f["policy_action"], "disposition": disposition, "added_at": at})
    return rows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict[str, Any]]) -> None:
    """Append rows (dicts with the same keys) in one statement."""
    if not rows:
        return
    columns = list(rows[0])
    con.register("_rows", pa.Table.from_pylist(rows))
    try:
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM _rows")
    finally:
        con.unregister("_rows")


def summary_line(r: dict[str, Any]) -> str:
    """One line on what an ingestion did (also printed by `screen` and `eligibility`)."""
    return (f"alerts: {r['alerts_opened']} opened, {r['alerts_updated']} updated, {r['suppressed']} finding(s) "
            f"suppressed, {r['suppressions_voided']} suppression(s) voided"
            + (" (already ingested)" if r.get("already_ingested") else ""))


def _finding_rule(pol: policy_mod.Policy, f: dict[str, Any]) -> policy_mod.Rule:
    if f["kind"] == "sanctions":
        return pol.for_hit(f.get("regime"), pol.is_chinese(f.get("nationality"), f.get("country")))
    if f["kind"] == "eligibility":
        return pol.for_code(f["source_id"])
    return pol.for_data_quality()


def _text(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def refresh(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, alert_id: int, at: dt.datetime) -> None:
    refresh_many(con, pol, [alert_id], at)


def refresh_many(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, alert_ids: list[int], at: dt.datetime) -> None:
    """Recompute alerts' kind, band, priority and policy action from their findings still in play
    (all findings when none is: an auto-suppressed or fully delisted alert)."""
    if not alert_ids:
        return
    by_alert: dict[int, list[tuple]] = {}
    for alert_id, kind, band, regime, action, live in con.execute(
            "SELECT alert_id, kind, band, regime, policy_action, disposition IN ('pending', 'confirmed') "
            "FROM alert_hits WHERE list_contains(?, alert_id)", [alert_ids]).fetchall():
        by_alert.setdefault(alert_id, []).append((kind, band, regime, action, live))
    rows = []
    for alert_id, all_hits in by_alert.items():
        hits = [h for h in all_hits if h[4]] or all_hits
        points = max(pol.priority(b, r, k, b)[0] for k, b, r, _, _ in hits)
        rows.append({
            "alert_id": alert_id,
            "kind": max((h[0] for h in hits), key=KIND_RANK.__getitem__),
            "band": max((h[1] for h in hits if h[0] == "sanctions"), key=lambda b: BAND_RANK.get(b, 0), default=None),
            "priority": pol.level(points),
            "policy_action": max((h[3] for h in hits), key=policy_mod.ACTION_RANK.__getitem__),
        })
    con.register("_refresh", pa.Table.from_pylist(rows))
    try:
        con.execute("UPDATE alerts SET kind = r.kind, band = r.band, priority = r.priority, policy_action = r.policy_action, "
                    "updated_at = ? FROM _refresh r WHERE alerts.alert_id = r.alert_id", [at])
    finally:
        con.unregister("_refresh")


# ---- officers' transitions ---------------------------------------------------------------------


def get(con: duckdb.DuckDBPyConnection, alert_id: int) -> dict[str, Any]:
    rows = _rows(con, "SELECT * FROM alerts WHERE alert_id = ?", [alert_id])
    if not rows:
        raise exc.NotFound(f"no alert {alert_id}")
    return rows[0]


def set_state(con: duckdb.DuckDBPyConnection, alert_id: int, state: str, actor: str, action: str, **extra: Any) -> None:
    """Move an alert to `state` (and set `extra` columns) with its one audit event."""
    alert = get(con, alert_id)
    closed = state in CLOSED_STATES
    sets = {"state": state, "updated_at": audit.now(), "closed_at": audit.now() if closed else None, **extra}
    con.execute(f"UPDATE alerts SET {', '.join(f'{k} = ?' for k in sets)} WHERE alert_id = ?", [*sets.values(), alert_id])
    audit.record(con, actor, action, "alert", alert_id, alert["account_id"], state_from=alert["state"], state_to=state)


def assign(con: duckdb.DuckDBPyConnection, alert_id: int, officer: str) -> dict[str, Any]:
    """Take an alert into review (open → in_review), or hand an alert in review to another officer."""
    with transaction(con):
        officers.require(con, officer, officers.MAY_DECIDE, "assigning an alert")
        alert = get(con, alert_id)
        if alert["state"] not in ("open", "in_review", "escalated"):
            raise exc.ActionRefused(f"alert {alert_id} is {alert['state']}: only an open alert or one in review is assigned")
        if alert["state"] == "in_review" and alert["assigned_to"] == officer:
            raise exc.ActionRefused(f"alert {alert_id} is already in review by {officer}")
        state = "in_review" if alert["state"] == "open" else alert["state"]
        set_state(con, alert_id, state, officer, "alert.assigned", assigned_to=officer)
    return get(con, alert_id)


def escalate(con: duckdb.DuckDBPyConnection, alert_id: int, officer: str, note: str) -> dict[str, Any]:
    """in_review → escalated (legal review); needed before a true match whose policy says escalate_legal."""
    if not note or not note.strip():
        raise exc.UsageError("an escalation needs --note")
    with transaction(con):
        officers.require(con, officer, officers.MAY_DECIDE, "escalating an alert")
        alert = get(con, alert_id)
        if alert["state"] not in ("open", "in_review"):
            raise exc.ActionRefused(f"alert {alert_id} is {alert['state']}: only an open alert or one in review is escalated")
        set_state(con, alert_id, "escalated", officer, "alert.escalated", assigned_to=officer)
    return get(con, alert_id)


def listing(con: duckdb.DuckDBPyConnection, state: str | None = None, account_id: str | None = None) -> list[dict[str, Any]]:
    """Alerts with their findings, most urgent first (open ones by default)."""
    where, params = [], []
    if state in (None, "open"):
        where.append(f"state IN {OPEN_STATES}")
    elif state != "all":
        if state not in STATES:
            raise exc.UsageError(f"unknown state {state!r}: one of {', '.join(STATES)}, open or all")
        where.append("state = ?")
        params.append(state)
    if account_id:
        where.append("account_id = ?")
        params.append(account_id)
    alerts = _rows(con, f"SELECT * FROM alerts {'WHERE ' + ' AND '.join(where) if where else ''} "
                        "ORDER BY priority, opened_at, alert_id", params)
    hits = _hits_by_alert(con, [a["alert_id"] for a in alerts])
    now = audit.now()
    for a in alerts:
        a["age_days"] = round((now - a["opened_at"]).total_seconds() / 86400, 2)
        a["hits"] = hits.get(a["alert_id"], [])
    return alerts


def _hits_by_alert(con: duckdb.DuckDBPyConnection, alert_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    if not alert_ids:
        return {}
    out: dict[int, list[dict[str, Any]]] = {}
    for h in _rows(con, "SELECT * FROM alert_hits WHERE list_contains(?, alert_id) ORDER BY alert_id, score DESC NULLS LAST, hit_id",
                   [alert_ids]):
        if h["reasons"] and h["reasons"].startswith("{"):
            h["reasons"] = json.loads(h["reasons"])
        out.setdefault(h["alert_id"], []).append(h)
    return out


def show(con: duckdb.DuckDBPyConnection, alert_id: int) -> dict[str, Any]:
    """One alert: its findings with their reasons, its decisions and its history (audit events)."""
    alert = get(con, alert_id)
    alert["age_days"] = round((audit.now() - alert["opened_at"]).total_seconds() / 86400, 2)
    alert["hits"] = _hits_by_alert(con, [alert_id]).get(alert_id, [])
    alert["decisions"] = _rows(con, "SELECT * FROM decisions WHERE alert_id = ? ORDER BY decision_id", [alert_id])
    for d in alert["decisions"]:
        d["reason_codes"] = json.loads(d["reason_codes"])
    alert["history"] = _rows(con, "SELECT seq, occurred_at, actor, action FROM audit_events WHERE entity = 'alert' AND entity_id = ? "
                                  "ORDER BY seq", [str(alert_id)])
    return alert

