"""`screening accounts …`: import the platform's account file, re-key the store, make a synthetic base;
and the options and summary lines every command that reads an account file shares."""

from __future__ import annotations

import time
from pathlib import Path

import click

from screening.cli import Context, emit


ENCODING_HELP = "Encoding of a CSV/TSV/JSON-lines file (default: detected: UTF-8/UTF-16 by BOM, UTF-8, GB18030)."
BAD_LINES_HELP = ("A structurally bad line (wrong field count, broken JSON): refuse the file (default) or set the "
                  "line aside with its number and read the rest.")


def input_options(command: click.Command) -> click.Command:
    """--encoding and --bad-lines, shared by every command that reads an account file."""
    command = click.option("--bad-lines", type=click.Choice(["refuse", "quarantine"]), default="refuse",
                           show_default=True, help=BAD_LINES_HELP)(command)
    return click.option("--encoding", default=None, help=ENCODING_HELP)(command)


def issue_lines(summary: dict, limit: int = 20) -> list[str]:
    """The warnings, unscreened rows and data-issue count of a run summary, for people."""
    lines = [f"WARNING: {w}" for w in summary.get("warnings", [])]
    unscreened = summary.get("unscreened", [])
    if unscreened:
        lines.append(f"{len(unscreened)} rows NOT screened:")
        lines += [f"  line {u['line']}: {u['account_id'] or '(no account_id)'}: {u['reason']}" for u in unscreened[:limit]]
        if len(unscreened) > limit:
            lines.append(f"  … {len(unscreened) - limit} more (--json lists all)")
    if summary.get("data_issues"):
        lines.append(f"{summary['data_issues']} data issues (bad fields dropped, duplicates, long names): "
                     f"table account_data_issues")
    return lines


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
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def synth_command(obj: object, n: int, seed: int, out: Path, update_of: Path | None, plant: int,
                  plant_sources: str | None, as_json: bool) -> None:
    """Write a synthetic account base (deterministic for a seed; with --plant, for a seed and a store)."""
    from screening.accounts import read_accounts, write_accounts
    from screening.synth import synth_accounts, synth_update

    started = time.perf_counter()
    if update_of is not None:
        df = synth_update(read_accounts(update_of).accounts, seed)
    else:
        df = synth_accounts(n, seed)
    planted = 0
    if plant > 0:
        import polars as pl

        from screening.store import connect
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
@input_options
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def import_command(obj: Context, path: Path, encoding: str | None, bad_lines: str, as_json: bool) -> None:
    """Read an account file into the store and report what changed, the data issues and the lines set aside."""
    from screening.accounts import read_accounts, store_import
    from screening.accounts.identity import key_warnings
    from screening.store import connect

    result = read_accounts(path, encoding=encoding, bad_lines=bad_lines)  # type: ignore[arg-type]
    con = connect(obj.db)
    try:
        import_id = store_import(con, result)
        row = con.sql(
            "SELECT account_count, quarantined, added, changed, identity_changed, data_issues, id_key_fingerprint "
            "FROM account_imports WHERE import_id = $id",
            params={"id": import_id},
        ).fetchall()[0]
    finally:
        con.close()
    data = dict(zip(["accounts", "lines_set_aside", "added", "changed", "identity_changed", "data_issues",
                     "id_key_fingerprint"], row, strict=True))
    data |= {"import_id": import_id, "encoding": result.encoding, "warnings": key_warnings(),
             "unscreened": result.unscreenable().to_dicts(), "issues": result.issues.head(20).to_dicts()}
    lines = [f"import {import_id}: {row[0]:,} accounts, {row[2]:,} added, {row[3]:,} changed, "
             f"{row[4]:,} identity changes, {row[1]:,} lines set aside (encoding {result.encoding or 'parquet'})"]
    lines += [f"  line {q['line']}: {q['account_id']}: {q['field']}: {q['reason']}" for q in data["issues"]]
    emit(data, as_json, "\n".join(lines + issue_lines(data)))


@accounts_group.command("rekey")
@click.option("--reason", required=True, help="Why the key changes (recorded with the new key's fingerprint).")
@click.option("--yes", is_flag=True, help="Confirm: the stored ID, phone and e-mail hashes are cleared.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def rekey_command(obj: Context, reason: str, yes: bool, as_json: bool) -> None:
    """Adopt the key in SCREENING_ID_HASH_KEY as the store's ID hash key; then import the full account file.

    The stored hashes cannot be recomputed (clear numbers are never stored): they are cleared, and
    the next import fills them under the new key without reporting identity changes."""
    from screening.accounts.identity import id_hash_key, rekey
    from screening.exc import UsageError
    from screening.store import connect

    if not yes:
        raise UsageError("re-keying clears the stored ID hashes: repeat with --yes to confirm")
    con = connect(obj.db)
    try:
        data = rekey(con, id_hash_key(), reason)
    finally:
        con.close()
    emit(data, as_json, f"store re-keyed: key fingerprint {data['fingerprint']}, {data['hashes_cleared']:,} ID hashes "
                        "cleared; import the full account file now")
