"""`screening accounts …`: import the platform's account file, make a synthetic base."""

from __future__ import annotations

import time
from pathlib import Path

import click

from screening.cli import emit


@click.group("accounts")
def accounts_group() -> None:
    """Registered subjects: import and synthetic bases."""


@accounts_group.command("synth")
@click.option("--n", "n", type=int, default=10_000, show_default=True, help="Number of accounts.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="CSV, Parquet or JSONL.")
@click.option("--update-of", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Instead of a new base: the next import of this one (benign changes and a few transfers).")
@click.option("--plant", "plant", type=int, default=0, show_default=True,
              help="Hide variants of real list entries (from the store at --db; the bundled snapshot is loaded "
                   "if it has no lists) in this many accounts. Adds label columns planted_source, "
                   "planted_source_id, planted_variation (empty on untouched rows), so a screen of the file "
                   "measures recall as well as alerts.")
@click.option("--plant-sources", default=None, help="Comma-separated list keys to plant from (default: all).")
@click.option("--profile", type=click.Choice(["platform", "distinct"]), default="platform", show_default=True,
              help="platform: the Chinese platform base (names repeat as in life); distinct: almost every name "
                   "new, in mixed scripts (Latin, Cyrillic, Arabic, Han, Hangul, kana), for speed measures.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def synth_command(obj: object, n: int, seed: int, out: Path, update_of: Path | None, plant: int,
                  plant_sources: str | None, profile: str, as_json: bool) -> None:
    """Write a synthetic account base (deterministic for a seed; with --plant, for a seed and a store)."""
    from screening.accounts import read_accounts, write_accounts
    from screening.synth import synth_accounts, synth_update

    started = time.perf_counter()
    if update_of is not None:
        df = synth_update(read_accounts(update_of).accounts, seed)
    elif profile == "distinct":
        from screening.evaluation.synth_distinct import distinct_accounts

        df = distinct_accounts(n, seed)
    else:
        df = synth_accounts(n, seed)
    planted = 0
    if plant > 0:
        import polars as pl

        from screening.db import connect
        from screening.demo import ensure_lists
        from screening.evaluation.planting import plant_matches

        con = connect(obj.db)  # type: ignore[attr-defined]
        try:
            ensure_lists(con, obj.db)  # type: ignore[attr-defined]
            sources = [s.strip() for s in plant_sources.split(",") if s.strip()] if plant_sources else None
            df = plant_matches(df, con, n=plant, seed=seed, sources=sources)
        finally:
            con.close()
        planted = df.filter(pl.col("planted_source").is_not_null()).height
    write_accounts(df, out)
    seconds = time.perf_counter() - started
    emit({"out": str(out), "accounts": df.height, "planted": planted, "seconds": round(seconds, 2)}, as_json,
         f"{df.height:,} accounts written to {out} in {seconds:.1f} s"
         + (f" ({planted} with planted list entries, labelled in planted_* columns)" if plant > 0 else ""))


@accounts_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def import_command(obj: object, path: Path, as_json: bool) -> None:
    """Read an account file into the store (quarantining bad rows) and report what changed."""
    from screening.accounts import read_accounts, store_import
    from screening.db import connect

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
