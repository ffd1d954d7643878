"""The audit trail: one event per state change of an alert, decision, suppression, flag, notice or
officer, in a hash chain.

Each event's hash covers the previous hash and a digest of its payload (not the payload itself), so
a retention purge can delete a payload holding personal data without breaking the chain. DuckDB has
no triggers, so "append-only" is checked, not enforced: `verify` recomputes the chain in one SQL pass
and compares every workflow row with the snapshot its last event recorded, so an UPDATE or DELETE
made by hand on an event, a payload or a workflow row is named.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from screening.alerts.sql import rows as _rows
from screening.store import fetch_one

GENESIS = "0" * 64

# entity → (table, key column); the rows whose state the log vouches for
ENTITIES: dict[str, tuple[str, str]] = {
    "officer": ("officers", "officer_id"),
    "alert": ("alerts", "alert_id"),
    "decision": ("decisions", "decision_id"),
    "suppression": ("suppressions", "suppression_id"),
    "flag": ("flags", "flag_id"),
    "notice": ("notices", "notice_id"),
}


def now() -> dt.datetime:
    """UTC now, naive (as stored). One place, so tests can move the clock."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def chain_hash(prev_hash: str, payload_digest: str, at: str, actor: str, action: str, entity: str,
               entity_id: str) -> str:
    """The same formula as the SQL in `verify` (concat_ws('|', …))."""
    return digest("|".join([prev_hash, payload_digest, at, actor, action, entity, entity_id]))  # noqa: FLY002


def snapshots(con: duckdb.DuckDBPyConnection, entity: str, ids: list[int] | None = None) -> dict[str, dict[str, Any]]:
    """The rows of a workflow entity as the log records them (an alert with a digest of its findings),
    by id as text; all rows when `ids` is None. One query per table, whatever the number of rows."""
    table, key = ENTITIES[entity]
    where = "" if ids is None else f"WHERE list_contains(?, {key})"
    cur = con.execute(f"SELECT * FROM {table} {where}", [] if ids is None else [ids])
    names = [d[0] for d in cur.description]
    rows = {str(r[names.index(key)]): json.loads(canonical(dict(zip(names, r)))) for r in cur.fetchall()}
    if entity == "alert" and rows:
        cur = con.execute(f"SELECT * FROM alert_hits {where.replace(key, 'alert_id')} ORDER BY alert_id, hit_id",
                          [] if ids is None else [ids])
        cols = [d[0] for d in cur.description]
        hits: dict[str, list[dict[str, Any]]] = {k: [] for k in rows}
        for r in cur.fetchall():
            hits.setdefault(str(r[cols.index("alert_id")]), []).append(dict(zip(cols, r)))
        for k, row in rows.items():
            row["hits_digest"] = digest(canonical(hits.get(k, [])))
    return rows


@dataclass(frozen=True)
class Event:
    actor: str
    action: str
    entity: str
    entity_id: int
    account_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def record(con: duckdb.DuckDBPyConnection, actor: str, action: str, entity: str, entity_id: int,
           account_id: str | None = None, **details: Any) -> int:
    """Append one event for a state change just written (call inside the same transaction).

    The payload holds the entity's row after the change plus `details`; returns the event's seq.
    """
    return record_many(con, [Event(actor, action, entity, entity_id, account_id, details)])


def record_many(con: duckdb.DuckDBPyConnection, events: list[Event]) -> int:
    """Append events in order, for state changes already written: the rows are read per table in one
    query and the events inserted in one statement (a run that opens thousands of alerts). Each event's
    snapshot is the row as it is now, so give one event per entity and batch."""
    if not events:
        return 0
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for entity in {e.entity for e in events}:
        rows[entity] = snapshots(con, entity, sorted({e.entity_id for e in events if e.entity == entity}))
    head = fetch_one(con, "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
    seq, prev = (head[0], head[1]) if head else (0, GENESIS)
    at = now().isoformat(timespec="microseconds")
    event_rows, payloads = [], {}
    for e in events:
        payload = canonical({"row": rows[e.entity].get(str(e.entity_id)), **e.details})
        payload_digest = digest(payload)
        payloads[payload_digest] = payload
        seq += 1
        prev_hash, prev = prev, chain_hash(prev, payload_digest, at, e.actor, e.action, e.entity, str(e.entity_id))
        event_rows.append((seq, at, e.actor, e.action, e.entity, str(e.entity_id), e.account_id, payload_digest,
                           prev_hash, prev))
    columns = ["seq", "occurred_at", "actor", "action", "entity", "entity_id", "account_id", "payload_digest",
               "prev_hash", "hash"]
    new_events = pa.table(list(zip(*event_rows)), names=columns)
    new_payloads = pa.table([list(payloads), list(payloads.values())], names=["payload_digest", "payload"])
    con.register("_new_payloads", new_payloads)
    con.register("_new_events", new_events)
    try:
        con.execute("INSERT INTO audit_payloads SELECT * FROM _new_payloads ON CONFLICT DO NOTHING")
        con.execute("INSERT INTO audit_events SELECT CAST(seq AS BIGINT), occurred_at, actor, action, entity, entity_id, "
                    "account_id, payload_digest, prev_hash, hash FROM _new_events")
    finally:
        con.unregister("_new_payloads")
        con.unregister("_new_events")
    return int(seq)


@dataclass
class Verification:
    events: int
    head: str | None
    problems: list[str] = field(default_factory=list)
    purged_payloads: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "head": self.head, "purged_payloads": self.purged_payloads,
                "problems": self.problems}


def verify(con: duckdb.DuckDBPyConnection, anchors: tuple[tuple[int, str], ...] = ()) -> Verification:
    """Check the whole chain, the payload digests and every workflow row against its last event.

    A chain recomputed from scratch after an edit verifies on its own; `anchors` — (seq, hash) heads kept
    outside the store, such as the one each nightly report's certificate prints — catch that: the chain
    must still hold each anchored event with the same hash."""
    events, head = fetch_one(con, "SELECT count(*), max_by(hash, seq) FROM audit_events") or (0, None)
    result = Verification(events, head)
    for seq, expected in anchors:
        found = fetch_one(con, "SELECT hash FROM audit_events WHERE seq = ?", [seq])
        if found is None:
            result.problems.append(f"anchor {seq}: the chain has no event {seq} (history cut)")
        elif found[0] != expected:
            result.problems.append(f"anchor {seq}: event {seq} now has hash {found[0]}, the anchor says {expected} "
                                   f"(history rewritten)")
    broken = con.execute(
        """
        SELECT seq, CASE
            WHEN seq <> row_number() OVER (ORDER BY seq) THEN 'a gap in the sequence (event missing)'
            WHEN prev_hash <> coalesce(lag(hash) OVER (ORDER BY seq), ?) THEN 'prev_hash does not match the event before'
            WHEN hash <> sha256(concat_ws('|', prev_hash, payload_digest, occurred_at, actor, action, entity, entity_id))
                THEN 'hash does not match its fields (event edited)'
            END AS problem
        FROM audit_events QUALIFY problem IS NOT NULL ORDER BY seq LIMIT 1
        """,
        [GENESIS],
    ).fetchall()
    if broken:
        result.problems.append(f"event {broken[0][0]}: {broken[0][1]}")
    bad_payload = fetch_one(
        con,
        """SELECT e.seq FROM audit_events e JOIN audit_payloads p USING (payload_digest)
           WHERE sha256(p.payload) <> p.payload_digest ORDER BY e.seq LIMIT 1""",
    )
    if bad_payload:
        result.problems.append(f"event {bad_payload[0]}: its payload was changed (digest mismatch)")
    result.purged_payloads = (fetch_one(
        con, "SELECT count(*) FROM audit_events WHERE payload_digest NOT IN (SELECT payload_digest FROM audit_payloads)"
    ) or (0,))[0]
    result.problems.extend(_row_problems(con))
    return result


def _row_problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Rows that differ from (or are missing against) the snapshot of their last event."""
    problems: list[str] = []
    last = con.execute(
        """SELECT e.entity, e.entity_id, e.seq, p.payload FROM audit_events e
           LEFT JOIN audit_payloads p USING (payload_digest)
           QUALIFY row_number() OVER (PARTITION BY e.entity, e.entity_id ORDER BY e.seq DESC) = 1"""
    ).fetchall()
    logged = {(entity, entity_id): (seq, payload) for entity, entity_id, seq, payload in last}
    for entity in ENTITIES:
        for entity_id, row in sorted(snapshots(con, entity).items(), key=lambda kv: int(kv[0])):
            event = logged.pop((entity, entity_id), None)
            if event is None:
                problems.append(f"{entity} {entity_id}: row not in the audit log (inserted by hand)")
                continue
            seq, payload = event
            if payload is not None and json.loads(payload).get("row") != row:
                problems.append(f"{entity} {entity_id}: row differs from audit event {seq} (changed outside the workflow)")
    for (entity, entity_id), (seq, payload) in sorted(logged.items()):
        if payload is not None and json.loads(payload).get("row") is not None:
            problems.append(f"{entity} {entity_id}: row deleted (last audit event {seq})")
    return problems


def account_trail(con: duckdb.DuckDBPyConnection, account_id: str) -> dict[str, Any]:
    """Everything the store holds on one account's screening: the runs that hit it (with the list
    versions and matching configuration used), its hits, eligibility findings, alerts, decisions (maker
    and checker), suppressions, flags, notices and the audit events."""
    runs = _rows(con, """SELECT r.run_id, r.kind, r.started_at, r.config_hash, r.list_versions
                         FROM screening_runs r WHERE r.run_id IN (SELECT run_id FROM screening_hits WHERE account_id = ?)
                         ORDER BY r.run_id""", [account_id])
    for r in runs:
        r["list_versions"] = json.loads(r["list_versions"])
    alerts = _rows(con, "SELECT * FROM alerts WHERE account_id = ? ORDER BY alert_id", [account_id])
    alert_ids = [a["alert_id"] for a in alerts]
    flag_ids = [f for (f,) in con.execute("SELECT flag_id FROM flags WHERE account_id = ?", [account_id]).fetchall()]
    return {
        "account_id": account_id,
        "screening_runs": runs,
        "hits": _rows(con, "SELECT run_id, source, source_id, entry_name, matched_name, score, band, regime, programs, reasons "
                           "FROM screening_hits WHERE account_id = ? ORDER BY run_id, score DESC", [account_id]),
        "eligibility": _rows(con, 'SELECT run_id, "check", code, severity, detail FROM eligibility_reasons '
                                  "WHERE account_id = ? ORDER BY run_id, code", [account_id]),
        "alerts": alerts,
        "findings": _rows(con, "SELECT * FROM alert_hits WHERE list_contains(?, alert_id) ORDER BY hit_id", [alert_ids]),
        "suppressed_hits": _rows(con, "SELECT * FROM suppressed_hits WHERE account_id = ? ORDER BY logged_at", [account_id]),
        "decisions": _rows(con, "SELECT * FROM decisions WHERE list_contains(?, alert_id) OR list_contains(?, flag_id) "
                                "ORDER BY decision_id", [alert_ids, flag_ids]),
        "suppressions": _rows(con, "SELECT * FROM suppressions WHERE account_id = ? ORDER BY suppression_id", [account_id]),
        "flags": _rows(con, "SELECT * FROM flags WHERE account_id = ? ORDER BY flag_id", [account_id]),
        "notices": _rows(con, "SELECT * FROM notices WHERE account_id = ? ORDER BY notice_id", [account_id]),
        "events": _rows(con, "SELECT seq, occurred_at, actor, action, entity, entity_id, hash FROM audit_events "
                             "WHERE account_id = ? ORDER BY seq", [account_id]),
    }
