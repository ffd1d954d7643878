"""The publication-to-screen SLA per list version (README, "The service"): publisher date → fetched → loaded →
published to lookups → every account screened; targets: screened within 24 h of publication and within
15 minutes of the download."""

from __future__ import annotations

import datetime as dt

import duckdb

PUBLICATION_TARGET_H = 24.0
DOWNLOAD_TARGET_MIN = 15.0


def open_rows(con: duckdb.DuckDBPyConnection, version_ids: list[int], fetched_at: dt.datetime | None = None) -> None:
    """Start the timeline of versions (no fetch time for a version loaded by hand with `lists load`)."""
    if version_ids:
        con.execute(
            """INSERT INTO list_sla (version_id, source, publisher_date, fetched_at, loaded_at)
               SELECT version_id, source, publisher_date, ?, loaded_at FROM list_versions
               WHERE version_id IN (SELECT unnest(?)) ON CONFLICT DO NOTHING""", [fetched_at, version_ids])


def report(con: duckdb.DuckDBPyConnection, limit: int = 100) -> list[dict]:
    """Newest versions first, with the two delays and whether each met its target (None: not screened
    yet, or no download time for a version loaded by hand)."""
    rows = con.sql(
        f"""SELECT version_id, source, publisher_date, fetched_at, loaded_at, published_at, screened_at,
                   delta_run_id, accounts, entries_screened,
                   date_diff('second', publisher_date::TIMESTAMPTZ, screened_at) / 3600.0 AS publication_to_screen_h,
                   date_diff('second', fetched_at, screened_at) / 60.0 AS download_to_screen_min
            FROM list_sla ORDER BY version_id DESC LIMIT {int(limit)}""").pl().to_dicts()
    for row in rows:
        pub, down = row["publication_to_screen_h"], row["download_to_screen_min"]
        row["publication_target_met"] = None if pub is None else pub <= PUBLICATION_TARGET_H
        row["download_target_met"] = None if down is None else down <= DOWNLOAD_TARGET_MIN
    return rows
