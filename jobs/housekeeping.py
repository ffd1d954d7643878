"""Housekeeping jobs: `cases.followups`, `retention.purge` and `lookups.fold` (the lookup-event spool
into the store)."""

from __future__ import annotations

from typing import Any

from jobs import alerts_bridge
from jobs.runner import JobContext
from screening import settings
from screening.store import transaction


def followups(ctx: JobContext) -> dict[str, Any]:
    """Expire suppressions and reopen inconclusive alerts whose follow-up is due (the alerts step)."""
    with ctx.store() as con:
        return {"followups": alerts_bridge.call("run_followups", con)}


def fold_lookups(ctx: JobContext) -> dict[str, Any]:
    """Fold the lookup-event spool of the API (and of crashed processes) into `lookup_events`; a
    registering account whose lookup was not `clear` gets an alert (issue 12: the onboarding screen
    feeds the officers' queue like any run)."""
    from screening.alerts import alert_from_lookup
    from screening.registration.events import fold

    folder = settings.service_dir_for(ctx.db) / "spool"
    result = fold(ctx.db, folder)  # the files read with the store closed, the insert one short transaction
    to_alert = result.pop("to_alert")
    if to_alert:
        with ctx.store() as con:
            for event in to_alert:
                alert_from_lookup(con, event["account_id"], event)
    return result | {"lookup_alerts": len(to_alert)}


def purge(ctx: JobContext) -> dict[str, Any]:
    """Remove personal data past the retention period, never under a legal hold or an open alert.

    - lookup events older than the retention: name, birth date, country and ID hash are cleared; the
      decision, list versions, config hash and the payload digest stay (the record remains verifiable);
    - closed accounts not updated within the retention: the account row goes, the account-side names in
      their hits and identity changes are cleared;
    - job-run history older than SCREENING_JOB_HISTORY_DAYS.
    """
    days = int(ctx.params.get("retention_days") or settings.retention_days())
    ctx.inputs["retention_days"] = days
    with ctx.store() as con:
        held = _held_accounts_sql(con)
        with transaction(con):
            lookups = con.execute(
                f"""UPDATE lookup_events SET name = NULL, birth_date = NULL, country = NULL, id_hash = NULL,
                        purged_at = now()
                    WHERE purged_at IS NULL AND looked_up_at < now() - to_days(?)
                      AND (account_id IS NULL OR account_id NOT IN ({held}))""", [days]).fetchall()[0][0]
            con.execute(
                f"""CREATE TEMP TABLE _purge AS SELECT account_id FROM accounts
                    WHERE lower(coalesce(status, '')) IN ('closed', 'cancelled', 'canceled', 'deleted')
                      AND coalesce(updated_at, (SELECT imported_at FROM account_imports i
                                                WHERE i.import_id = accounts.last_import_id))
                          < now()::TIMESTAMP - to_days(?)
                      AND account_id NOT IN ({held})""", [days])
            accounts = con.execute("SELECT count(*) FROM _purge").fetchall()[0][0]
            con.execute("UPDATE screening_hits SET query_name = NULL WHERE account_id IN (SELECT account_id FROM _purge)")
            con.execute("UPDATE account_identity_changes SET old_name = NULL, new_name = NULL, old_birth_date = NULL, "
                        "new_birth_date = NULL WHERE account_id IN (SELECT account_id FROM _purge)")
            con.execute("DELETE FROM accounts WHERE account_id IN (SELECT account_id FROM _purge)")
            con.execute("DROP TABLE _purge")
            runs = con.execute("DELETE FROM job_runs WHERE finished_at < now() - to_days(?) AND status <> 'running'",
                               [settings.job_history_days()]).fetchall()[0][0]
    return {"lookup_events_purged": int(lookups), "accounts_purged": int(accounts), "job_runs_trimmed": int(runs)}


def _held_accounts_sql(con) -> str:
    """Accounts that must be kept: under a legal hold, or with an alert that is not closed."""
    parts = ["SELECT account_id FROM legal_holds WHERE released_at IS NULL"]
    has_alerts = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'alerts'").fetchall()[0][0]
    if has_alerts:
        columns = {r[0] for r in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'alerts'"
                                             ).fetchall()}
        if "account_id" in columns:  # fail closed: without a closed_at column every alerted account is kept
            where = " WHERE closed_at IS NULL" if "closed_at" in columns else ""
            parts.append(f"SELECT account_id FROM alerts{where}")
    return " UNION ".join(parts)
