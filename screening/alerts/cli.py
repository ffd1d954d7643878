"""`screening officers | alerts | decisions | flags | notices | audit` — the officers' workflow.

Registered in screening/cli.py SUBCOMMANDS. Every command takes `--json`; every action names its
officer (`--officer`). A refused action prints why and exits 7 (6 when the thing does not exist);
nothing changes. Real sign-in is the platform's job: `--officer` is trusted as given.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import duckdb

from screening import exc
from screening.cli import Context, emit

DATE = click.DateTime(["%Y-%m-%d"])


@contextmanager
def _store(ctx: Context, *, write: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    from screening.store import connect

    con = connect(ctx.db, read_only=not write)
    try:
        yield con
    finally:
        con.close()


def _emit(data: Any, as_json: bool, text: str) -> None:
    emit(json.loads(json.dumps(data, default=str)), as_json, text)


def after_screen(con: duckdb.DuckDBPyConnection, run_id: int) -> tuple[dict[str, Any], str]:
    """`screening screen` calls this (screening.cli.AFTER_RUN) once its run is stored."""
    from screening.alerts import ingest_run, summary_line

    summary = ingest_run(con, run_id)
    return summary, summary_line(summary)


def after_list_version(con: duckdb.DuckDBPyConnection, version_id: int) -> tuple[dict[str, Any], str]:
    """`screening lists load|refresh` call this for every version they load: delisted or changed entries
    update open alerts, void suppressions and propose lifts (the jobs do the same)."""
    from screening.alerts import apply_list_changes

    summary = apply_list_changes(con, version_id)
    changed = {k: v for k, v in summary.items() if isinstance(v, int) and v}
    return summary, "alerts after the list change: " + (", ".join(f"{k} {v}" for k, v in changed.items()) or "none")


def after_eligibility(con: duckdb.DuckDBPyConnection, run_id: int) -> tuple[dict[str, Any], str]:
    """`screening eligibility` calls this (screening.cli.AFTER_RUN) once its run is stored."""
    from screening.alerts import ingest_eligibility, summary_line

    summary = ingest_eligibility(con, run_id)
    return summary, summary_line(summary)


# ---- officers ----------------------------------------------------------------------------------


@click.group("officers")
def officers_group() -> None:
    """Officers and their roles (analyst, approver, auditor)."""


@officers_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["analyst", "approver", "auditor"]), required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def officers_add(ctx: Context, name: str, role: str, as_json: bool) -> None:
    """Add an officer (the platform's sign-in vouches for who runs the commands)."""
    from screening.alerts import officers

    with _store(ctx) as con:
        row = officers.add(con, name, role)
    _emit(row, as_json, f"officer {row['name']} added as {row['role']}")


@officers_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def officers_list(ctx: Context, as_json: bool) -> None:
    from screening.alerts import officers

    with _store(ctx, write=False) as con:
        rows = officers.listing(con)
    _emit(rows, as_json, "\n".join(f"{r['name']:<20} {r['role']:<9} {'active' if r['active'] else 'inactive'}"
                                  for r in rows) or "no officers")


@officers_group.command("deactivate")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def officers_deactivate(ctx: Context, name: str, as_json: bool) -> None:
    """An officer who left: their name stays in the record, they can no longer act."""
    from screening.alerts import officers

    with _store(ctx) as con:
        officers.set_active(con, name, False)
    _emit({"name": name, "active": False}, as_json, f"officer {name} deactivated")


# ---- alerts ------------------------------------------------------------------------------------


@click.group("alerts")
def alerts_group() -> None:
    """Alerts from screening runs, lookups, eligibility runs and unscreenable accounts."""


@alerts_group.command("list")
@click.option("--state", default="open", show_default=True, help="A state, `open` (every open state) or `all`.")
@click.option("--account", "account_id", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_list(ctx: Context, state: str, account_id: str | None, as_json: bool) -> None:
    """Alerts, most urgent first: alert_id, account_id, state, priority, age, hits."""
    from screening.alerts import alerts

    with _store(ctx, write=False) as con:
        rows = alerts.listing(con, state, account_id)
    lines = [f"{a['alert_id']:>6}  {a['priority']}  {a['state']:<22} {a['kind']:<12} account {a['account_id']}  "
             f"{len(a['hits'])} finding(s), {a['age_days']:.1f} d, proposes {a['policy_action']}" for a in rows]
    _emit(rows, as_json, "\n".join(lines) or "no alerts")


@alerts_group.command("show")
@click.argument("alert_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_show(ctx: Context, alert_id: int, as_json: bool) -> None:
    """One alert: findings with their reasons, decisions, history."""
    from screening.alerts import alerts
    from screening.alerts.output import clean

    with _store(ctx, write=False) as con:
        a = alerts.show(con, alert_id)
    lines = [(f"alert {a['alert_id']} — account {a['account_id']} — {a['state']} — {a['priority']} — {a['kind']}"
              f" — proposes {a['policy_action']} — {a['age_days']:.1f} days old")]
    for h in a["hits"]:
        what = (f"{h['band'] or '':<12} {h['score'] or 0:.3f}  {clean(h['entry_name'])} [{h['source']} {h['source_id']}, "
                f"{h['regime']}] matched {clean(h['matched_name'])!r}" if h["kind"] == "sanctions"
                else f"{h['kind']:<12} {h['source']} {h['source_id']}: {clean(h['reasons'])}")
        lines.append(f"  #{h['hit_id']} {h['disposition']:<12} {what}")
        if isinstance(h["reasons"], dict):
            lines.append("      " + json.dumps(h["reasons"], ensure_ascii=False)[:300])
    for d in a["decisions"]:
        lines.append(f"  decision {d['decision_id']}: {d['outcome']} {','.join(d['reason_codes'])} by {d['maker']} — "
                     f"{d['status']}" + (f" by {d['checker']}" if d["checker"] else "") + f" — {clean(d['note'])}")
    lines += [f"  {e['occurred_at']}  {e['actor']:<12} {e['action']}" for e in a["history"]]
    _emit(a, as_json, "\n".join(lines))


@alerts_group.command("assign")
@click.argument("alert_id", type=int)
@click.option("--officer", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_assign(ctx: Context, alert_id: int, officer: str, as_json: bool) -> None:
    """Take an alert into review."""
    from screening.alerts import alerts

    with _store(ctx) as con:
        a = alerts.assign(con, alert_id, officer)
    _emit({"alert_id": alert_id, "state": a["state"], "assigned_to": officer}, as_json,
          f"alert {alert_id} {a['state']}, assigned to {officer}")


@alerts_group.command("escalate")
@click.argument("alert_id", type=int)
@click.option("--officer", required=True)
@click.option("--note", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_escalate(ctx: Context, alert_id: int, officer: str, note: str, as_json: bool) -> None:
    """Escalate for legal review (required by the policy before some true matches)."""
    from screening.alerts import alerts

    with _store(ctx) as con:
        a = alerts.escalate(con, alert_id, officer, note)
    _emit({"alert_id": alert_id, "state": a["state"]}, as_json, f"alert {alert_id} escalated by {officer}")


@alerts_group.command("decide")
@click.argument("alert_id", type=int)
@click.option("--officer", required=True)
@click.option("--outcome", type=click.Choice(["true_match", "false_positive", "inconclusive"]), required=True)
@click.option("--reason", "reasons", multiple=True, required=True, help="Reason code (any case); repeat for several.")
@click.option("--note", required=True)
@click.option("--suppress", is_flag=True, help="Remember this false positive (needs a second officer).")
@click.option("--follow-up", type=DATE, default=None, help="Follow-up date of an inconclusive decision.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_decide(ctx: Context, alert_id: int, officer: str, outcome: str, reasons: tuple[str, ...], note: str,
                  suppress: bool, follow_up: dt.datetime | None, as_json: bool) -> None:
    """Decide an alert: → decision_id, status (final, or pending a second officer's approval)."""
    from screening.alerts import decisions

    with _store(ctx) as con:
        r = decisions.decide(con, alert_id, officer, outcome, list(reasons), note, suppress=suppress,
                             follow_up=follow_up.date() if follow_up else None)
    _emit(r, as_json, f"decision {r['decision_id']}: {r['status']}"
          + (" — needs a second officer's approval" if r["needs_approval"] else "") + f"; alert {r['alert_state']}")


@alerts_group.command("suppressions")
@click.option("--state", type=click.Choice(["active", "voided", "expired"]), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_suppressions(ctx: Context, state: str | None, as_json: bool) -> None:
    """Suppressions ("good guy" memory), for the periodic review: who made and approved each, until when."""
    from screening.alerts import suppression

    with _store(ctx, write=False) as con:
        rows = suppression.listing(con, state)
    _emit(rows, as_json, "\n".join(
        f"{r['suppression_id']:>6}  {r['state']:<8} account {r['account_id']}  {r['source']} {r['source_id']}  "
        f"by {r['created_by']} / {r['approved_by']}  until {r['expires_at']:%Y-%m-%d}"
        + (f"  ({r['ended_reason']})" if r["ended_reason"] else "") for r in rows) or "no suppressions")


@alerts_group.command("ingest")
@click.option("--run", "run_id", type=int, default=None, help="A screening run.")
@click.option("--eligibility-run", "eligibility_run_id", type=int, default=None, help="An eligibility run.")
@click.option("--list-version", "version_id", type=int, default=None,
              help="A list version: apply its removals and changes (delisting, suppressions voided).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def alerts_ingest(ctx: Context, run_id: int | None, eligibility_run_id: int | None, version_id: int | None,
                  as_json: bool) -> None:
    """Turn a stored run or list version into alerts (`screen` and `eligibility` do it already; twice adds nothing)."""
    from screening.alerts import (
        apply_list_changes,
        ingest_eligibility,
        ingest_run,
        summary_line,
    )

    if sum(x is not None for x in (run_id, eligibility_run_id, version_id)) != 1:
        raise exc.UsageError("give exactly one of --run, --eligibility-run and --list-version")
    with _store(ctx) as con:
        if version_id is not None:
            r = apply_list_changes(con, version_id)
            _emit(r, as_json, f"list version {version_id}: {r['findings_delisted']} finding(s) delisted, "
                              f"{r['alerts_closed']} alert(s) closed, {r['suppressions_voided']} suppression(s) voided, "
                              f"{r['lift_proposals']} lift proposal(s)")
            return
        r = ingest_run(con, run_id) if run_id is not None else ingest_eligibility(con, eligibility_run_id)
    _emit(r, as_json, summary_line(r))


# ---- decisions ---------------------------------------------------------------------------------


@click.group("decisions")
def decisions_group() -> None:
    """The second officer's approval or rejection."""


@decisions_group.command("approve")
@click.argument("decision_id", type=int)
@click.option("--officer", required=True)
@click.option("--note", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def decisions_approve(ctx: Context, decision_id: int, officer: str, note: str | None, as_json: bool) -> None:
    from screening.alerts import decisions

    with _store(ctx) as con:
        r = decisions.approve(con, decision_id, officer, note)
    _emit(r, as_json, f"decision {decision_id} approved by {officer}")


@decisions_group.command("reject")
@click.argument("decision_id", type=int)
@click.option("--officer", required=True)
@click.option("--note", required=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def decisions_reject(ctx: Context, decision_id: int, officer: str, note: str, as_json: bool) -> None:
    from screening.alerts import decisions

    with _store(ctx) as con:
        r = decisions.reject(con, decision_id, officer, note)
    _emit(r, as_json, f"decision {decision_id} rejected by {officer}")


@decisions_group.command("list")
@click.option("--status", type=click.Choice(["pending", "approved", "rejected", "final", "withdrawn"]), default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def decisions_list(ctx: Context, status: str | None, as_json: bool) -> None:
    from screening.alerts import decisions

    with _store(ctx, write=False) as con:
        rows = decisions.listing(con, status)
    _emit(rows, as_json, "\n".join(
        f"{d['decision_id']:>6}  {d['kind']:<5} {d['outcome']:<14} {d['status']:<9} by {d['maker']}"
        + (f", checked by {d['checker']}" if d["checker"] else "")
        + (f"  alert {d['alert_id']}" if d["alert_id"] else f"  flag {d['flag_id']}") for d in rows) or "no decisions")


# ---- flags -------------------------------------------------------------------------------------


@click.group("flags")
def flags_group() -> None:
    """Suspension and cancellation flags for the platform."""


@flags_group.command("list")
@click.option("--state", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def flags_list(ctx: Context, state: str | None, as_json: bool) -> None:
    from screening.alerts import flags

    with _store(ctx, write=False) as con:
        rows = flags.listing(con, state)
    _emit(rows, as_json, "\n".join(
        f"{f['flag_id']:>6}  {f['kind']:<8} {f['state']:<14} account {f['account_id']}  scope {','.join(f['scope'])}"
        + (f"  linked to flag {f['linked_to']}" if f["linked_to"] else "")
        + (f"  ({f['lift_reason']})" if f["lift_reason"] else "") for f in rows) or "no flags")


@flags_group.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV or JSON by extension.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def flags_export(ctx: Context, out: Path, as_json: bool) -> None:
    """Approved flags and lifts not yet exported → FILE (they become exported)."""
    from screening.alerts import flags

    with _store(ctx) as con:
        r = flags.export(con, out)
    _emit(r, as_json, f"{r['flags']} flag(s) written to {out}")


@flags_group.command("applied")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def flags_applied(ctx: Context, path: Path, as_json: bool) -> None:
    """Import the platform's receipt (flag_id per row): applied / reinstated; held notices released."""
    from screening.alerts import flags

    with _store(ctx) as con:
        r = flags.applied(con, path)
    _emit(r, as_json, f"{r['applied']} applied, {r['reinstated']} reinstated, {r['notices_released']} notice(s) released")


def _flag_action(kind: str) -> click.Command:
    @click.command(kind, help=f"Propose to {kind} a flag; a second officer approves (screening decisions approve).")
    @click.argument("flag_id", type=int)
    @click.option("--officer", required=True)
    @click.option("--reason", "reasons", multiple=True, required=True)
    @click.option("--note", required=True)
    @click.option("--json", "as_json", is_flag=True)
    @click.pass_obj
    def command(ctx: Context, flag_id: int, officer: str, reasons: tuple[str, ...], note: str, as_json: bool) -> None:
        from screening.alerts import decisions

        with _store(ctx) as con:
            r = decisions.propose_flag_action(con, flag_id, officer, kind, list(reasons), note)
        _emit(r, as_json, f"decision {r['decision_id']}: {kind} flag {flag_id} — pending a second officer's approval")

    return command


flags_group.add_command(_flag_action("lift"))
flags_group.add_command(_flag_action("confirm"))


# ---- notices -----------------------------------------------------------------------------------


@click.group("notices")
def notices_group() -> None:
    """Notices to users (suspension, cancellation, reinstatement, correction requests, name changes)."""


@notices_group.command("list")
@click.option("--state", default=None)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def notices_list(ctx: Context, state: str | None, as_json: bool) -> None:
    from screening.alerts import notices

    with _store(ctx, write=False) as con:
        rows = notices.listing(con, state)
    _emit(rows, as_json, "\n".join(
        f"{n['notice_id']:>6}  {n['kind']:<18} {n['channel']:<12} {n['locale']:<5} {n['state']:<9} account {n['account_id']}"
        for n in rows) or "no notices")


@notices_group.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV or JSON by extension.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def notices_export(ctx: Context, out: Path, as_json: bool) -> None:
    """Notices ready to send → FILE (they become exported); held ones wait for their flag."""
    from screening.alerts import notices

    with _store(ctx) as con:
        r = notices.export(con, out)
    _emit(r, as_json, f"{r['notices']} notice(s) written to {out}")


@notices_group.command("delivered")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def notices_delivered(ctx: Context, path: Path, as_json: bool) -> None:
    """Import the delivery receipt (notice_id, status delivered|failed, failure)."""
    from screening.alerts import notices

    with _store(ctx) as con:
        r = notices.delivered(con, path)
    _emit(r, as_json, f"{r['delivered']} delivered, {r['failed']} failed")


# ---- audit -------------------------------------------------------------------------------------


@click.command("audit")
@click.argument("target")
@click.option("--account", "as_account", is_flag=True, help="TARGET is an account id even if it reads `verify`.")
@click.option("--anchor", "anchors", multiple=True, callback=lambda _c, _p, v: tuple(_anchor(a) for a in v),
              metavar="SEQ:HASH", help="With `verify`: a chain head kept outside the store (a nightly report's "
              "certificate prints one); the chain must still hold that event with that hash. Repeatable.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def audit_command(ctx: Context, target: str, as_account: bool, anchors: tuple[tuple[int, str], ...],
                  as_json: bool) -> None:
    """`audit verify`: check the whole chain (exit 8 and the first broken event when it fails).
    `audit ACCOUNT_ID`: every screening, list version, hit, decision, flag and notice of one account."""
    from screening.alerts import audit

    with _store(ctx, write=False) as con:
        if target == "verify" and not as_account:
            result = audit.verify(con, anchors)
            _emit(result.to_dict(), as_json,
                  f"audit chain verified: {result.events} events, head {result.head}"
                  + (f", {result.purged_payloads} payload(s) purged" if result.purged_payloads else "")
                  if result.ok else "audit chain BROKEN:\n" + "\n".join(f"  {p}" for p in result.problems))
            if not result.ok:
                raise exc.IntegrityError(f"the audit trail does not verify: {result.problems[0]}")
            return
        trail = audit.account_trail(con, target)
    _emit(trail, as_json, _trail_text(trail))


def _anchor(text: str) -> tuple[int, str]:
    seq, _, digest = text.partition(":")
    if not (seq.isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)):
        raise click.BadParameter(f"{text!r} is not SEQ:HASH (an event number and its 64-hex-digit hash)",
                                 param_hint="--anchor")
    return int(seq), digest


def _trail_text(t: dict[str, Any]) -> str:
    from screening.alerts.output import clean

    lines = [f"account {clean(t['account_id'])}"]
    for r in t["screening_runs"]:
        versions = ", ".join(f"{v['source']}#{v['version_id']}" for v in r["list_versions"])
        lines.append(f"  run {r['run_id']} ({r['kind']}) {r['started_at']}  config {r['config_hash']}  lists {versions}")
    for h in t["hits"]:
        lines.append(f"    hit run {h['run_id']}: {h['band']} {h['score']:.3f} {clean(h['entry_name'])} [{h['source']} {h['source_id']}]")
    for e in t["eligibility"]:
        lines.append(f"  eligibility run {e['run_id']}: {e['code']} ({e['severity']})")
    for d in t["decisions"]:
        lines.append(f"  decision {d['decision_id']} {d['outcome']} by {d['maker']} at {d['made_at']} — {d['status']}"
                     + (f" by {d['checker']} at {d['checked_at']}" if d["checker"] else ""))
    for f in t["flags"]:
        lines.append(f"  flag {f['flag_id']} {f['kind']} {f['state']} (proposed by {f['proposed_by']}, approved by {f['approved_by']})")
    for n in t["notices"]:
        lines.append(f"  notice {n['notice_id']} {n['kind']} {n['channel']} {n['locale']} {n['state']}")
    lines += [f"  event {e['seq']} {e['occurred_at']} {e['actor']}: {e['action']} {e['entity']} {e['entity_id']}"
              for e in t["events"]]
    return "\n".join(lines)
