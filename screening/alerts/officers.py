"""Officers and their roles, held in the store. Real sign-in is the platform's job: the store only
makes sure every action names a known, active officer whose role allows it."""

from __future__ import annotations

from typing import Any

import duckdb

from screening import exc
from screening.alerts import audit
from screening.alerts.sql import next_id, rows
from screening.store import fetch_one, transaction

ROLES = ("analyst", "approver", "auditor")
# what each role may do; an auditor only reads
MAY_DECIDE = ("analyst", "approver")
MAY_APPROVE = ("approver",)


def add(con: duckdb.DuckDBPyConnection, name: str, role: str, *, actor: str = "system") -> dict[str, Any]:
    name = name.strip()
    if role not in ROLES:
        raise exc.UsageError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if not name or any(not c.isprintable() for c in name):
        raise exc.UsageError("an officer's name must be printable text")
    with transaction(con):
        if fetch_one(con, "SELECT 1 FROM officers WHERE name = ?", [name]):
            raise exc.ActionRefused(f"officer {name!r} exists already")
        officer_id = next_id(con, "officers", "officer_id")
        con.execute("INSERT INTO officers VALUES (?, ?, ?, TRUE, ?)", [officer_id, name, role, audit.now()])
        audit.record(con, actor, "officer.added", "officer", officer_id, role=role)
    return {"officer_id": officer_id, "name": name, "role": role, "active": True}


def set_active(con: duckdb.DuckDBPyConnection, name: str, active: bool, *, actor: str = "system") -> None:
    with transaction(con):
        row = fetch_one(con, "SELECT officer_id, active FROM officers WHERE name = ?", [name])
        if row is None:
            raise exc.NotFound(f"no officer {name!r}")
        if row[1] == active:
            return
        con.execute("UPDATE officers SET active = ? WHERE officer_id = ?", [active, row[0]])
        audit.record(con, actor, "officer.activated" if active else "officer.deactivated", "officer", row[0])


def require(con: duckdb.DuckDBPyConnection, name: str | None, roles: tuple[str, ...], doing: str) -> str:
    """The officer's name when they exist, are active and hold one of `roles`; else Forbidden."""
    if not name:
        raise exc.Forbidden(f"{doing} needs --officer")
    row = fetch_one(con, "SELECT role, active FROM officers WHERE name = ?", [name])
    if row is None:
        raise exc.Forbidden(f"unknown officer {name!r}: add them first (screening officers add)")
    if not row[1]:
        raise exc.Forbidden(f"officer {name!r} is inactive")
    if row[0] not in roles:
        raise exc.Forbidden(f"officer {name!r} is {row[0]}: {doing} needs the role {' or '.join(roles)}")
    return name


def listing(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return rows(con, "SELECT officer_id, name, role, active, created_at FROM officers ORDER BY officer_id")
