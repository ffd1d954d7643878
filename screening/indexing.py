"""The match index after a list change: the one call whoever loads lists makes (the CLI, a job).

`lists/` stores versions and knows nothing of the matcher; the matcher's index of the versions in
force is derived data. Building it here, once per load or refresh (also when nothing new was
loaded), repairs an index a crash left missing between a version's commit and its build, so
lookups and runs find it ready instead of rebuilding it in memory in every process. It also publishes
the index snapshot `lookup()` and the API read (screening/matching/snapshot.py), so a load by any
process reaches every reader without their opening the store.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import polars as pl

from lists.status import freshness_limits, source_status
from screening import settings
from screening.matching import snapshot
from screening.matching.cache import database_path
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.index_store import ensure_index, index_key
from screening.store import Store, fetch_one, session


def build_match_index(store: Store) -> int:
    """Build the stored index of every version in force that lacks one, publish the snapshot of the
    versions in force; the number of list names it holds. `store`: a path (opened for this step
    only) or a held connection."""
    with session(store) as con:
        ensure_index(con)
        path = database_path(con)
        if not path.startswith("memory:"):
            publish_if_changed(con, settings.snapshot_dir_for(Path(path)))
        row = fetch_one(con, "SELECT COALESCE(SUM(names), 0) FROM match_index_builds "
                             "WHERE version_id IN (SELECT version_id FROM current_versions)")
    return int(row[0]) if row else 0


def publish_if_changed(con: duckdb.DuckDBPyConnection, root: Path, config: MatchConfig = DEFAULT_CONFIG) -> str | None:
    """Publish the snapshot when the versions in force differ from the current one; the freshness file
    always. Returns the current snapshot id (None: no list in force)."""
    versions = con.sql("SELECT source, version_id, sha256 FROM current_versions").pl()
    if versions.is_empty():
        return None
    sid = snapshot.current_id(root)
    if sid != snapshot.snapshot_id_of(versions, index_key(config)):
        sid = snapshot.publish(con, root, config).snapshot_id
    write_freshness(con, root)
    return sid


def write_freshness(con: duckdb.DuckDBPyConnection, root: Path) -> dict:
    """When each mandatory source turns stale and why (lists.status: publication and check age), for
    readers that never open the store; written beside the snapshots by an atomic rename."""
    status = source_status(con).filter(pl.col("mandatory"))
    mandatory = set(freshness_limits().filter(pl.col("mandatory"))["source"].to_list())
    rows = list(status.iter_rows(named=True))
    data = {
        "written_at": dt.datetime.now().isoformat(),
        "stale_at": {r["source"]: r["stale_at"].isoformat() if r["stale_at"] else None for r in rows},
        "reasons": {r["source"]: r["stale_reason"] for r in rows if r["stale_reason"]},
        "missing": sorted(mandatory - {r["source"] for r in rows}),
    }
    snapshot.write_freshness(root, data)
    return data
