"""The match index after a list change: the one call whoever loads lists makes (the CLI, a job).

`lists/` stores versions and knows nothing of the matcher; the matcher's index of the versions in
force is derived data. Building it here, once per load or refresh (also when nothing new was
loaded), repairs an index a crash left missing between a version's commit and its build, so
lookups and runs find it ready instead of rebuilding it in memory in every process. It also publishes
the index snapshot `lookup()` and the API read (screening/matching/snapshot.py), so a load by any
process reaches every reader without their opening the store.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from screening import settings
from screening.matching.cache import database_path
from screening.matching.index_store import ensure_index
from screening.matching import snapshot
from screening.store import fetch_one


def build_match_index(con: duckdb.DuckDBPyConnection) -> int:
    """Build the stored index of every version in force that lacks one, publish the snapshot of the
    versions in force; the number of list names it holds."""
    ensure_index(con)
    path = database_path(con)
    if not path.startswith("memory:"):
        publish_lookup_index(con, settings.snapshot_dir_for(Path(path)))
    row = fetch_one(con, "SELECT COALESCE(SUM(names), 0) FROM match_index_builds "
                         "WHERE version_id IN (SELECT version_id FROM current_versions)")
    return int(row[0]) if row else 0


def publish_lookup_index(con: duckdb.DuckDBPyConnection, root: Path) -> str | None:
    """Publish the index snapshot when the versions in force differ from the current one, and the
    freshness always; the current snapshot id (None: no list in force)."""
    from screening.matching.index_store import index_key

    versions = con.sql("SELECT source, version_id, sha256 FROM current_versions").pl()
    if versions.is_empty():
        return None
    if snapshot.current_id(root) != snapshot.snapshot_id_of(versions, index_key()):
        snapshot.publish(con, root)
    snapshot.write_freshness(root, freshness(con))
    return snapshot.current_id(root)


def freshness(con: duckdb.DuckDBPyConnection) -> dict:
    """When each mandatory source turns stale (None: stale already, for a reason time does not change),
    why, and the mandatory sources with no version: what lookups read instead of the store."""
    import datetime as dt

    import polars as pl

    from lists.status import freshness_limits, source_status

    status = source_status(con).filter(pl.col("mandatory"))
    mandatory = set(freshness_limits().filter(pl.col("mandatory"))["source"].to_list())
    return {
        "written_at": dt.datetime.now().isoformat(),
        "stale_at": {r["source"]: r["stale_at"].isoformat() if r["stale_at"] else None
                     for r in status.iter_rows(named=True)},
        "reasons": {r["source"]: r["stale_reason"] for r in status.iter_rows(named=True) if r["stale_reason"]},
        "missing": sorted(mandatory - set(status["source"].to_list())),
    }
