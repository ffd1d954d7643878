"""`screening db status|migrate`: the store's schema migrations."""

from __future__ import annotations

import click

from screening.cli import Context, emit
from screening.store import connect, migrations


@click.group("db")
def db_group() -> None:
    """The store's schema: which migrations are applied, and applying the pending ones."""


@db_group.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status_command(obj: Context, as_json: bool) -> None:
    """Applied and pending migrations of every table set."""
    con = connect(obj.db, migrate=False)
    state = migrations.status(con)
    data = {
        "store": str(obj.db),
        "applied": [f"{s}.{n}" for s, n in state.applied],
        "pending": [f"{s}.{n}" for s, n in state.pending],
        "unknown": [f"{s}.{n}" for s, n in state.unknown],
    }
    lines = [f"store {obj.db}: {len(state.applied)} applied, {len(state.pending)} pending"]
    lines += [f"  pending  {name}" for name in data["pending"]]
    lines += [f"  unknown  {name} (written by a newer release)" for name in data["unknown"]]
    emit(data, as_json, "\n".join(lines))


@db_group.command("migrate")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def migrate_command(obj: Context, as_json: bool) -> None:
    """Apply the pending migrations (one transaction; opening the store read-write does it too)."""
    con = connect(obj.db, migrate=False)
    applied = migrations.migrate(con)
    names = [f"{s}.{n}" for s, n in applied]
    emit({"store": str(obj.db), "applied": names}, as_json,
         f"applied {len(names)} migration(s)" + "".join(f"\n  {n}" for n in names))
