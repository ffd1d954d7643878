"""List jobs: `lists.refresh` (conditional GET of every source, then the delta screen of what changed)
and `lists.stale_alarm` (a mandatory list not checked successfully within its maximum age)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from jobs import sla
from jobs.runner import JobContext, run_job
from screening import settings
from screening.logs import get_logger
from screening.indexing import build_match_index, publish_if_changed
from screening.store import transaction

log = get_logger(__name__)

def refresh_lists(ctx: JobContext) -> dict[str, Any]:
    """Check every source with its publisher (offline: the bundled snapshot), load what changed, publish
    the lookup index, then run the delta screen of the new versions (an `event` run of `screen.delta`)."""
    from lists.refresh import default_sources, refresh

    # online: every source with download URLs (the manual China list has none: compliance loads it by hand)
    sources = ctx.params.get("sources") or default_sources(ctx.offline)
    fetched_at = dt.datetime.now(dt.timezone.utc)
    # downloads and parsing with the store closed; each write a short step of its own
    outcomes = refresh(ctx.db, sources, offline=ctx.offline, raw_dir=settings.raw_dir_for(ctx.db))
    loaded = [o for o in outcomes if o.status == "loaded"]
    build_match_index(ctx.db)  # also repairs an index a crash left unbuilt
    with ctx.store() as con:
        sla.open_rows(con, [o.version_id for o in loaded if o.version_id], fetched_at)
        published = publish_index(con, ctx.db)
    ctx.inputs["sources"] = sources
    for o in outcomes:
        if o.status in ("failed", "rejected"):
            ctx.problems.append(f"{o.source} {o.status}: {o.detail}")
    outputs: dict[str, Any] = {
        "outcomes": {o.source: o.status for o in outcomes},
        "loaded": [{"source": o.source, "version_id": o.version_id, "added": o.added, "removed": o.removed,
                    "changed": o.changed} for o in loaded],
        "snapshot_id": published,
    }
    if loaded:
        delta = run_job("screen.delta", ctx.db, trigger="event")
        outputs["delta"] = {"job_run_id": delta.run_id, "status": delta.status, **delta.outputs}
    return outputs


def publish_index(con: duckdb.DuckDBPyConnection, db: Path) -> str | None:
    """Publish the lookup index snapshot when the versions in force changed (the freshness file always);
    stamp `published_at` on the SLA rows of the versions it holds."""
    published = publish_if_changed(con, settings.snapshot_dir_for(db))
    if published:
        con.execute("UPDATE list_sla SET published_at = now() WHERE published_at IS NULL "
                    "AND version_id IN (SELECT version_id FROM current_versions)")
    return published


def stale_alarm(ctx: JobContext) -> dict[str, Any]:
    """Raise an alarm for each mandatory source not checked successfully within its maximum age, clear
    the alarms of sources that are fresh again, and republish the freshness lookups read."""
    from lists import all_specs
    from lists.status import source_status

    mandatory = {s.key for s in all_specs() if s.mandatory}
    with ctx.store() as con:
        status = source_status(con)
        seen = {r["source"]: r for r in status.iter_rows(named=True)}
        stale = sorted(s for s in mandatory if s not in seen or seen[s]["stale"])
        open_ = {r[0] for r in con.execute("SELECT source FROM list_alarms WHERE cleared_at IS NULL").fetchall()}
        raised = [s for s in stale if s not in open_]
        cleared = sorted(open_ - set(stale))
        with transaction(con):
            for source in raised:
                row = seen.get(source)
                detail = ("no version loaded" if row is None else (row.get("stale_reason") or "stale")
                          + (f"; last failure: {row['last_failure_reason']}" if row.get("last_failure_reason") else ""))
                con.execute("INSERT INTO list_alarms VALUES (?, now(), NULL, ?, ?)",
                            [source, row["last_checked"] if row else None, detail])
            if cleared:
                con.execute("UPDATE list_alarms SET cleared_at = now() WHERE cleared_at IS NULL "
                            "AND source IN (SELECT unnest(?))", [cleared])
        publish_index(con, ctx.db)
    for source in raised:
        log.warning("stale list alarm raised", source=source)
    return {"stale": stale, "raised": raised, "cleared": cleared}


def open_alarms(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return con.sql("SELECT source, raised_at, last_checked, detail FROM list_alarms WHERE cleared_at IS NULL "
                   "ORDER BY source").pl().to_dicts()
