"""The snapshot of a nightly report: plain data read from the store, in the order an officer acts.

Why a snapshot: the HTML, the CSV exports and the figures kept for trends are all drawn from this one
object (Evidently's snapshot, GX's validation results), and it is built only from what the store
recorded — runs, hits, alerts, decisions — never by screening again. A part whose tables a step has
not written yet is kept with `available: false` and the missing names, so the report says so.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from reports import queries
from reports.safe import clean_rows
from screening import exc

FORMAT = "screening-nightly-report/1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
SLA_HOURS = 24.0  # every list checked, and every new version screened, within a day of publication
DOWNLOAD_TARGET_MIN = 15.0  # a downloaded version screened within 15 minutes (jobs/sla.py's target)
TREND_REPORTS = 30

# Sections in the order an officer acts, each with the parts it shows.
SECTIONS: list[tuple[str, list[str]]] = [
    ("waiting", ["new_alerts_by_priority", "new_alerts", "pending_approvals", "flags_to_export", "notices_held",
                 "unscreened"]),
    ("changes", ["list_changes", "list_change_alerts", "list_change_entries", "hits_by_band", "account_imports",
                 "data_issues"]),
    ("eligibility", ["eligibility_runs", "findings_by_reason", "findings"]),
    ("sla", ["list_freshness", "version_sla", "screening_runs", "job_runs", "stale_alarms"]),
    ("backlog", ["backlog"]),
    ("trends", []),
    ("certificate", ["cert_lists", "cert_runs", "cert_policy", "cert_audit"]),
]


def period(con: duckdb.DuckDBPyConnection, for_date: dt.date,
           now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """(start, end] of the report for `for_date`, on the store's clock (naive UTC).

    The end is the end of that day in Asia/Shanghai, or now if earlier; the start is where the previous
    day's report ended, else 24 hours before the end.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    day_end = dt.datetime.combine(for_date + dt.timedelta(days=1), dt.time(0), SHANGHAI).astimezone(dt.timezone.utc)
    if day_end - dt.timedelta(days=1) > now:
        raise exc.UsageError(f"--date {for_date} is in the future (today in Asia/Shanghai is {today()})")
    end = min(day_end, now).replace(tzinfo=None)
    previous = con.execute("SELECT max(period_end) FROM reports WHERE for_date < ? AND period_end < ?",
                           [for_date, end]).fetchall()[0][0]
    return previous or end - dt.timedelta(days=1), end


def today() -> dt.date:
    """Today in Asia/Shanghai, the platform's day."""
    return dt.datetime.now(SHANGHAI).date()


def build(con: duckdb.DuckDBPyConnection, for_date: dt.date, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Read the store and return the report's snapshot (JSON-ready)."""
    start, end = period(con, for_date, now)
    params = {"start": start, "end": end}
    have = queries.columns(con)
    parts = {key: _part(con, queries.PARTS[key], params, have) for _, keys in SECTIONS for key in keys}
    figures = _figures(con, params, have, parts)
    return _plain({
        "format": FORMAT,
        "for_date": for_date,
        "period": {"start": start, "end": end},
        "sections": [{"key": key, "parts": [parts[k] for k in keys]} for key, keys in SECTIONS],
        "checks": (found := checks(parts, audit_chain(con, have))),
        "next_steps": next_steps(parts, found),
        "figures": figures,
        "trends": trends(con, for_date, figures),
    })


def _part(con: duckdb.DuckDBPyConnection, part: queries.Part, params: dict,
          have: dict[str, set[str]]) -> dict[str, Any]:
    absent = queries.missing(part.needs, have)
    out: dict[str, Any] = {"key": part.key, "available": not absent, "missing": absent, "owner": part.owner,
                           "export": part.export, "sql": " ".join(part.sql.split()), "params": part.params(params)}
    if absent:
        return out | {"columns": [], "rows": [], "count": 0}
    df = queries.run(con, part, params, part.limit)
    total = queries.count(con, part, params) if part.limit is not None and df.height >= part.limit else df.height
    return out | {"columns": df.columns, "rows": clean_rows(_plain(df.to_dicts())), "count": total}


def _figures(con: duckdb.DuckDBPyConnection, params: dict, have: dict[str, set[str]],
             parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The counts this report records for the trends of later reports (None: not recorded by the store)."""
    figures: dict[str, Any] = {}
    for name, (sql, needs) in queries.FIGURES.items():
        if queries.missing(needs, have):
            figures[name] = None
            continue
        used = queries.Part(name, sql, needs).params(params)
        figures[name] = con.execute(sql, used).fetchall()[0][0]
    closed = figures["alerts_closed"]
    figures["false_positive_share"] = (round(figures["closed_false_positive"] / closed, 4) if closed else None)
    lists = parts["cert_lists"]["rows"]
    figures["list_entries"] = {r["source"]: r["entry_count"] for r in lists}
    findings = parts["findings_by_reason"]
    figures["eligibility_findings"] = sum(r["accounts"] for r in findings["rows"]) if findings["available"] else None
    return figures


def audit_chain(con: duckdb.DuckDBPyConnection, have: dict[str, set[str]]) -> dict[str, Any] | None:
    """The alerts step's own verification of the audit chain (None: no chain in this store)."""
    if "audit_events" not in have:
        return None
    try:
        from screening.alerts.audit import verify
    except ImportError:
        return None
    result = verify(con)
    return {"ok": result.ok, "events": result.events, "problems": result.problems[:3]}


def checks(parts: dict[str, dict[str, Any]], audit: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Pass/fail statements in the manner of GX's data docs: what was expected, what was observed.

    `observed` is a list of [phrase key, values] that labels.py words in the report's language."""
    out = []

    def add(key: str, ok: bool | None, *observed: tuple[str, dict[str, Any]] | None) -> None:
        out.append({"check": key, "status": "n/a" if ok is None else ("pass" if ok else "fail"),
                    "observed": [[k, v] for k, v in filter(None, observed)] or [["nothing", {}]]})

    def over(rows: list[dict[str, Any]], column: str, limit: float) -> list[str]:
        return [f"{r['source']} {r[column]}" for r in rows if r[column] is not None and r[column] > limit]

    def worst(rows: list[dict[str, Any]], column: str) -> tuple[str, dict[str, Any]] | None:
        values = [r[column] for r in rows if r[column] is not None]
        return ("max_hours", {"hours": max(values)}) if values else None

    def names(key: str, items: list[str]) -> tuple[str, dict[str, Any]] | None:
        return (key, {"items": ", ".join(items), "n": len(items)}) if items else None

    absent = ("not_recorded", {})
    fresh = parts["list_freshness"]["rows"]
    never = [r["source"] for r in fresh if r["hours_since_check"] is None]
    late = over(fresh, "hours_since_check", SLA_HOURS)
    add("lists_checked", bool(fresh) and not never and not late, names("never_checked", never),
        names("over_hours", late), None if late else worst(fresh, "hours_since_check"))
    unscreened = [r["source"] for r in fresh if r["first_screened"] is None]
    slow = over(fresh, "hours_to_screen", SLA_HOURS)
    add("versions_screened", bool(fresh) and not unscreened and not slow, names("not_screened", unscreened),
        names("over_hours", slow), None if slow else worst(fresh, "hours_to_screen"))
    timeline = parts["version_sla"]
    if timeline["available"] and timeline["rows"]:
        rows = timeline["rows"]
        late = over(rows, "publication_to_screen_h", SLA_HOURS)
        waiting = [r["source"] for r in rows if r["screened_at"] is None]
        slow = over(rows, "download_to_screen_min", DOWNLOAD_TARGET_MIN)
        add("publication_to_screen", not late and not waiting, names("over_hours", late),
            names("not_screened", waiting), None if late or waiting else ("versions", {"n": len(rows)}))
        add("download_to_screen", not slow, names("over_minutes", slow),
            None if slow else ("versions", {"n": len(rows)}))
    else:  # no table, or no version loaded through the service (a list loaded by hand has no timeline)
        add("publication_to_screen", None, absent)
        add("download_to_screen", None, absent)
    runs = parts["screening_runs"]["rows"]
    failed = [str(r["run_id"]) for r in runs if r["status"] != "finished"]
    add("runs_finished", bool(runs) and not failed, names("runs_not_finished", failed),
        ("runs_finished", {"n": len(runs)}) if runs and not failed else None if runs else ("no_runs", {}))
    rows_out = parts["unscreened"]
    add("everyone_screened", rows_out["count"] == 0 if rows_out["available"] else None,
        ("rows_unscreened", {"n": rows_out["count"]}) if rows_out["available"] else absent)
    alarms = parts["stale_alarms"]
    open_alarms = [r["source"] for r in alarms["rows"] if r["cleared_at"] is None]
    add("no_stale_alarm", not open_alarms if alarms["available"] else None,
        (names("alarms_open", open_alarms) or ("none_open", {})) if alarms["available"] else absent)
    add("audit_chain_verifies", None if audit is None else audit["ok"],
        absent if audit is None else ("events_verified", {"n": audit["events"]}) if audit["ok"]
        else ("problems", {"items": "; ".join(audit["problems"])}))
    jobs = parts["job_runs"]
    bad = [r["job_id"] for r in jobs["rows"] if r["not_succeeded"]]
    add("jobs_succeeded", not bad if jobs["available"] and jobs["rows"] else None,
        (names("jobs_failed", bad) or ("jobs", {"n": len(jobs["rows"])})) if jobs["available"] else absent)
    return out


def next_steps(parts: dict[str, dict[str, Any]], found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What an officer does next, most urgent first: (step key, how many) for the words in labels.py."""
    steps: list[dict[str, Any]] = []

    def rows(key: str) -> int:
        return parts[key]["count"] if parts[key]["available"] else 0

    if parts["new_alerts"]["available"]:
        likely = sum(r["alerts"] for r in parts["new_alerts_by_priority"]["rows"] if r["band"] == "block_review")
        backlog = sum(r["total"] for r in parts["backlog"]["rows"])
        steps.append({"step": "review_alerts", "count": backlog, "new": rows("new_alerts"), "likely": likely})
    if not parts["new_alerts"]["available"] or not rows("new_alerts"):
        # no alert workflow, or the period's hits were not turned into alerts: the hits need a look
        hits = {r["band"]: r["accounts"] for r in parts["hits_by_band"]["rows"]}
        steps.append({"step": "review_hits", "count": hits.get("block_review", 0) + hits.get("review", 0),
                      "likely": hits.get("block_review", 0)})
    steps.append({"step": "approve", "count": rows("pending_approvals")})
    steps.append({"step": "export_flags", "count": rows("flags_to_export")})
    steps.append({"step": "fix_rows", "count": rows("unscreened")})
    ineligible = sum(r["accounts"] for r in parts["findings_by_reason"]["rows"] if r["severity"] == "ineligible")
    steps.append({"step": "eligibility", "count": rows("findings"), "likely": ineligible})
    stale = [r["source"] for r in parts["list_freshness"]["rows"] if r["is_snapshot"] or r["hours_since_check"] is None
             or r["hours_since_check"] > SLA_HOURS]
    steps.append({"step": "refresh_lists", "count": len(stale)})
    failed = [c["check"] for c in found if c["status"] == "fail"]
    steps.append({"step": "failed_checks", "count": len(failed)})
    return [s for s in steps if s["count"]]


def trends(con: duckdb.DuckDBPyConnection, for_date: dt.date, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The figures of the last reports (the latest per day, up to 30 with this one), oldest first."""
    rows = con.execute(
        """SELECT for_date, figures FROM reports WHERE for_date < ?
           QUALIFY row_number() OVER (PARTITION BY for_date ORDER BY report_id DESC) = 1
           ORDER BY for_date DESC LIMIT ?""", [for_date, TREND_REPORTS - 1]).fetchall()
    history = [{"for_date": d, **json.loads(f)} for d, f in reversed(rows)]
    return history + [{"for_date": for_date, **figures}]


def _plain(value: Any) -> Any:
    """JSON-ready: dates and times as ISO text, decimals as floats, containers walked."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if hasattr(value, "__float__") and not isinstance(value, (int, float, bool)):
        return float(value)
    return value
