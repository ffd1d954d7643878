"""The per-process cache of the in-memory list index: loaded once, reused while the versions in force
stay the same (by content: source and SHA-256)."""

from __future__ import annotations

import threading

import duckdb

from screening.store import fetch_one
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.index import ListIndex, load_index
from screening.matching.index_store import ensure_index, index_key, is_read_only

_CACHE: dict[tuple, ListIndex] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 2


def database_path(con: duckdb.DuckDBPyConnection) -> str:
    row = fetch_one(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    return str(row[0]) if row and row[0] else f"memory:{id(con)}"


def current_version_ids(con: duckdb.DuckDBPyConnection) -> tuple[int, ...]:
    return tuple(r[0] for r in con.execute("SELECT version_id FROM current_versions ORDER BY version_id").fetchall())


def versions_fingerprint(con: duckdb.DuckDBPyConnection) -> tuple:
    """The versions in force by content (source, sha256): equal in any store that holds the same lists."""
    return tuple(con.execute("SELECT source, sha256 FROM current_versions ORDER BY source").fetchall())


def get_index(con: duckdb.DuckDBPyConnection, config: MatchConfig = DEFAULT_CONFIG, *,
              build: bool = True) -> ListIndex:
    """The ListIndex of the versions in force, loaded once per process and reused while they stay in force."""
    cache_key = (versions_fingerprint(con), index_key(config), config.max_key_postings)
    with _CACHE_LOCK:
        index = _CACHE.get(cache_key)
    if index is not None:
        if build and not is_read_only(con):
            ensure_index(con, config, purge=False)  # a stored index a crash left missing is repaired all the same
        return index
    index = load_index(con, config, build=build)
    fingerprint = tuple((r["source"], r["sha256"]) for r in index.versions.sort("source").to_dicts())
    cache_key = (fingerprint, index.index_key, config.max_key_postings)
    with _CACHE_LOCK:
        _CACHE[cache_key] = index
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
    return index


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
