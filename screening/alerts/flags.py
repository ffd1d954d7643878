"""Suspension and cancellation flags for the platform.

A flag carries its kind (`suspend` / `cancel`), its scope (`all` or named functions) and its legal
basis (list entries with regime and programmes, or the terms' clause of an eligibility finding).

    proposed ──(second officer approves the true match)──► approved ──export──► exported ──receipt──► applied
    approved / exported / applied ──(delisting, false positive)──► lift_proposed ──(four-eyes)──► lifted
    lifted ──export──► lift_exported ──receipt──► reinstated;       proposed ──(decision rejected)──► rejected

When a flag is approved, the other accounts of the same legal subject (the eligibility run's subject
groups) get linked `proposed` flags: a suspended subject re-registering is evasion. A linked proposal
takes effect only when one officer confirms it and another approves (decisions.propose_flag_action).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from screening import exc
from screening.alerts import audit, notices
from screening.alerts import policy as policy_mod
from screening.alerts.output import clean, write_records
from screening.alerts.sql import account_origin, next_id
from screening.alerts.sql import rows as _rows
from screening.store import fetch_one, transaction

STATES = ("proposed", "approved", "exported", "applied", "lift_proposed", "lifted", "lift_exported", "reinstated",
          "rejected")
IN_FORCE = ("approved", "exported", "applied")
LINK_CLAUSE = "Terms 2.3 (one account per legal subject)"


def get(con: duckdb.DuckDBPyConnection, flag_id: int) -> dict[str, Any]:
    rows = _rows(con, "SELECT * FROM flags WHERE flag_id = ?", [flag_id])
    if not rows:
        raise exc.NotFound(f"no flag {flag_id}")
    return rows[0]


def _set(con: duckdb.DuckDBPyConnection, flag_id: int, state: str, actor: str, **extra: Any) -> None:
    flag = get(con, flag_id)
    sets = {"state": state, "updated_at": audit.now(), **extra}
    con.execute(f"UPDATE flags SET {', '.join(f'{k} = ?' for k in sets)} WHERE flag_id = ?", [*sets.values(), flag_id])
    audit.record(con, actor, f"flag.{state}", "flag", flag_id, flag["account_id"], state_from=flag["state"])


def _insert(con: duckdb.DuckDBPyConnection, actor: str, **values: Any) -> int:
    flag_id = next_id(con, "flags", "flag_id")
    at = audit.now()
    row = {"flag_id": flag_id, "state": "proposed", "proposed_by": actor, "created_at": at, "updated_at": at, **values}
    con.execute(f"INSERT INTO flags ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})", list(row.values()))
    audit.record(con, actor, "flag.proposed", "flag", flag_id, values["account_id"])
    return flag_id


def propose_for(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, decision: dict[str, Any],
                alert: dict[str, Any]) -> int | None:
    """At a true-match proposal: one flag over the findings whose policy action suspends or cancels."""
    hits = _rows(con, "SELECT * FROM alert_hits WHERE alert_id = ? AND disposition = 'pending' AND hit_id <= ? "
                      "AND policy_action IN ('suspend', 'cancel') ORDER BY hit_id", [alert["alert_id"], decision["last_hit_id"]])
    if not hits:
        return None
    basis, scope = [], set()
    for h in hits:
        if h["kind"] == "sanctions":
            rule = pol.for_hit(h["regime"], pol.is_chinese(*account_origin(con, alert["account_id"])))
            basis.append({"source": h["source"], "source_id": h["source_id"], "regime": h["regime"],
                          "programs": h["programs"], "entry_version_id": h["entry_version_id"]})
        else:
            rule = pol.for_code(h["source_id"]) if h["kind"] == "eligibility" else pol.for_data_quality()
            basis.append({"code": h["source_id"], "clause": rule.clause})
        scope.update(rule.scope)
    kind = "cancel" if any(h["policy_action"] == "cancel" for h in hits) else "suspend"
    return _insert(con, decision["maker"], account_id=alert["account_id"], alert_id=alert["alert_id"],
                   decision_id=decision["decision_id"], kind=kind, scope=json.dumps(["all"] if "all" in scope else sorted(scope)),
                   basis=json.dumps(basis, ensure_ascii=False), group_id=_group_of(con, alert["account_id"]))


def _group_of(con: duckdb.DuckDBPyConnection, account_id: str) -> str | None:
    """The account's legal-subject group in its latest eligibility run, if any."""
    row = fetch_one(con, "SELECT group_id FROM eligibility_results WHERE account_id = ? ORDER BY run_id DESC LIMIT 1",
                    [account_id])
    return row[0] if row else None


def approve_for(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, decision: dict[str, Any], checker: str) -> None:
    """At the approval of a true match: its proposed flag is approved, its notices drafted, and the other
    accounts of the same legal subject get linked proposals."""
    for flag in _rows(con, "SELECT * FROM flags WHERE decision_id = ? AND state = 'proposed'", [decision["decision_id"]]):
        _approved(con, pol, flag, checker)


def _approved(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, flag: dict[str, Any], checker: str) -> None:
    _set(con, flag["flag_id"], "approved", checker, approved_by=checker)
    notices.for_flag(con, pol, get(con, flag["flag_id"]))
    if not flag["group_id"]:
        return
    others = con.execute(
        """SELECT DISTINCT account_id FROM eligibility_results
           WHERE group_id = ? AND account_id <> ?
             AND run_id = (SELECT max(run_id) FROM eligibility_results WHERE account_id = ?)""",
        [flag["group_id"], flag["account_id"], flag["account_id"]],
    ).fetchall()
    for (other,) in others:
        if fetch_one(con, f"SELECT 1 FROM flags WHERE account_id = ? AND state IN ('proposed', {', '.join(repr(s) for s in IN_FORCE)})",
                     [other]):
            continue
        _insert(con, "system", account_id=other, linked_to=flag["flag_id"], group_id=flag["group_id"], kind=flag["kind"],
                scope=flag["scope"], basis=json.dumps([{"linked_flag": flag["flag_id"], "clause": LINK_CLAUSE}]))


def confirm_linked(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, decision: dict[str, Any], checker: str) -> None:
    flag = get(con, decision["flag_id"])
    if flag["state"] != "proposed":
        raise exc.ActionRefused(f"flag {flag['flag_id']} is {flag['state']}: no longer a proposal")
    _approved(con, pol, flag, checker)


def reject_proposed(con: duckdb.DuckDBPyConnection, decision: dict[str, Any], checker: str) -> None:
    for (flag_id,) in con.execute("SELECT flag_id FROM flags WHERE decision_id = ? AND state = 'proposed'",
                                  [decision["decision_id"]]).fetchall():
        _set(con, flag_id, "rejected", checker)


def begin_lift(con: duckdb.DuckDBPyConnection, flag: dict[str, Any], officer: str, note: str) -> None:
    """An officer proposes lifting a flag in force (or takes up the system's lift proposal)."""
    if flag["state"] == "lift_proposed":
        return
    if flag["state"] not in IN_FORCE:
        raise exc.ActionRefused(f"flag {flag['flag_id']} is {flag['state']}: only a flag in force is lifted")
    _set(con, flag["flag_id"], "lift_proposed", officer, lift_from=flag["state"], lift_reason=note)


def propose_lift(con: duckdb.DuckDBPyConnection, flag: dict[str, Any], reason: str) -> bool:
    """The system's lift proposal (delisting, false positive); an officer and an approver still decide it."""
    if flag["state"] not in IN_FORCE:
        return False
    _set(con, flag["flag_id"], "lift_proposed", "system", lift_from=flag["state"], lift_reason=reason)
    return True


def propose_lifts_after_false_positive(con: duckdb.DuckDBPyConnection, account_id: str, decision: dict[str, Any]) -> None:
    """Flags of the account resting on entries the decision found not to match get a lift proposal."""
    cleared = {(s, i) for s, i in con.execute(
        "SELECT source, source_id FROM alert_hits WHERE alert_id = ? AND disposition = 'not_match'", [decision["alert_id"]]
    ).fetchall()}
    for flag in _rows(con, f"SELECT * FROM flags WHERE account_id = ? AND state IN {IN_FORCE}", [account_id]):
        entries = {(b["source"], b["source_id"]) for b in json.loads(flag["basis"]) if "source" in b}
        if entries and entries <= cleared:
            propose_lift(con, flag, f"false positive (decision {decision['decision_id']})")


def lift(con: duckdb.DuckDBPyConnection, pol: policy_mod.Policy, decision: dict[str, Any], checker: str) -> None:
    flag = get(con, decision["flag_id"])
    if flag["state"] != "lift_proposed":
        raise exc.ActionRefused(f"flag {flag['flag_id']} is {flag['state']}: no lift proposed")
    _set(con, flag["flag_id"], "lifted", checker, lifted_by=decision["maker"], lift_approved_by=checker)
    notices.for_flag(con, pol, get(con, flag["flag_id"]), kind="reinstatement")


def restore_after_rejection(con: duckdb.DuckDBPyConnection, decision: dict[str, Any], checker: str) -> None:
    """A rejected lift puts the flag back where it was; a rejected confirmation leaves the proposal."""
    flag = get(con, decision["flag_id"])
    if decision["kind"] == "lift" and flag["state"] == "lift_proposed":
        _set(con, flag["flag_id"], flag["lift_from"] or "approved", checker, lift_from=None)


def listing(con: duckdb.DuckDBPyConnection, state: str | None = None) -> list[dict[str, Any]]:
    if state and state not in STATES:
        raise exc.UsageError(f"unknown flag state {state!r}: one of {', '.join(STATES)}")
    rows = _rows(con, "SELECT * FROM flags WHERE ? IS NULL OR state = ? ORDER BY flag_id", [state, state])
    for r in rows:
        r["scope"], r["basis"] = json.loads(r["scope"]), json.loads(r["basis"])
    return rows


def export(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, Any]:
    """Write the approved flags (action suspend / cancel) and the lifted ones (action lift) not yet
    exported, for the platform; marks them exported. CSV or JSON by extension. No ID numbers, no
    account data beyond the account id; list entry names neutralised."""
    with transaction(con):
        rows = _rows(con, "SELECT * FROM flags WHERE state IN ('approved', 'lifted') ORDER BY flag_id")
        names = {(s, i): n for s, i, n in con.execute(
            "SELECT source, source_id, primary_name FROM list_entries "
            "QUALIFY row_number() OVER (PARTITION BY source, source_id ORDER BY version_id DESC) = 1").fetchall()}
        records = []
        for r in rows:
            basis = json.loads(r["basis"])
            records.append({
                "flag_id": r["flag_id"], "account_id": clean(r["account_id"]),
                "action": "lift" if r["state"] == "lifted" else r["kind"],
                "scope": ";".join(json.loads(r["scope"])),
                "legal_basis": "; ".join(_basis_text(b, names) for b in basis),
                "linked_to": r["linked_to"], "approved_by": r["lift_approved_by"] if r["state"] == "lifted" else r["approved_by"],
                "decided_at": str(r["updated_at"]),
            })
            _set(con, r["flag_id"], "lift_exported" if r["state"] == "lifted" else "exported", "system",
                 exported_at=audit.now())
        write_records(records, out, ["flag_id", "account_id", "action", "scope", "legal_basis", "linked_to", "approved_by",
                              "decided_at"])
    return {"out": str(out), "flags": len(records)}


def _basis_text(b: dict[str, Any], names: dict[tuple[str, str], str]) -> str:
    if "source" in b:
        name = clean(names.get((b["source"], b["source_id"]), ""))
        return f"{b['regime'] or '?'} list {b['source']} entry {b['source_id']} {name} ({b['programs'] or 'no programme'})"
    if "linked_flag" in b:
        return f"same legal subject as flag {b['linked_flag']}: {b['clause']}"
    return f"{b.get('clause')} [{b.get('code')}]"


def applied(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, Any]:
    """Import the platform's receipt (CSV or JSON with `flag_id`): exported flags become applied (their
    held notices are released), exported lifts become reinstated. All or nothing: an unknown flag or a
    flag not exported refuses the whole file, naming the line."""
    records = _read_receipt(path)
    pol = policy_mod.load()
    done = {"applied": 0, "reinstated": 0, "notices_released": 0}
    with transaction(con):
        for line, flag_id in records:
            row = fetch_one(con, "SELECT state FROM flags WHERE flag_id = ?", [flag_id])
            if row is None:
                raise exc.InputError(f"{path}, line {line}: no flag {flag_id}")
            if row[0] not in ("exported", "lift_exported"):
                raise exc.InputError(f"{path}, line {line}: flag {flag_id} is {row[0]}, not exported")
            if row[0] == "exported":
                _set(con, flag_id, "applied", "platform", applied_at=audit.now())
                done["applied"] += 1
                done["notices_released"] += notices.release_held(con, pol, flag_id)
            else:
                _set(con, flag_id, "reinstated", "platform")
                done["reinstated"] += 1
    return done


def _read_receipt(path: Path) -> list[tuple[int, int]]:
    path = Path(path)
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            items = [(i + 1, r["flag_id"]) for i, r in enumerate(data)]
        else:
            df = pl.read_csv(path, infer_schema_length=0)
            if "flag_id" not in df.columns:
                raise exc.InputError(f"{path}: a receipt needs a flag_id column")
            items = [(i + 2, v) for i, v in enumerate(df["flag_id"].to_list())]
    except (OSError, ValueError, KeyError, TypeError, pl.exceptions.PolarsError) as error:
        raise exc.InputError(f"{path}: cannot read the receipt: {error}") from error
    out = []
    for line, value in items:
        try:
            out.append((line, int(str(value).strip())))
        except ValueError:
            raise exc.InputError(f"{path}, line {line}: flag_id {value!r} is not a number") from None
    return out
