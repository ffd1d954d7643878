"""The match index after a list change: the one call whoever loads lists makes (the CLI, a job).

`lists/` stores versions and knows nothing of the matcher; the matcher's index of the versions in
force is derived data. Building it here, once per load or refresh (also when nothing new was
loaded), repairs an index a crash left missing between a version's commit and its build, so
lookups and runs find it ready instead of rebuilding it in memory in every process.
"""

from __future__ import annotations

import duckdb

from screening.matching.index_store import ensure_index
from screening.store import fetch_one


def build_match_index(con: duckdb.DuckDBPyConnection) -> int:
    """Build the stored index of every version in force that lacks one; the number of list names it holds."""
    ensure_index(con)
    row = fetch_one(con, "SELECT COALESCE(SUM(names), 0) FROM match_index_builds "
                         "WHERE version_id IN (SELECT version_id FROM current_versions)")
    return int(row[0]) if row else 0
