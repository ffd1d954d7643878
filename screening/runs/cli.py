"""`screening screen`: screen an account file against the lists in force and record the run.

Exit code 0 when every row was screened; 10 (`exc.EXIT_UNSCREENED`) when the run finished but some
rows could not be (listed in the summary and stored in `screening_unscreened`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from screening.accounts.cli import input_options, issue_lines
from screening.cli import Context, after_run, emit
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.runs.ledger import RUN_KINDS

if TYPE_CHECKING:
    import duckdb

    from screening.accounts import AccountImport
    from screening.runs.ledger import ScreenResult


@click.command("screen")
@click.option("--accounts", "accounts_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Accounts file: CSV, TSV, Parquet or JSON lines (docs/architecture.md §3.2 columns).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the hits here (CSV or Parquet by extension).")
@click.option("--min-score", type=float, default=None, help="Floor of the written hits (default: the review band).")
@click.option("--kind", type=click.Choice(RUN_KINDS), default="full", show_default=True,
              help="Run kind recorded with the run.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="YAML of MatchConfig overrides (see `screening match config`).")
@input_options
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="spark: screen on Apache Spark (the spark extra; docs in the README).")
@click.option("--spark-master", default=None, help="Spark master URL (default: an active session, else local[*]).")
@click.option("--partitions", type=int, default=None, help="Spark partitions (default: twice the parallelism).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def screen_command(ctx: Context, accounts_path: Path, out: Path | None, min_score: float | None, kind: str,
                   config_path: Path | None, encoding: str | None, bad_lines: str, engine: str, spark_master: str | None,
                   partitions: int | None, as_json: bool) -> None:
    """Screen an accounts file against the lists in force; store the run and its hits.

    Exit code 10 when some rows could not be screened (no usable name, unreadable line)."""
    from screening.accounts import read_accounts
    from screening.runs.ledger import screen_import, write_hits
    from screening.store import connect, session

    imported = read_accounts(accounts_path, encoding=encoding, bad_lines=bad_lines)  # type: ignore[arg-type]
    config = MatchConfig.from_file(config_path) if config_path else DEFAULT_CONFIG
    if engine == "spark":
        con = connect(ctx.db)
        try:
            result = _screen_on_spark(con, imported, kind=kind, min_score=min_score, config=config,
                                      master=spark_master, partitions=partitions)
        finally:
            con.close()
    else:  # the store is opened for the index and for the final write only: other commands can write meanwhile
        result = screen_import(ctx.db, imported, kind=kind, min_score=min_score, progress=not as_json, config=config)
    with session(ctx.db) as con:
        alerts, alerts_line = after_run("screen", con, result.run_id)
    if out:
        write_hits(result.hits, out)
    summary = {
        "run_id": result.run_id, "kind": result.kind, "accounts": result.population,
        "unscreened": result.unscreened.to_dicts(), "data_issues": result.data_issues,
        "encoding": imported.encoding, "warnings": result.warnings,
        "hits": result.hits.height, "bands": result.counts,
        "config_hash": result.config_hash, "duration_s": result.duration_s, "stats": result.stats,
        "list_versions": result.list_versions, "out": str(out) if out else None, "alerts": alerts,
    }
    bands = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    text = (f"run {result.run_id} ({result.kind}): {result.population} rows screened, "
            f"{result.unscreened.height} not screened, in {result.duration_s:.1f}s — {result.hits.height} hits "
            f"written ({bands} stored); config {result.config_hash}" + (f"; hits in {out}" if out else ""))
    emit(summary, as_json, "\n".join([text, alerts_line, *issue_lines(summary)]))
    if result.exit_code:
        sys.exit(result.exit_code)


def _screen_on_spark(con: duckdb.DuckDBPyConnection, imported: AccountImport, *, kind: str, min_score: float | None,
                     config: MatchConfig, master: str | None, partitions: int | None) -> ScreenResult:
    """The file went through the same fail-closed reader; Spark screens its screenable rows (as Parquet)."""
    import tempfile

    from screening.runs.distributed import screen_accounts_spark

    with tempfile.TemporaryDirectory(prefix="screening-spark-") as tmp:
        path = Path(tmp) / "accounts.parquet"
        imported.screenable().write_parquet(path)
        return screen_accounts_spark(con, str(path), kind=kind, min_score=min_score, config=config, master=master,
                                     partitions=partitions, unscreened=imported.unscreenable(), issues=imported.issues)
