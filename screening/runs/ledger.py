"""The screening run ledger: `screen_accounts` runs the matching engine over accounts and records the run.

A run records its kind (onboarding / delta / account-change / full), the list versions used, the
matching configuration (hash, and the full settings once per hash), the population screened (count
and a hash of the account ids), the duration and the counts by band (docs/architecture.md §3.4). Hits at or above
the `low` band are stored (sampling below the line); the returned / written hits start at `review`
unless `min_score` says otherwise. Tables: `screening.runs.schema`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from tqdm import tqdm

from screening.accounts.identity import key_warnings
from screening.accounts.read import ISSUE_SCHEMA, MAX_NAME_WORDS, NAME_MAX_CHARS, UNSCREENED_SCHEMA, AccountImport
from screening.exc import EXIT_UNSCREENED, UsageError
from screening.export import write_table
from screening.logs import get_logger
from screening.matching.cache import get_index
from screening.matching.candidates import MatchStats
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.explain import HIT_SCHEMA
from screening.matching.index import ListIndex
from screening.matching.index_store import frame
from screening.matching.screen import entry_mask_of, in_account_order, screen_chunks
from screening.store import Store, fetch_one, session, transaction

log = get_logger(__name__)

RUN_KINDS = ("onboarding", "delta", "account-change", "full")

HITS_COLUMNS = ("run_id",) + tuple(HIT_SCHEMA)
WINDOW_WORDS = 6  # longest run of words tried as a name inside a long name


@dataclass
class ScreenResult:
    """A finished run: its id, the hits at or above `min_score`, and what it screened against.

    `unscreened` (account_id, line, reason) lists the rows that could not be screened: a run with any
    is finished but incomplete (`exit_code`: 10)."""

    run_id: int | None
    hits: pl.DataFrame
    kind: str
    config_hash: str
    list_versions: list[dict]
    population: int
    duration_s: float
    counts: dict[str, int] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    unscreened: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=UNSCREENED_SCHEMA))
    data_issues: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_UNSCREENED if self.unscreened.height else 0


def screen_import(db: Store, imported: AccountImport, **options: object) -> ScreenResult:
    """Screen an account file as read: every record with a usable name; the others and the unreadable
    lines reported as unscreened, the data issues stored with the run."""
    return screen_accounts(db, imported.screenable(), unscreened=imported.unscreenable(), issues=imported.issues,
                           **options)  # type: ignore[arg-type]


def screen_accounts(
    db: Store,
    accounts: pl.DataFrame,
    *,
    kind: str = "full",
    min_score: float | None = None,
    progress: bool = False,
    entries: Iterable[tuple[str, str]] | pl.DataFrame | None = None,
    config: MatchConfig = DEFAULT_CONFIG,
    store: bool = True,
    unscreened: pl.DataFrame | None = None,
    issues: pl.DataFrame | None = None,
) -> ScreenResult:
    """Screen `accounts` (docs/architecture.md §3.2 columns, optionally `line`) against the lists in force
    and record the run.

    `db` is the store's path (opened only to read the list index and, at the end, to write the run and
    its hits in one short transaction: another process can write in between, however long the screen
    takes) or a connection the caller holds. Every row with a usable name (a letter in `name` or
    `name_latin`) is screened, duplicates included; the others are unscreened with their reason, as are
    the rows of `unscreened` (lines a reader could not read). `issues` (data issues of the rows) are stored
    with the run. A name longer than NAME_MAX_CHARS or MAX_NAME_WORDS words is screened in overlapping
    windows of its words. `entries` limits the screen to those list entries (source, source_id) — a delta
    rescreen after a list change. `min_score` lowers (or raises) the floor of the returned hits (default:
    `review`). With `store=False` nothing is written (the evaluation's dry runs).
    """
    if kind not in RUN_KINDS:
        raise UsageError(f"unknown run kind {kind!r}; expected one of {', '.join(RUN_KINDS)}")
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # the store clock: naive UTC
    out_floor = config.review if min_score is None else float(min_score)
    stored_floor = min(config.low, out_floor)
    accounts, no_name = _split_unusable(accounts)
    unscreened = pl.concat([no_name] + ([unscreened.select(list(UNSCREENED_SCHEMA))] if unscreened is not None else [])
                           ).sort("line", nulls_last=True)
    issues = issues if issues is not None else pl.DataFrame(schema=ISSUE_SCHEMA)
    warnings = key_warnings()
    with session(db) as con:  # a short read (the index is cached per process once loaded)
        index = get_index(con, config)
    entry_mask = entry_mask_of(index, entries)
    versions = index.versions_used()
    population = accounts.height
    ids = accounts["account_id"].cast(pl.String).sort().to_list() if population else []
    pop_hash = hashlib.sha256("\n".join(map(str, ids)).encode()).hexdigest()
    queries = name_windows(accounts)
    run = _RunRow(kind, config, index, versions, population, pop_hash, stored_floor, entry_mask, started_at)
    stats = MatchStats()
    try:
        bar = tqdm(total=queries.height, unit="acct", disable=not progress, desc="screening")
        parts = screen_chunks(queries, index, config, floor=stored_floor, entry_mask=entry_mask, stats=stats,
                              progress=bar.update)
        bar.close()
        hits = pl.concat(parts) if parts else pl.DataFrame(schema=HIT_SCHEMA)
        if queries.height != accounts.height or accounts["account_id"].is_duplicated().any():
            # windows of a long name, or duplicated rows: one hit per account and entry, the best
            hits = hits.sort("score", descending=True, maintain_order=True).unique(
                ["account_id", "source", "source_id"], keep="first", maintain_order=True)
        hits = in_account_order(hits, accounts)
        duration = time.perf_counter() - started
        counts = {b: int((hits["band"] == b).sum()) for b in ("block_review", "review", "low")}
        run_id = None
        if store:
            with session(db) as con:
                run_id = _record_run(con, run, hits, duration, counts, stats, unscreened, issues, warnings)
        hits = hits.select(pl.lit(run_id, dtype=pl.Int64).alias("run_id"), pl.all())
    except BaseException as exc:
        if store:
            _record_failed(db, run, exc)
        raise
    log.info("screening run finished", run_id=run_id, kind=kind, accounts=population, unscreened=unscreened.height,
             candidates=stats.candidates, hits=hits.height, seconds=round(duration, 1))
    return ScreenResult(
        run_id=run_id, hits=hits.filter(pl.col("score") >= out_floor), kind=kind, config_hash=config.hash,
        list_versions=versions, population=population, duration_s=round(duration, 3), counts=counts,
        stats=dataclasses.asdict(stats), unscreened=unscreened, data_issues=issues.height, warnings=warnings,
    )


def _split_unusable(accounts: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows with a usable name (a letter in name or name_latin), and the others as unscreened."""
    if "line" not in accounts.columns:
        accounts = accounts.with_columns(line=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    letters = pl.lit(False)
    for column in ("name", "name_latin"):
        if column in accounts.columns:
            letters = letters | pl.col(column).cast(pl.String).str.contains(r"[\p{L}\p{N}]").fill_null(False)
    flagged = accounts.with_columns(_usable=letters)
    no_name = flagged.filter(~pl.col("_usable")).select(
        pl.col("account_id").cast(pl.String), pl.col("line").cast(pl.Int64),
        pl.when(pl.col("name").cast(pl.String).str.strip_chars().fill_null("") == "")
        .then(pl.lit("no usable name: empty")).otherwise(pl.lit("no usable name: no letters or digits")).alias("reason"))
    return flagged.filter(pl.col("_usable")).drop("_usable"), no_name


def name_windows(accounts: pl.DataFrame) -> pl.DataFrame:
    """The accounts to query: a name over NAME_MAX_CHARS characters or MAX_NAME_WORDS words is queried as
    itself (the matcher compares its first words, as it does a long listed name, so a long name that is
    listed word for word still hits its entry) and as every run of 1 to WINDOW_WORDS consecutive words in
    it, so a listed name whose tokens appear in order anywhere in the string is compared as itself (a run
    of characters for scripts written without spaces). The matcher works per distinct form, so repeated
    filler costs nothing."""
    if "name" not in accounts.columns or accounts.height == 0:
        return accounts
    name = pl.col("name")
    long = (name.str.len_chars() > NAME_MAX_CHARS) | (name.str.count_matches(r"\S+") > MAX_NAME_WORDS)
    flagged = accounts.with_columns(_long=long.fill_null(False))
    if not flagged["_long"].any():
        return accounts
    rows = flagged.filter(pl.col("_long")).drop("_long")
    windows = [_windows(n) for n in rows["name"].to_list()]
    expanded = rows.with_columns(name=pl.Series(windows, dtype=pl.List(pl.String))).with_row_index("_row").explode(
        "name")
    if "name_latin" in expanded.columns:  # the Latin name once, with the first window
        first = pl.int_range(pl.len()).over("_row") == 0
        expanded = expanded.with_columns(name_latin=pl.when(first).then(pl.col("name_latin")))
    expanded = expanded.drop("_row")
    return pl.concat([flagged.filter(~pl.col("_long")).drop("_long"), expanded], how="vertical_relaxed")


def _windows(name: str) -> list[str]:
    words = name.split()
    if len(words) < 2:  # written without spaces: runs of 2 to 16 characters
        words, size_range, join = list(name), range(2, 17), ""
    else:
        size_range, join = range(1, WINDOW_WORDS + 1), " "
    runs = (join.join(words[i:i + size]) for i in range(len(words)) for size in size_range if i + size <= len(words))
    return list(dict.fromkeys([name, *runs]))


@dataclass(frozen=True)
class _RunRow:
    """What the run's ledger row records about its inputs (written with its outputs at the end)."""

    kind: str
    config: MatchConfig
    index: ListIndex
    versions: list[dict]
    population: int
    pop_hash: str
    stored_floor: float
    entry_mask: np.ndarray | None
    started_at: dt.datetime


def _insert_run(con: duckdb.DuckDBPyConnection, run: _RunRow, status: str) -> int:
    con.execute("INSERT INTO match_configs VALUES (?, ?, now()::TIMESTAMP) ON CONFLICT DO NOTHING",
                [run.config.hash, json.dumps(run.config.to_dict(), sort_keys=True)])
    run_id = int(fetch_one(con, "SELECT nextval('screening_run_seq')")[0])
    con.execute(
        """INSERT INTO screening_runs (run_id, kind, status, started_at, config_hash, index_key, list_versions,
               population, population_sha256, entries_filter, stored_floor)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [run_id, run.kind, status, run.started_at, run.config.hash, run.index.index_key,
         json.dumps(run.versions, default=str), run.population, run.pop_hash,
         None if run.entry_mask is None else int(run.entry_mask.sum()), run.stored_floor],
    )
    con.executemany("INSERT INTO screening_run_versions VALUES (?, ?, ?, ?)",
                    [[run_id, v["source"], v["version_id"], v["sha256"]] for v in run.versions])
    return run_id


def _record_run(con: duckdb.DuckDBPyConnection, run: _RunRow, hits: pl.DataFrame, duration: float,
                counts: dict[str, int], stats: MatchStats, unscreened: pl.DataFrame, issues: pl.DataFrame,
                warnings: list[str], engine: tuple[str, dict] | None = None) -> int:
    """The run, its hits, unscreened rows and data issues: one transaction (all or nothing). `engine`: the
    engine that screened when not the local one, with its details."""
    with transaction(con):
        run_id = _insert_run(con, run, "finished")
        if hits.height:
            con.register("_hits", hits.with_columns(pl.lit(run_id, dtype=pl.Int64).alias("run_id"))
                         .select(HITS_COLUMNS).to_arrow())
            con.execute(f"INSERT INTO screening_hits ({', '.join(HITS_COLUMNS)}) SELECT * FROM _hits")
            con.unregister("_hits")
        if unscreened.height:
            con.register("_unscreened", unscreened.select(list(UNSCREENED_SCHEMA)).to_arrow())
            con.execute("INSERT INTO screening_unscreened SELECT ?, account_id, line, reason FROM _unscreened", [run_id])
            con.unregister("_unscreened")
        if issues.height:
            con.register("_issues", issues.select(list(ISSUE_SCHEMA)).to_arrow())
            con.execute("INSERT INTO account_data_issues SELECT NULL, ?, account_id, line, field, reason FROM _issues",
                        [run_id])
            con.unregister("_issues")
        con.execute(
            """UPDATE screening_runs SET finished_at = now()::TIMESTAMP, duration_s = ?,
                   candidates = ?, fallback_names = ?, hits = ?, block_review = ?, review = ?, low = ?,
                   unscreened = ?, data_issues = ?, warnings = ?
               WHERE run_id = ?""",
            [duration, stats.candidates, stats.fallback_names, hits.height, counts["block_review"],
             counts["review"], counts["low"], unscreened.height, issues.height, json.dumps(warnings), run_id],
        )
        if engine is not None:
            con.execute("UPDATE screening_runs SET engine = ?, engine_info = ? WHERE run_id = ?",
                        [engine[0], json.dumps(engine[1]), run_id])
    return run_id


def _record_failed(db: Store, run: _RunRow, error: BaseException) -> None:
    """A run that failed is on the ledger too (status `failed`, the error), in a short transaction of its
    own; a store that cannot be opened now only loses that row (the error is still raised)."""
    try:
        with session(db) as con, transaction(con):
            run_id = _insert_run(con, run, "failed")
            con.execute("UPDATE screening_runs SET error = ?, finished_at = now()::TIMESTAMP WHERE run_id = ?",
                        [f"{type(error).__name__}: {error}"[:2000], run_id])
    except Exception as failure:  # noqa: BLE001 - the screen's own error is the one to raise
        log.error("failed screening run not recorded", error=str(failure))


def run_hits(con: duckdb.DuckDBPyConnection, run_id: int, min_score: float | None = None) -> pl.DataFrame:
    """The stored hits of a run (at or above `min_score` when given)."""
    floor = -1.0 if min_score is None else min_score
    return frame(con, "SELECT * FROM screening_hits WHERE run_id = ? AND score >= ? ORDER BY account_id, score DESC",
                 [run_id, floor])


def write_hits(hits: pl.DataFrame, path: Path | str) -> Path:
    """CSV or Parquet by the file's extension (CSV with spreadsheet formulas neutralised)."""
    return write_table(hits, path)
