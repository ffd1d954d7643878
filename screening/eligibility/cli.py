"""`screening eligibility --accounts FILE --out FILE [--as-of DATE]`.

`screening eligibility bench` is evaluation code (`screening/evaluation/eligibility_bench.py`), attached to this
group by the root command's registry (`screening/cli.py:GROUP_EXTRAS`).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

import click

from screening.accounts.cli import input_options, issue_lines
from screening.accounts.identity import key_warnings
from screening.cli import after_run, emit
from screening.exc import EXIT_UNSCREENED


@click.group("eligibility", invoke_without_command=True)
@click.option("--accounts", "accounts_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Account file (CSV, Parquet, JSON lines; docs/architecture.md §3.2).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Results: account_id, status, capacity, reasons (CSV, Parquet or JSONL).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Evaluation date (default: today in Asia/Shanghai).")
@input_options
@click.option("--allow-multiple-accounts", is_flag=True,
              help="Several accounts per legal subject are allowed: report groups as info only.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eligibility_group(ctx: click.Context, accounts_path: Path | None, out: Path | None, as_of: dt.datetime | None,
                      encoding: str | None, bad_lines: str, allow_multiple_accounts: bool, as_json: bool) -> None:
    """Civil capacity, ID validity, one subject per account, brand confusion — for a whole account file.

    Every account of the file is in the output; exit code 10 when lines of the file could not be read
    (--bad-lines quarantine)."""
    if ctx.invoked_subcommand is not None:
        return
    if accounts_path is None or out is None:
        raise click.UsageError("--accounts and --out are required (or use a sub-command: bench)")
    from screening.accounts import read_accounts
    from screening.store import connect
    from screening.eligibility.run import export, run_eligibility

    imported = read_accounts(accounts_path, encoding=encoding, bad_lines=bad_lines)  # type: ignore[arg-type]
    con = connect(ctx.obj.db)
    try:
        run_id, evaluation = run_eligibility(
            con, imported, as_of=as_of.date() if as_of else None, allow_multiple=allow_multiple_accounts
        )
        alerts, alerts_line = after_run("eligibility", con, run_id)
    finally:
        con.close()
    export(evaluation.results, out)
    status = Counter(evaluation.results["status"].to_list())
    codes = evaluation.reasons.group_by("code", "severity").len().sort("len", descending=True)
    not_read = imported.bad_lines.select("line", "reason").to_dicts()
    data = {
        "run_id": run_id, "as_of": str(evaluation.as_of), "accounts": evaluation.results.height,
        "lines_not_read": not_read, "data_issues": imported.issues.height, "encoding": imported.encoding,
        "warnings": key_warnings(), "status": dict(status), "out": str(out), "reasons": codes.to_dicts(), "alerts": alerts,
    }
    lines = [
        f"eligibility run {run_id} (as of {evaluation.as_of}): {evaluation.results.height:,} accounts",
        "  " + ", ".join(f"{k} {status.get(k, 0):,}" for k in ("eligible", "review", "ineligible")),
        *[f"  {r['code']} ({r['severity']}): {r['len']:,}" for r in codes.to_dicts()],
        f"results written to {out}",
        alerts_line,
        *issue_lines({"warnings": data["warnings"], "data_issues": data["data_issues"],
                      "unscreened": [{"line": b["line"], "account_id": None, "reason": "line not read: " + b["reason"]}
                                     for b in not_read]}),
    ]
    emit(data, as_json, "\n".join(lines))
    if not_read:
        sys.exit(EXIT_UNSCREENED)
