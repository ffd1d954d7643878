"""`screening eligibility --accounts FILE --out FILE [--as-of DATE]`.

`screening eligibility bench` is evaluation code (`screening/evaluation/eligibility_bench.py`), attached to this
group by the root command's registry (`screening/cli.py:GROUP_EXTRAS`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import click

from screening.cli import emit


@click.group("eligibility", invoke_without_command=True)
@click.option("--accounts", "accounts_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Account file (CSV, Parquet, JSON lines; DESIGN §3.2).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Results: account_id, status, capacity, reasons (CSV, Parquet or JSONL).")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Evaluation date (default: today in Asia/Shanghai).")
@click.option("--allow-multiple-accounts", is_flag=True,
              help="Several accounts per legal subject are allowed: report groups as info only.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def eligibility_group(ctx: click.Context, accounts_path: Path | None, out: Path | None, as_of: dt.datetime | None,
                      allow_multiple_accounts: bool, as_json: bool) -> None:
    """Civil capacity, ID validity, one subject per account, brand confusion — for a whole account file."""
    if ctx.invoked_subcommand is not None:
        return
    if accounts_path is None or out is None:
        raise click.UsageError("--accounts and --out are required (or use a sub-command: bench)")
    from screening.accounts import read_accounts
    from screening.store import connect
    from screening.eligibility.run import export, run_eligibility

    imported = read_accounts(accounts_path)
    con = connect(ctx.obj.db)
    try:
        run_id, evaluation = run_eligibility(
            con, imported, as_of=as_of.date() if as_of else None, allow_multiple=allow_multiple_accounts
        )
    finally:
        con.close()
    export(evaluation.results, out)
    status = Counter(evaluation.results["status"].to_list())
    codes = evaluation.reasons.group_by("code", "severity").len().sort("len", descending=True)
    data = {
        "run_id": run_id, "as_of": str(evaluation.as_of), "accounts": evaluation.results.height,
        "quarantined": imported.quarantine.height, "status": dict(status), "out": str(out),
        "reasons": codes.to_dicts(),
    }
    lines = [
        f"eligibility run {run_id} (as of {evaluation.as_of}): {evaluation.results.height:,} accounts, "
        f"{imported.quarantine.height:,} quarantined rows",
        "  " + ", ".join(f"{k} {status.get(k, 0):,}" for k in ("eligible", "review", "ineligible")),
        *[f"  {r['code']} ({r['severity']}): {r['len']:,}" for r in codes.to_dicts()],
        f"results written to {out}",
    ]
    emit(data, as_json, "\n".join(lines))
