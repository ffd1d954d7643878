"""What the store holds: per-source status (age, staleness) and diffs between versions."""

from __future__ import annotations

import duckdb
import polars as pl

from lists import all_specs
from screening import settings
from screening.store import fetch_one


def freshness_limits() -> pl.DataFrame:
    """Per registered source: mandatory, manual, the check age and the publication age that make it stale."""
    specs = all_specs()
    return pl.DataFrame(
        {"source": [s.key for s in specs], "mandatory": [s.mandatory for s in specs],
         "manual": [s.manual for s in specs], "max_age_hours": [s.max_age_hours for s in specs],
         "max_publication_days": [settings.max_publication_days(s.key, s.max_publication_days) for s in specs]},
        schema={"source": pl.String, "mandatory": pl.Boolean, "manual": pl.Boolean, "max_age_hours": pl.Int64,
                "max_publication_days": pl.Int64},
    )


def source_status(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per source in force: version, dates, counts, hash, both ages, staleness and why.

    A version is stale when any of these holds (`stale_reason` names each that does):
    - it is the bundled snapshot (always: a dated copy, not a check of the publisher);
    - its publisher date is unknown (an undated file loaded without --as-of);
    - its publisher date is more than the source's maximum publication age ago (`max_publication_days`,
      SCREENING_MAX_PUBLICATION_DAYS_<SOURCE>), however recently it was loaded;
    - no successful check against the publisher (or manual load) within `max_age_hours`.
    `stale_at` is when a fresh version turns stale (NULL: stale already for a reason time does not
    change), so a long-running process can tell without asking the store again.
    """
    con.register("_limits", freshness_limits().to_arrow())
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
            ), base AS (
                SELECT v.source, v.version_id, v.publisher_date, v.date_source, v.loaded_at,
                       v.entry_count AS entries, v.name_count AS names, v.sha256, v.is_snapshot, v.complete,
                       v.forced_reason, c.last_checked,
                       date_diff('day', v.publisher_date, current_date) AS age_days,
                       date_diff('hour', c.last_checked, now()::TIMESTAMP) AS checked_hours_ago,
                       coalesce(l.mandatory, false) AS mandatory, coalesce(l.manual, false) AS manual,
                       coalesce(l.max_publication_days, 30) AS max_publication_days,
                       coalesce(l.max_age_hours, 48) AS max_age_hours,
                       f.last_failure, f.last_failure_reason
                FROM current_versions v
                LEFT JOIN checks c USING (source)
                LEFT JOIN failures f USING (source)
                LEFT JOIN _limits l USING (source)
            ), timed AS (
                SELECT *,
                       CASE WHEN is_snapshot OR publisher_date IS NULL OR last_checked IS NULL THEN NULL
                            ELSE least(last_checked + to_hours(max_age_hours),
                                       (publisher_date + to_days(max_publication_days + 1))::TIMESTAMP) END
                         AS stale_at
                FROM base
            )
            SELECT *, (stale_at IS NULL OR stale_at <= now()::TIMESTAMP) AS stale,
                   nullif(concat_ws('; ',
                       CASE WHEN is_snapshot THEN 'bundled snapshot (a dated copy, not a check of the publisher)' END,
                       CASE WHEN publisher_date IS NULL THEN 'no publisher date (load with --as-of)' END,
                       CASE WHEN age_days > max_publication_days THEN
                           format('published {} days ago (max {})', age_days, max_publication_days) END,
                       CASE WHEN NOT is_snapshot AND last_checked IS NULL THEN 'never checked against the publisher'
                            WHEN NOT is_snapshot AND last_checked + to_hours(max_age_hours) <= now()::TIMESTAMP THEN
                           format('last checked {} h ago (max {} h)', checked_hours_ago, max_age_hours) END
                   ), '') AS stale_reason
            FROM timed
            ORDER BY source
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
