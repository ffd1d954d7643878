"""What the store holds: per-source status (age, staleness) and diffs between versions."""

from __future__ import annotations

import duckdb
import polars as pl

from lists import all_specs
from screening.store import fetch_one


def source_status(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per source in force: version, dates, counts, hash, age and the stale flag.

    Stale = no successful check against the publisher (or a manual load) within the source's
    `max_age_hours`. Loading the bundled snapshot is not such a check: snapshot data is stale.
    """
    specs = all_specs()
    limits = pl.DataFrame(
        {"source": [s.key for s in specs], "max_age_hours": [s.max_age_hours for s in specs],
         "mandatory": [s.mandatory for s in specs]},
        schema={"source": pl.String, "max_age_hours": pl.Int64, "mandatory": pl.Boolean},
    )
    con.register("_limits", limits.to_arrow())
    try:
        return con.sql(
            """
            WITH checks AS (
                SELECT source, max(checked_at) AS last_checked
                FROM list_fetches
                WHERE status IN ('loaded', 'unchanged') AND from_publisher
                GROUP BY source
            ), failures AS (
                SELECT source, max(checked_at) AS last_failure, arg_max(reason, checked_at) AS last_failure_reason
                FROM list_fetches WHERE status IN ('failed', 'rejected') GROUP BY source
            )
            SELECT v.source, v.version_id, v.publisher_date, v.loaded_at, v.entry_count AS entries,
                   v.name_count AS names, v.sha256, v.is_snapshot, v.complete, c.last_checked,
                   date_diff('day', v.publisher_date, current_date) AS age_days,
                   coalesce(l.mandatory, false) AS mandatory,
                   (c.last_checked IS NULL
                    OR c.last_checked < now()::TIMESTAMP - to_hours(coalesce(l.max_age_hours, 48)))
                     AS stale,
                   f.last_failure, f.last_failure_reason
            FROM current_versions v
            LEFT JOIN checks c USING (source)
            LEFT JOIN failures f USING (source)
            LEFT JOIN _limits l USING (source)
            ORDER BY v.source
            """
        ).pl()
    finally:
        con.unregister("_limits")


def last_diff(con: duckdb.DuckDBPyConnection, source: str) -> tuple[dict | None, pl.DataFrame]:
    """The newest version of `source` with its predecessor, and the entries that changed between them."""
    version = fetch_one(con, """SELECT version_id, previous_version_id, publisher_date, added, removed, changed
           FROM current_versions WHERE source = ?""",
        [source],)
    if version is None:
        return None, pl.DataFrame()
    keys = ("version_id", "previous_version_id", "publisher_date", "added", "removed", "changed")
    info = dict(zip(keys, version, strict=True))
    previous = fetch_one(con, "SELECT publisher_date FROM list_versions WHERE version_id = ?", [info["previous_version_id"]])
    info["previous_publisher_date"] = previous[0] if previous else None
    rows = con.sql(
        """SELECT change, source_id, primary_name FROM list_diffs WHERE version_id = ?
           ORDER BY change, source_id""",
        params=[info["version_id"]],
    ).pl()
    return info, rows
