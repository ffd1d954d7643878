"""Small query helpers the workflow modules share."""

from __future__ import annotations

from typing import Any

import duckdb

from screening.store import fetch_one


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    """A query's rows as dicts (column name → value)."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def next_id(con: duckdb.DuckDBPyConnection, table: str, key: str) -> int:
    """The next id of a workflow table (the store has one writer: ids are given inside its transaction)."""
    return int((fetch_one(con, f"SELECT coalesce(max({key}), 0) + 1 FROM {table}") or (1,))[0])


def account_origin(con: duckdb.DuckDBPyConnection, account_id: str) -> tuple[str | None, str | None]:
    """(nationality, country) of a stored account, for the policy's Chinese-subject rules and locales."""
    row = fetch_one(con, "SELECT nationality, country FROM accounts WHERE account_id = ?", [account_id])
    return (row[0], row[1]) if row else (None, None)
