"""`screening screen`: screen an account file against the lists in force and record the run."""

from __future__ import annotations

from pathlib import Path

import click

from screening.cli import Context, emit
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.runs.ledger import RUN_KINDS


@click.command("screen")
@click.option("--accounts", "accounts_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Accounts file: CSV, Parquet or JSON lines (DESIGN §3.2 columns).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the hits here (CSV or Parquet by extension).")
@click.option("--min-score", type=float, default=None, help="Floor of the written hits (default: the review band).")
@click.option("--kind", type=click.Choice(RUN_KINDS), default="full", show_default=True, help="Run kind recorded with the run.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="YAML of MatchConfig overrides (see `screening match config`).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def screen_command(ctx: Context, accounts_path: Path, out: Path | None, min_score: float | None, kind: str,
                   config_path: Path | None, as_json: bool) -> None:
    """Screen an accounts file against the lists in force; store the run and its hits."""
    from screening.accounts import read_accounts
    from screening.store import connect
    from screening.runs.ledger import screen_accounts, write_hits

    imported = read_accounts(accounts_path)
    con = connect(ctx.db)
    config = MatchConfig.from_file(config_path) if config_path else DEFAULT_CONFIG
    result = screen_accounts(con, imported.accounts, kind=kind, min_score=min_score, progress=not as_json,
                             config=config)
    if out:
        write_hits(result.hits, out)
    summary = {
        "run_id": result.run_id, "kind": result.kind, "accounts": result.population,
        "quarantined": imported.quarantine.height, "hits": result.hits.height, "bands": result.counts,
        "config_hash": result.config_hash, "duration_s": result.duration_s, "stats": result.stats,
        "list_versions": result.list_versions, "out": str(out) if out else None,
    }
    bands = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    text = (f"run {result.run_id} ({result.kind}): {result.population} accounts "
            f"({imported.quarantine.height} quarantined) in {result.duration_s:.1f}s — {result.hits.height} hits "
            f"written ({bands} stored); config {result.config_hash}" + (f"; hits in {out}" if out else ""))
    emit(summary, as_json, text)
