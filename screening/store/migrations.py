"""Registered, ordered schema migrations (in the spirit of sqlite-utils' migrations).

Each package declares its tables in its own `schema.py`:

    migrations = Migrations("alerts")

    @migrations()
    def m001_alerts(con):
        con.execute("CREATE TABLE alerts (...)")

A migration is applied once, in order, and recorded in `schema_migrations`; once landed it is never
edited — a change is a new function. The sets themselves are listed in `registry.py`, in the order
they are applied (a set may read the tables of the sets before it).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from screening import exc

MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    migration_set VARCHAR NOT NULL,
    name          VARCHAR NOT NULL,
    applied_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (migration_set, name)
)
"""

Apply = Callable[[duckdb.DuckDBPyConnection], None]


@dataclass(frozen=True)
class Migration:
    set_name: str
    name: str
    apply: Apply


class Migrations:
    """The ordered migrations of one package's tables."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.migrations: list[Migration] = []

    def __call__(self) -> Callable[[Apply], Apply]:
        def register(fn: Apply) -> Apply:
            if any(m.name == fn.__name__ for m in self.migrations):
                raise exc.ScreeningError(f"migration {self.name}.{fn.__name__} registered twice")
            self.migrations.append(Migration(self.name, fn.__name__, fn))
            return fn

        return register


def registered() -> list[Migration]:
    """Every migration the code knows, in the order it is applied."""
    from screening.store.registry import MIGRATION_SETS

    out: list[Migration] = []
    for set_name, target in MIGRATION_SETS.items():
        module_name, attribute = target.split(":")
        migrations: Migrations = getattr(importlib.import_module(module_name), attribute)
        if migrations.name != set_name:
            raise exc.ScreeningError(f"{target} declares set {migrations.name!r}, registered as {set_name!r}")
        out.extend(migrations.migrations)
    return out


def applied(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """(set, name) of the migrations recorded in the store; empty for a store that has none."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0][0]
    if not exists:
        return set()
    return {(s, n) for s, n in con.execute("SELECT migration_set, name FROM schema_migrations").fetchall()}


@dataclass(frozen=True)
class Status:
    applied: list[tuple[str, str]]
    pending: list[tuple[str, str]]
    unknown: list[tuple[str, str]]  # in the store but not in this code: written by a newer release


def status(con: duckdb.DuckDBPyConnection) -> Status:
    done = applied(con)
    known = [(m.set_name, m.name) for m in registered()]
    return Status(
        applied=[k for k in known if k in done],
        pending=[k for k in known if k not in done],
        unknown=sorted(done - set(known)),
    )


def migrate(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Apply every pending migration in one transaction; returns what was applied.

    A store migrated by a newer release (migrations this code does not know) is refused: writing to
    it with an older schema could lose what the newer one records.
    """
    con.execute(MIGRATIONS_TABLE)
    done = applied(con)
    known = registered()
    unknown = done - {(m.set_name, m.name) for m in known}
    if unknown:
        names = ", ".join(f"{s}.{n}" for s, n in sorted(unknown))
        raise exc.MigrationRequired(f"the store was migrated by a newer release ({names}); upgrade screening")
    pending = [m for m in known if (m.set_name, m.name) not in done]
    if not pending:
        return []
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    con.execute("BEGIN TRANSACTION")
    try:
        for m in pending:
            m.apply(con)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [m.set_name, m.name, now])
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
    return [(m.set_name, m.name) for m in pending]
