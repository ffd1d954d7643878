"""The DuckDB store: opening it (migrated, with a bounded wait on another writer's lock) and
all-or-nothing writes.

Each package owns its tables and declares them as registered migrations in its own `schema.py`
(`screening/store/registry.py` lists the sets); opening the store read-write applies the pending
ones, and a read-only open refuses a store that is not migrated. DuckDB lets one process hold a
file for writing, and then no other process can open it at all (docs/architecture.md, "Processes").
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from screening import exc, settings
from screening.logs import get_logger
from screening.store import migrations

log = get_logger(__name__)


def connect(path: Path | str, *, read_only: bool = False, migrate: bool = True) -> duckdb.DuckDBPyConnection:
    """Open the store.

    Read-write: creates the file when needed and applies pending migrations (`migrate=False` opens
    without, for `screening db status`). Read-only: the file must exist and be fully migrated.
    Another process's lock is waited for (`SCREENING_LOCK_WAIT_SECONDS`), then `StoreLocked`.
    """
    memory = str(path) == ":memory:"
    if read_only and not memory and not Path(path).exists():
        raise exc.StoreError(f"no store at {path}: load the lists first (screening lists refresh)")
    if not memory and not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    con = _open(str(path), read_only=read_only and not memory)
    if read_only and not memory:
        state = migrations.status(con)
        if state.pending:
            con.close()
            raise exc.MigrationRequired(
                f"the store at {path} needs {len(state.pending)} migration(s): run `screening db migrate`"
            )
    elif migrate:
        try:
            applied = migrations.migrate(con)
        except BaseException:
            con.close()
            raise
        if applied:
            log.info("store migrated", store=str(path), applied=[f"{s}.{n}" for s, n in applied])
    return con


def _open(path: str, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, retrying while another process holds the file's lock."""
    deadline = time.monotonic() + settings.lock_wait_seconds()
    delay = 0.05
    warned = False
    while True:
        try:
            con = duckdb.connect(path, read_only=read_only)
            # the store's clock is UTC whatever the machine's zone: `now()::TIMESTAMP` (naive columns) and
            # naive ↔ TIMESTAMPTZ comparisons would otherwise use local time (Asia/Shanghai: 8 hours off)
            con.execute("SET TimeZone = 'UTC'")
            return con
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise exc.StoreError(f"cannot open the store at {path}: {error}") from error
            if time.monotonic() >= deadline:
                raise exc.StoreLocked(
                    f"the store at {path} is held by another process (waited "
                    f"{settings.lock_wait_seconds():.0f} s); try again when it finishes"
                ) from error
            if not warned:
                log.warning("store locked by another process, waiting", store=path)
                warned = True
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def fetch_one(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """The first row of a query, with the result fully consumed.

    DuckDB 2 keeps a result half-read by `fetchone()` open, and `con.sql()` then refuses to run;
    fetching everything avoids that trap.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


Store = duckdb.DuckDBPyConnection | Path | str  # a connection the caller holds, or the path of the store


@contextmanager
def session(store: Store, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """The store for one short step: a path is opened here and closed right after, so other processes
    can write between steps (DuckDB lets one process hold the file); a connection is used as it is."""
    if isinstance(store, duckdb.DuckDBPyConnection):
        yield store
        return
    con = connect(store, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: a failure anywhere inside rolls back, so no store is ever half-written."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
