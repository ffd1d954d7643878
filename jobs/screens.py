"""Screening jobs: `screen.delta` (every account against the entries a new list version added or
changed), `accounts.import` (account files dropped in the inbox), `screen.accounts` (new and changed
accounts against every list) and `screen.full` (everyone against everything, nightly, then the
eligibility re-evaluation of the stored accounts).

Each screen goes through the batch screen (`screen_accounts`, vectorised; the delta through its entry
mask; `screen.full` on Spark when SCREENING_FULL_SCREEN_ENGINE=spark) and hands the run to the alerts step. Accounts are screened from the store: their ID numbers are
kept there only as keyed hashes, so identifier matches happen at import and in `lookup()`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from jobs import alerts_bridge, sla
from jobs.runner import JobContext, JobSkipped, last_success, run_job
from screening import exc, settings
from screening.logs import get_logger
from screening.runs import ScreenResult, screen_accounts

log = get_logger(__name__)

ACCOUNT_SUFFIXES = (".csv", ".parquet", ".jsonl", ".ndjson")
CLOSED_STATUSES = ("closed", "cancelled", "canceled", "deleted")
# a dropped file younger than this may still be being written
SETTLE_SECONDS = 2.0


def stored_accounts(con: duckdb.DuckDBPyConnection, account_ids: list[str] | None = None) -> pl.DataFrame:
    """Open accounts from the store, in the columns the batch screen reads (all, or the given ids)."""
    return con.sql(
        """SELECT account_id, subject_type, name, name_latin, birth_date, country, nationality, id_type
           FROM accounts
           WHERE coalesce(lower(status), '') NOT IN (SELECT unnest($closed))
             AND ($ids IS NULL OR account_id IN (SELECT unnest($ids)))
           ORDER BY account_id""",
        params={"closed": list(CLOSED_STATUSES), "ids": account_ids}).pl()


# --- delta ------------------------------------------------------------------------------------


def pending_versions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """List versions no screen has covered yet: not delta-screened, and loaded after the last finished
    full run started (a full run screens everything in force). Versions already superseded count too:
    what they added and the newer version kept is in force and in no later diff."""
    return con.sql(
        """SELECT v.version_id, v.source, v.previous_version_id, v.publisher_date, v.loaded_at
           FROM list_versions v LEFT JOIN list_sla s USING (version_id)
           WHERE s.screened_at IS NULL
             AND v.loaded_at > coalesce((SELECT max(started_at) FROM screening_runs
                                         WHERE kind = 'full' AND status = 'finished'), TIMESTAMP '1900-01-01')
           ORDER BY v.version_id""").pl().to_dicts()


def changed_entries(con: duckdb.DuckDBPyConnection, versions: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(added or changed entries, removed entries) of the versions; a source's first version adds all.
    Entries no longer in force drop out when the screen masks the index."""
    ids = [v["version_id"] for v in versions]
    first = [v["version_id"] for v in versions if v["previous_version_id"] is None]
    screened = con.sql(
        """SELECT source, source_id FROM list_diffs WHERE version_id IN (SELECT unnest($ids))
             AND change IN ('added', 'changed')
           UNION SELECT source, source_id FROM list_entries WHERE version_id IN (SELECT unnest($first))""",
        params={"ids": ids, "first": first}).pl()
    removed = con.sql("SELECT version_id, source, source_id FROM list_diffs WHERE change = 'removed' "
                      "AND version_id IN (SELECT unnest($ids))", params={"ids": ids}).pl()
    return screened, removed


def screen_delta(ctx: JobContext) -> dict[str, Any]:
    """Every account against the entries new list versions added or changed; removals to the delisting
    path; the SLA rows of those versions closed."""
    with ctx.store() as con:
        versions = pending_versions(con)
        if not versions:
            raise JobSkipped("every list version in force is screened")
        ctx.inputs["list_versions"] = [{"source": v["source"], "version_id": v["version_id"]} for v in versions]
        entries, removed = changed_entries(con, versions)
        delisting = {int(v): alerts_bridge.call("apply_list_changes", con, int(v))
                     for v in removed["version_id"].unique().to_list()}
        accounts = stored_accounts(con)
    run_id, hits, alerts = None, 0, None
    if entries.height and accounts.height:  # the screen runs with the store closed
        result = screen_accounts(ctx.db, accounts, kind="delta", entries=entries, progress=_progress())
        ctx.inputs["config_hash"] = result.config_hash
        run_id, hits = result.run_id, result.hits.height
    with ctx.store() as con:
        if run_id is not None:
            alerts = alerts_bridge.call("ingest_run", con, run_id)
        ids = [v["version_id"] for v in versions]
        sla.open_rows(con, ids)
        con.execute(
            """UPDATE list_sla SET delta_run_id = ?, delta_job_run_id = ?, screened_at = now(), accounts = ?,
                   entries_screened = ? WHERE version_id IN (SELECT unnest(?))""",
            [run_id, ctx.run_id, accounts.height, entries.height, ids])
    return {"screening_run_id": run_id, "accounts": accounts.height, "entries": entries.height,
            "removed": removed.height, "hits": hits, "alerts": alerts, "delisting": delisting}


# --- accounts ---------------------------------------------------------------------------------


def import_accounts(ctx: JobContext) -> dict[str, Any]:
    """Import every settled account file in the inbox (eligibility checked on the way in, with the clear
    ID numbers the file carries), move it to done/ (or failed/ with the reason), then screen the new and
    changed accounts (an `event` run of `screen.accounts`)."""
    from screening.accounts import read_accounts
    from screening.eligibility.run import run_eligibility

    inbox = Path(ctx.params.get("inbox") or settings.accounts_inbox_for(ctx.db))
    files = inbox_files(inbox, float(ctx.params.get("settle_seconds", SETTLE_SECONDS)))
    if not files:
        raise JobSkipped(f"no account file in {inbox}")
    ctx.inputs["files"] = [f.name for f in files]
    imported = []
    for path in files:
        try:
            account_import = read_accounts(path)  # parsed before the store is opened
        except (exc.InputError, ValueError) as failure:  # a bad file: set aside with its reason
            ctx.problems.append(f"{path.name}: {failure}")
            _file_away(path, inbox / "failed", reason=str(failure))
            continue
        with ctx.store() as con:  # a store failure leaves the file in the inbox for the next run
            eligibility_run_id, _ = run_eligibility(con, account_import)
            import_id = con.execute("SELECT import_id FROM eligibility_runs WHERE run_id = ?",
                                    [eligibility_run_id]).fetchall()[0][0]
            alerts = alerts_bridge.call("ingest_eligibility", con, eligibility_run_id)
        _file_away(path, inbox / "done")
        imported.append({"file": path.name, "import_id": int(import_id), "accounts": account_import.accounts.height,
                         "unscreenable": account_import.unscreenable().height,
                         "field_issues": account_import.issues.height,
                         "eligibility_run_id": int(eligibility_run_id), "alerts": alerts})
    outputs: dict[str, Any] = {"imported": imported}
    if imported:
        screened = run_job("screen.accounts", ctx.db, trigger="event")
        outputs["screen"] = {"job_run_id": screened.run_id, "status": screened.status, **screened.outputs}
    return outputs


def inbox_files(inbox: Path, settle_seconds: float) -> list[Path]:
    if not inbox.is_dir():
        return []
    now = dt.datetime.now().timestamp()
    return sorted(p for p in inbox.iterdir()
                  if p.is_file() and p.suffix.lower() in ACCOUNT_SUFFIXES and not p.name.startswith(".")
                  and now - p.stat().st_mtime >= settle_seconds)


def _file_away(path: Path, folder: Path, reason: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S")
    target = folder / f"{stamp}-{path.name}"
    shutil.move(str(path), target)
    if reason:
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")


def screen_changed_accounts(ctx: JobContext) -> dict[str, Any]:
    """Accounts added or changed by imports since the last run, against every list in force."""
    with ctx.store() as con:
        watermark = int((last_success(con, "screen.accounts") or {}).get("import_id") or 0)
        newest = con.execute("SELECT max(import_id) FROM account_imports").fetchall()[0][0]
        ctx.inputs["after_import_id"] = watermark
        if newest is None or newest <= watermark:
            raise JobSkipped("no import since the last account screen")
        ids = [r[0] for r in con.execute("SELECT DISTINCT account_id FROM account_changes WHERE import_id > ?",
                                         [watermark]).fetchall()]
        accounts = stored_accounts(con, ids)
    run_id, hits, alerts = None, 0, None
    if accounts.height:  # the screen runs with the store closed
        result = screen_accounts(ctx.db, accounts, kind="account-change", progress=_progress())
        ctx.inputs["config_hash"] = result.config_hash
        ctx.inputs["list_versions"] = result.list_versions
        run_id, hits = result.run_id, result.hits.height
        with ctx.store() as con:
            alerts = alerts_bridge.call("ingest_run", con, run_id)
    return {"import_id": int(newest), "accounts": accounts.height, "screening_run_id": run_id, "hits": hits,
            "alerts": alerts}


def screen_full(ctx: JobContext) -> dict[str, Any]:
    """Every open account against every list in force (nightly, and after a matching-configuration
    change); then the eligibility re-evaluation of the stored accounts."""
    with ctx.store() as con:
        accounts = stored_accounts(con)
        started = con.execute("SELECT now()::TIMESTAMP").fetchall()[0][0]
    if accounts.is_empty():
        raise JobSkipped("no account imported yet")
    result = _full_screen(ctx, accounts)
    ctx.inputs["config_hash"] = result.config_hash
    ctx.inputs["list_versions"] = result.list_versions
    with ctx.store() as con:
        alerts = alerts_bridge.call("ingest_run", con, result.run_id)
        # every version loaded before the run started is screened (in force then, or superseded: what it
        # brought is in force or gone); one loaded while the run screened waits for its delta
        sla.open_rows(con, [v["version_id"] for v in result.list_versions])
        con.execute("UPDATE list_sla SET screened_at = now(), accounts = ? WHERE screened_at IS NULL AND version_id IN "
                    "(SELECT version_id FROM list_versions WHERE loaded_at <= ?)", [accounts.height, started])
        eligibility = stored_eligibility(con)
    return {"screening_run_id": result.run_id, "accounts": accounts.height, "hits": result.hits.height,
            "bands": result.counts, "seconds": result.duration_s, "alerts": alerts, "eligibility": eligibility}


def _full_screen(ctx: JobContext, accounts: pl.DataFrame) -> ScreenResult:
    """The full screen on the configured engine (settings.full_screen_engine), the store closed meanwhile.
    Spark reads the accounts from a Parquet file written beside the published snapshots, the storage its
    executors already read the snapshot from (a dot folder: snapshot pruning leaves it alone)."""
    engine = settings.full_screen_engine()
    ctx.inputs["engine"] = engine
    if engine == "local":
        return screen_accounts(ctx.db, accounts, kind="full", progress=_progress())
    from screening.runs.distributed import screen_accounts_spark

    root = settings.snapshot_dir_for(Path(ctx.db))
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".full-screen-accounts-", dir=root) as folder:
        path = Path(folder) / "accounts.parquet"
        accounts.write_parquet(path)
        return screen_accounts_spark(ctx.db, str(path), kind="full", master=settings.spark_master(),
                                     partitions=settings.spark_partitions(), snapshot_root=root)


def stored_eligibility(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The nightly eligibility re-evaluation of the stored accounts (a minor turning 18, a subject
    suspended since), its findings handed to the alerts step."""
    from screening.eligibility.run import run_stored_eligibility

    stored = run_stored_eligibility(con)
    if stored is None:
        return {"skipped": "no stored account"}
    run_id, evaluation = stored
    counts = evaluation.results["status"].value_counts()
    return {"run_id": run_id, **dict(zip(counts["status"].to_list(), counts["count"].to_list(), strict=True)),
            "alerts": alerts_bridge.call("ingest_eligibility", con, run_id)}


def _progress() -> bool:
    """A progress bar for a screen run in the foreground (a terminal), never in a service's logs."""
    return sys.stderr.isatty()
