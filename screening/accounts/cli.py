"""`screening accounts import`: read the platform's account file into the store.

`screening accounts synth` (a synthetic base) is evaluation code: `screening/evaluation/cli.py`, attached to
this group by the root command's registry (`screening/cli.py:GROUP_EXTRAS`) so production never imports it.
"""

from __future__ import annotations

from pathlib import Path

import click

from screening.cli import emit


@click.group("accounts")
def accounts_group() -> None:
    """Registered subjects: import and synthetic bases."""


@accounts_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def import_command(obj: object, path: Path, as_json: bool) -> None:
    """Read an account file into the store (quarantining bad rows) and report what changed."""
    from screening.accounts import read_accounts, store_import
    from screening.store import connect

    result = read_accounts(path)
    con = connect(obj.db)  # type: ignore[attr-defined]
    try:
        import_id = store_import(con, result)
        row = con.sql(
            "SELECT account_count, quarantined, added, changed, identity_changed FROM account_imports WHERE import_id = $id",
            params={"id": import_id},
        ).fetchall()[0]
    finally:
        con.close()
    data = dict(zip(["accounts", "quarantined", "added", "changed", "identity_changed"], row, strict=True))
    data["import_id"] = import_id
    data["quarantine"] = result.quarantine.head(20).to_dicts()
    lines = [f"import {import_id}: {row[0]:,} accounts, {row[1]:,} quarantined, {row[2]:,} added, "
             f"{row[3]:,} changed, {row[4]:,} identity changes"]
    lines += [f"  row {q['row']}: {q['account_id']}: {q['reason']}" for q in data["quarantine"]]
    emit(data, as_json, "\n".join(lines))
