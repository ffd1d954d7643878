"""The report's questions as DuckDB SQL, one `Part` per table an officer reads.

Why one declaration per part: the SQL is what an auditor re-runs to check a figure (the certificate
prints it with its parameters), and `needs` says which tables and columns the part reads, so a store
where a step has not written its tables yet (alerts, jobs) gets a visible "not available" instead of a
crash or a silently missing section.

Parameters: `$start` and `$end` bound the report's period, `start < t <= end`, on the store's clock
(naive UTC timestamps).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import polars as pl

ROW_LIMIT = 200  # rows shown per table in the HTML; the CSV exports carry all of them

ALERTS = "alerts (issue 12)"
FAIL_IN = "the fail-in work (issue 10)"
JOBS = "jobs (issue 14)"
CORE = "the screening store"

def period(col: str) -> str:
    """`col` (a naive UTC TIMESTAMP) within the report's period."""
    return f"{col} > $start AND {col} <= $end"


def period_tz(col: str) -> str:
    """`col` (a TIMESTAMPTZ) within the report's period, whatever the session's time zone."""
    return f"{col} > timezone('UTC', $start::TIMESTAMP) AND {col} <= timezone('UTC', $end::TIMESTAMP)"


# Open alert states: everything not closed and not suppressed by the system.
OPEN_ALERT = "(state NOT LIKE 'closed%' AND state <> 'auto_suppressed')"

# List versions in force at the end of the period (not "now": a report for an earlier day stays true).
IN_FORCE = """(SELECT * FROM list_versions WHERE loaded_at <= $end
               QUALIFY row_number() OVER (PARTITION BY source ORDER BY version_id DESC) = 1)"""

# Entries each version loaded in the period added, changed or removed (a first version adds all).
CHANGED_ENTRIES = f"""
    v AS (SELECT * FROM list_versions WHERE {period("loaded_at")}),
    changed AS (
        SELECT d.version_id, d.source, d.source_id, d.change, d.primary_name FROM list_diffs d JOIN v USING (version_id)
        UNION ALL
        SELECT e.version_id, e.source, e.source_id, 'added', e.primary_name
        FROM list_entries e JOIN v USING (version_id) WHERE v.previous_version_id IS NULL
    ),
    entry_hits AS (  -- accounts hit on a new/changed entry by the period's runs; on a removed one, ever
        SELECT c.version_id, c.source, c.source_id, c.change, c.primary_name, h.account_id, h.score
        FROM changed c
        JOIN screening_hits h ON h.source = c.source AND h.source_id = c.source_id
        JOIN screening_runs r ON r.run_id = h.run_id
        WHERE c.change = 'removed'
           OR ({period("r.started_at")} AND EXISTS (
                SELECT 1 FROM screening_run_versions rv WHERE rv.run_id = r.run_id AND rv.version_id = c.version_id))
    )"""

LATEST_ELIGIBILITY = f"(SELECT max(run_id) AS run_id FROM eligibility_runs WHERE {period('started_at')})"

# Findings grouped the way officers act on them; `check` values come from screening/eligibility.
FINDING_CATEGORY = """CASE WHEN r.code = 'possible_transfer' THEN 'transfer'
                           WHEN r."check" = 'subject' THEN 'shared_subject'
                           WHEN r."check" = 'capacity' THEN 'capacity'
                           WHEN r."check" = 'id' THEN 'invalid_id'
                           WHEN r."check" = 'brand' THEN 'brand'
                           ELSE r."check" END"""


@dataclass(frozen=True)
class Part:
    """One table of the report: its SQL, what it reads, and which step writes those tables."""

    key: str
    sql: str
    needs: dict[str, tuple[str, ...]]
    owner: str = CORE
    limit: int | None = ROW_LIMIT  # None: a summary, always shown whole
    export: str | None = None  # CSV file name for the full result

    def params(self, values: dict) -> dict:
        """Only the parameters the SQL uses (DuckDB refuses extra ones)."""
        used = set(re.findall(r"\$(\w+)", self.sql))
        return {k: v for k, v in values.items() if k in used}


def _alerts_needs(*extra: str) -> dict[str, tuple[str, ...]]:
    return {"alerts": ("alert_id", "account_id", "state", *extra)}


PARTS: dict[str, Part] = {p.key: p for p in [
    # -- what waits for me ------------------------------------------------------------------
    Part("new_alerts_by_priority", f"""
        SELECT priority, kind, band, count(*) AS alerts FROM alerts
        WHERE {period("opened_at")} AND state <> 'auto_suppressed'
        GROUP BY ALL ORDER BY priority, kind, band""",
         _alerts_needs("priority", "kind", "band", "opened_at"), ALERTS, limit=None),
    Part("new_alerts", f"""
        SELECT a.alert_id, a.priority, a.kind, a.band, a.state, a.account_id, acc.name, acc.id_masked,
               h.entry_name, h.source, h.findings, a.policy_action, a.opened_at
        FROM alerts a LEFT JOIN accounts acc USING (account_id)
        LEFT JOIN (SELECT alert_id, arg_max(entry_name, coalesce(score, 0)) AS entry_name,
                          string_agg(DISTINCT source, ', ' ORDER BY source) AS source, count(*) AS findings
                   FROM alert_hits GROUP BY alert_id) h USING (alert_id)
        WHERE {period("a.opened_at")} AND a.state <> 'auto_suppressed' ORDER BY a.priority, a.opened_at, a.alert_id""",
         {**_alerts_needs("priority", "kind", "band", "opened_at", "policy_action"),
          "alert_hits": ("alert_id", "entry_name", "score", "source")},
         ALERTS, export="alerts.csv"),
    Part("pending_approvals", """
        SELECT d.decision_id, d.kind, d.outcome, d.alert_id, d.flag_id,
               coalesce(a.account_id, f.account_id) AS account_id,
               acc.name, d.maker, d.made_at
        FROM decisions d LEFT JOIN alerts a USING (alert_id) LEFT JOIN flags f USING (flag_id)
        LEFT JOIN accounts acc ON acc.account_id = coalesce(a.account_id, f.account_id)
        WHERE d.status = 'pending' AND d.made_at <= $end ORDER BY d.made_at, d.decision_id""",
         {"decisions": ("decision_id", "alert_id", "flag_id", "kind", "outcome", "maker", "made_at", "status"),
          "flags": ("flag_id", "account_id"), **_alerts_needs()}, ALERTS, export="pending_approvals.csv"),
    Part("flags_to_export", """
        SELECT f.flag_id, f.kind, f.account_id, acc.name, f.alert_id, f.linked_to, f.proposed_by, f.approved_by
        FROM flags f LEFT JOIN accounts acc USING (account_id)
        WHERE f.state = 'approved' ORDER BY f.flag_id""",
         {"flags": ("flag_id", "kind", "account_id", "alert_id", "linked_to", "state", "proposed_by", "approved_by")},
         ALERTS, export="flags.csv"),
    Part("notices_held", """
        SELECT n.notice_id, n.kind, n.account_id, acc.name, n.flag_id, n.channel, n.locale, n.template_id, n.created_at
        FROM notices n LEFT JOIN accounts acc USING (account_id) WHERE n.state = 'held' ORDER BY n.notice_id""",
         {"notices": ("notice_id", "kind", "account_id", "flag_id", "channel", "locale", "template_id", "state",
                      "created_at")},
         ALERTS, export="notices.csv"),
    Part("unscreened", f"""
        SELECT u.run_id, u.account_id, acc.name, u.line, u.reason
        FROM screening_unscreened u JOIN screening_runs r USING (run_id) LEFT JOIN accounts acc USING (account_id)
        WHERE {period("r.started_at")} ORDER BY u.run_id, u.line""",
         {"screening_unscreened": ("run_id", "account_id", "line", "reason")}, FAIL_IN, export="unscreened.csv"),
    # -- what changed -------------------------------------------------------------------------
    Part("list_changes", f"""
        WITH {CHANGED_ENTRIES}
        SELECT v.source, v.version_id, v.publisher_date, v.is_snapshot, v.entry_count, v.added, v.removed, v.changed,
               (SELECT count(DISTINCT account_id) FROM entry_hits e WHERE e.version_id = v.version_id) AS accounts_hit
        FROM v ORDER BY v.source, v.version_id""",
         {"list_versions": ("loaded_at",), "screening_hits": ("source_id",)}, limit=None),
    Part("list_change_entries", f"""
        WITH {CHANGED_ENTRIES}
        SELECT source, source_id, change, any_value(primary_name) AS entry_name,
               count(DISTINCT account_id) AS accounts, round(max(score), 3) AS best_score
        FROM entry_hits GROUP BY source, source_id, change ORDER BY accounts DESC, source, source_id""",
         {"list_versions": ("loaded_at",), "screening_hits": ("source_id",)}, limit=50, export="list_changes.csv"),
    Part("list_change_alerts", f"""
        WITH {CHANGED_ENTRIES}
        SELECT c.source, c.change, count(DISTINCT a.alert_id) AS alerts
        FROM changed c JOIN alert_hits ah ON ah.source = c.source AND ah.source_id = c.source_id
        JOIN alerts a ON a.alert_id = ah.alert_id AND {period("a.opened_at")}
        GROUP BY ALL ORDER BY c.source, c.change""",
         {"alert_hits": ("alert_id", "source", "source_id"), **_alerts_needs("opened_at")}, ALERTS, limit=None),
    Part("hits_by_band", f"""
        SELECT h.band, count(*) AS hits, count(DISTINCT h.account_id) AS accounts
        FROM screening_hits h JOIN screening_runs r USING (run_id) WHERE {period("r.started_at")}
        GROUP BY h.band ORDER BY CASE h.band WHEN 'block_review' THEN 0 WHEN 'review' THEN 1 ELSE 2 END""",
         {"screening_hits": ("band",)}, limit=None),
    Part("account_imports", f"""
        SELECT import_id, source, imported_at, account_count, added, changed, identity_changed, quarantined
        FROM account_imports WHERE {period("imported_at")} ORDER BY import_id""",
         {"account_imports": ("import_id", "imported_at", "identity_changed")}, limit=None),
    Part("data_issues", f"""
        SELECT d.field, d.reason, count(*) AS rows FROM account_data_issues d
        JOIN account_imports i USING (import_id) WHERE {period("i.imported_at")}
        GROUP BY ALL ORDER BY rows DESC, d.field""",
         {"account_data_issues": ("import_id", "field", "reason")}, FAIL_IN, limit=None),
    # -- eligibility ---------------------------------------------------------------------------
    Part("eligibility_runs", f"""
        SELECT run_id, basis, as_of, import_id, accounts, eligible, review, ineligible, config_hash
        FROM eligibility_runs WHERE run_id = {LATEST_ELIGIBILITY}""",
         {"eligibility_runs": ("run_id", "basis", "config_hash")}, limit=None),
    Part("findings_by_reason", f"""
        SELECT {FINDING_CATEGORY} AS category, r.code, r.severity, count(DISTINCT r.account_id) AS accounts
        FROM eligibility_reasons r WHERE r.run_id = {LATEST_ELIGIBILITY} AND r.severity <> 'info'
        GROUP BY ALL ORDER BY category, accounts DESC, r.code""",
         {"eligibility_reasons": ("run_id", "code", "severity")}, limit=None),
    Part("findings", f"""
        SELECT r.account_id, acc.name, acc.id_masked, {FINDING_CATEGORY} AS category, r.code, r.severity, r.detail
        FROM eligibility_reasons r LEFT JOIN accounts acc USING (account_id)
        WHERE r.run_id = {LATEST_ELIGIBILITY} AND r.severity <> 'info'
        ORDER BY CASE r.severity WHEN 'ineligible' THEN 0 ELSE 1 END, category, r.code, r.account_id""",
         {"eligibility_reasons": ("run_id", "detail")}, export="eligibility_findings.csv"),
    # -- SLA and staleness ---------------------------------------------------------------------
    Part("list_freshness", f"""
        SELECT v.source, v.version_id, v.publisher_date, v.is_snapshot, v.loaded_at, f.last_check, f.last_failure,
               round(date_diff('minute', f.last_check, $end::TIMESTAMP) / 60.0, 1) AS hours_since_check,
               s.first_screened,
               round(date_diff('minute', v.loaded_at, s.first_screened) / 60.0, 1) AS hours_to_screen
        FROM {IN_FORCE} v
        LEFT JOIN (SELECT source,
                          max(checked_at) FILTER (WHERE status IN ('loaded', 'unchanged') AND from_publisher)
                              AS last_check,
                          max(checked_at) FILTER (WHERE status IN ('failed', 'rejected')) AS last_failure
                   FROM list_fetches WHERE checked_at <= $end GROUP BY source) f USING (source)
        LEFT JOIN (SELECT rv.version_id, min(r.finished_at) AS first_screened
                   FROM screening_run_versions rv JOIN screening_runs r USING (run_id)
                   WHERE r.status = 'finished' AND r.finished_at <= $end GROUP BY rv.version_id) s USING (version_id)
        ORDER BY v.source""",
         {"list_fetches": ("from_publisher",)}, limit=None),
    Part("screening_runs", f"""
        SELECT run_id, kind, status, started_at, round(duration_s, 1) AS duration_s, population, hits,
               block_review, review, low, error
        FROM screening_runs WHERE {period("started_at")} ORDER BY run_id""",
         {"screening_runs": ("run_id", "error")}, limit=None),
    Part("version_sla", f"""
        SELECT version_id, source, publisher_date, fetched_at, loaded_at, published_at, screened_at, delta_run_id,
               round(date_diff('second', publisher_date::TIMESTAMPTZ, screened_at) / 3600.0, 1)
                   AS publication_to_screen_h,
               round(date_diff('second', fetched_at, screened_at) / 60.0, 1) AS download_to_screen_min
        FROM list_sla
        WHERE {period_tz("loaded_at")} OR version_id IN (SELECT version_id FROM {IN_FORCE})
        ORDER BY source, version_id""",
         {"list_sla": ("version_id", "publisher_date", "fetched_at", "loaded_at", "published_at", "screened_at",
                       "delta_run_id")}, JOBS, limit=None),
    Part("job_runs", f"""
        SELECT job_id, count(*) AS runs, count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
               count(*) FILTER (WHERE status NOT IN ('succeeded', 'running')) AS not_succeeded,
               max(finished_at) AS last_finished,
               round(max(date_diff('millisecond', started_at, finished_at)) / 1000.0, 1) AS longest_s,
               arg_max(error, started_at) FILTER (WHERE status NOT IN ('succeeded', 'running')) AS last_error
        FROM job_runs WHERE {period_tz("coalesce(started_at, scheduled_for)")} GROUP BY job_id ORDER BY job_id""",
         {"job_runs": ("job_id", "status", "started_at", "finished_at", "scheduled_for", "error")}, JOBS, limit=None),
    Part("stale_alarms", """
        SELECT source, raised_at, cleared_at, last_checked, detail FROM list_alarms
        WHERE raised_at <= timezone('UTC', $end::TIMESTAMP)
          AND (cleared_at IS NULL OR cleared_at > timezone('UTC', $start::TIMESTAMP)) ORDER BY raised_at""",
         {"list_alarms": ("source", "raised_at", "cleared_at", "last_checked", "detail")}, JOBS, limit=None),
    # -- backlog and ageing --------------------------------------------------------------------
    Part("backlog", f"""
        WITH o AS (SELECT state, date_diff('hour', opened_at, $end::TIMESTAMP) AS age_h, follow_up
                   FROM alerts WHERE opened_at <= $end AND {OPEN_ALERT})
        SELECT state, count(*) FILTER (WHERE age_h < 24) AS "lt_1d",
               count(*) FILTER (WHERE age_h >= 24 AND age_h < 72) AS "d1_3",
               count(*) FILTER (WHERE age_h >= 72 AND age_h < 168) AS "d3_7",
               count(*) FILTER (WHERE age_h >= 168 AND age_h < 720) AS "d7_30",
               count(*) FILTER (WHERE age_h >= 720) AS "gt_30d",
               count(*) FILTER (WHERE follow_up < $end::DATE) AS follow_up_due, count(*) AS total
        FROM o GROUP BY state ORDER BY total DESC, state""",
         _alerts_needs("opened_at", "follow_up"), ALERTS, limit=None),
    # -- run certificate -----------------------------------------------------------------------
    Part("cert_lists", f"""
        SELECT source, version_id, publisher_date, is_snapshot, entry_count, loaded_at, sha256
        FROM {IN_FORCE} ORDER BY source""",
         {"list_versions": ("sha256",)}, limit=None),
    Part("cert_runs", f"""
        SELECT run_id, kind, status, population, population_sha256, config_hash, index_key
        FROM screening_runs WHERE {period("started_at")} ORDER BY run_id""",
         {"screening_runs": ("population_sha256",)}, limit=None),
    Part("cert_policy", """
        SELECT policy_hash, version, loaded_at FROM policy_versions WHERE loaded_at <= $end
        ORDER BY loaded_at DESC LIMIT 1""",
         {"policy_versions": ("policy_hash", "version", "loaded_at")}, ALERTS, limit=None),
    Part("cert_audit", """
        SELECT seq, occurred_at, hash FROM audit_events
        WHERE occurred_at::TIMESTAMPTZ <= timezone('UTC', $end::TIMESTAMP)
        ORDER BY seq DESC LIMIT 1""",
         {"audit_events": ("seq", "occurred_at", "hash")}, ALERTS, limit=None),
]}

# The figures a report records for later trends (each a scalar query; None when its tables are missing).
FIGURES: dict[str, tuple[str, dict[str, tuple[str, ...]]]] = {
    "alerts_opened": (f"SELECT count(*) FROM alerts WHERE {period('opened_at')} AND state <> 'auto_suppressed'",
                      _alerts_needs("opened_at")),
    "alerts_closed": (f"SELECT count(*) FROM alerts WHERE {period('closed_at')} AND state <> 'auto_suppressed'",
                      _alerts_needs("closed_at")),
    "closed_false_positive": (
        f"SELECT count(*) FROM alerts WHERE {period('closed_at')} AND state = 'closed_false_positive'",
        _alerts_needs("closed_at")),
    "backlog": (f"SELECT count(*) FROM alerts WHERE opened_at <= $end AND {OPEN_ALERT}", _alerts_needs("opened_at")),
    "hits": (f"SELECT count(*) FROM screening_hits h JOIN screening_runs r USING (run_id) "
             f"WHERE {period('r.started_at')}",
             {"screening_hits": ("run_id",)}),
    "population": (f"SELECT max(population) FROM screening_runs WHERE {period('started_at')} AND status = 'finished'",
                   {"screening_runs": ("population",)}),
}


def columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """Every table and view of the store with its columns."""
    rows = con.execute("SELECT table_name, column_name FROM information_schema.columns").fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def missing(needs: dict[str, tuple[str, ...]], have: dict[str, set[str]]) -> list[str]:
    """What `needs` names that the store lacks: `table` or `table.column`."""
    out = []
    for table, cols in needs.items():
        if table not in have:
            out.append(table)
        else:
            out += [f"{table}.{c}" for c in cols if c not in have[table]]
    return out


def run(con: duckdb.DuckDBPyConnection, part: Part, params: dict, limit: int | None = None) -> pl.DataFrame:
    """The part's rows (the first `limit` when given)."""
    sql = part.sql if limit is None else f"SELECT * FROM ({part.sql}) LIMIT {int(limit)}"
    return con.sql(sql, params=part.params(params)).pl()


def count(con: duckdb.DuckDBPyConnection, part: Part, params: dict) -> int:
    """How many rows the part has in all."""
    return int(con.execute(f"SELECT count(*) FROM ({part.sql})", part.params(params)).fetchall()[0][0])
