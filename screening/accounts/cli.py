"""`screening accounts import|rekey`: read the platform's account file into the store, re-key the store;
and the options and summary lines every command that reads an account file shares.

`screening accounts synth` (a synthetic base) is evaluation code: `screening/evaluation/cli.py`, attached to
this group by the root command's registry (`screening/cli.py:GROUP_EXTRAS`) so production never imports it.
"""

from __future__ import annotations

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
    """Registered subjects: import, re-keying (and synthetic bases, from the evaluation)."""


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
