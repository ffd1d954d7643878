"""The screening run ledger: `screen_accounts` runs the matching engine over accounts and records the run.

A run records its kind (onboarding / delta / account-change / full), the list versions used, the
matching configuration (hash, and the full settings once per hash), the population screened (count
and a hash of the account ids), the duration and the counts by band (DESIGN §3.4). Hits at or above
the `low` band are stored (sampling below the line); the returned / written hits start at `review`
unless `min_score` says otherwise. Tables: `screening.runs.schema`.
"""

from __future__ import annotations

import dataclasses
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

from screening.export import write_table
from screening.logs import get_logger
from screening.matching.cache import get_index
from screening.matching.candidates import MatchStats
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.explain import HIT_SCHEMA
from screening.matching.index import ListIndex
from screening.matching.index_store import frame
from screening.matching.screen import entry_mask_of, in_account_order, prepared_chunks, screen_batch
from screening.store import fetch_one, transaction

log = get_logger(__name__)

RUN_KINDS = ("onboarding", "delta", "account-change", "full")

HITS_COLUMNS = ("run_id",) + tuple(HIT_SCHEMA)


@dataclass
class ScreenResult:
    """A finished run: its id, the hits at or above `min_score`, and what it screened against."""

    run_id: int | None
    hits: pl.DataFrame
    kind: str
    config_hash: str
    list_versions: list[dict]
    population: int
    duration_s: float
    counts: dict[str, int] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)


def screen_accounts(
    con: duckdb.DuckDBPyConnection,
    accounts: pl.DataFrame,
    *,
    kind: str = "full",
    min_score: float | None = None,
    progress: bool = False,
    entries: Iterable[tuple[str, str]] | pl.DataFrame | None = None,
    config: MatchConfig = DEFAULT_CONFIG,
    store: bool = True,
) -> ScreenResult:
    """Screen `accounts` (DESIGN §3.2 columns) against the lists in force and record the run.

    `entries` limits the screen to those list entries (source, source_id) — a delta rescreen after a
    list change. `min_score` lowers (or raises) the floor of the returned hits (default: `review`).
    With `store=False` nothing is written (the evaluation's dry runs).
    """
    if kind not in RUN_KINDS:
        raise ValueError(f"unknown run kind {kind!r}; expected one of {', '.join(RUN_KINDS)}")
    started = time.perf_counter()
    out_floor = config.review if min_score is None else float(min_score)
    stored_floor = min(config.low, out_floor)
    index = get_index(con, config)
    entry_mask = entry_mask_of(index, entries)
    versions = index.versions_used()
    population = accounts.height
    ids = accounts["account_id"].cast(pl.String).sort().to_list() if population else []
    pop_hash = hashlib.sha256("\n".join(map(str, ids)).encode()).hexdigest()
    run_id = None
    if store:
        run_id = _start_run(con, kind, config, index, versions, population, pop_hash, stored_floor, entry_mask)
    stats = MatchStats()
    parts: list[pl.DataFrame] = []
    try:
        bar = tqdm(total=population, unit="acct", disable=not progress, desc="screening")
        for size, batch in prepared_chunks(accounts, index, config.chunk_size):
            parts.append(screen_batch(con, index, batch, config, floor=stored_floor, entry_mask=entry_mask,
                                      stats=stats))
            bar.update(size)
        bar.close()
        hits = in_account_order(pl.concat(parts) if parts else pl.DataFrame(schema=HIT_SCHEMA), accounts)
        hits = hits.select(pl.lit(run_id, dtype=pl.Int64).alias("run_id"), pl.all())
        duration = time.perf_counter() - started
        counts = {b: int((hits["band"] == b).sum()) for b in ("block_review", "review", "low")}
        if store:
            _finish_run(con, run_id, hits, duration, counts, stats)
    except BaseException as exc:
        if store and run_id is not None:
            con.execute("UPDATE screening_runs SET status = 'failed', error = ?, finished_at = now()::TIMESTAMP "
                        "WHERE run_id = ?", [f"{type(exc).__name__}: {exc}"[:2000], run_id])
        raise
    log.info("screening run finished", run_id=run_id, kind=kind, accounts=population,
             candidates=stats.candidates, hits=hits.height, seconds=round(duration, 1))
    return ScreenResult(
        run_id=run_id, hits=hits.filter(pl.col("score") >= out_floor), kind=kind, config_hash=config.hash,
        list_versions=versions, population=population, duration_s=round(duration, 3), counts=counts,
        stats=dataclasses.asdict(stats),
    )


def _start_run(con: duckdb.DuckDBPyConnection, kind: str, config: MatchConfig, index: ListIndex,
               versions: list[dict], population: int, pop_hash: str, stored_floor: float,
               entry_mask: np.ndarray | None) -> int:
    con.execute("INSERT INTO match_configs VALUES (?, ?, now()::TIMESTAMP) ON CONFLICT DO NOTHING",
                [config.hash, json.dumps(config.to_dict(), sort_keys=True)])
    run_id = fetch_one(con, "SELECT nextval('screening_run_seq')")[0]
    con.execute(
        """INSERT INTO screening_runs (run_id, kind, status, started_at, config_hash, index_key, list_versions,
               population, population_sha256, entries_filter, stored_floor)
           VALUES (?, ?, 'running', now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?)""",
        [run_id, kind, config.hash, index.index_key, json.dumps(versions, default=str), population, pop_hash,
         None if entry_mask is None else int(entry_mask.sum()), stored_floor],
    )
    con.executemany("INSERT INTO screening_run_versions VALUES (?, ?, ?, ?)",
                    [[run_id, v["source"], v["version_id"], v["sha256"]] for v in versions])
    return int(run_id)


def _finish_run(con: duckdb.DuckDBPyConnection, run_id: int, hits: pl.DataFrame, duration: float,
                counts: dict[str, int], stats: MatchStats) -> None:
    with transaction(con):
        if hits.height:
            con.register("_hits", hits.select(HITS_COLUMNS).to_arrow())
            con.execute(f"INSERT INTO screening_hits ({', '.join(HITS_COLUMNS)}) SELECT * FROM _hits")
            con.unregister("_hits")
        con.execute(
            """UPDATE screening_runs SET status = 'finished', finished_at = now()::TIMESTAMP, duration_s = ?,
                   candidates = ?, fallback_names = ?, hits = ?, block_review = ?, review = ?, low = ?
               WHERE run_id = ?""",
            [duration, stats.candidates, stats.fallback_names, hits.height, counts["block_review"],
             counts["review"], counts["low"], run_id],
        )


def run_hits(con: duckdb.DuckDBPyConnection, run_id: int, min_score: float | None = None) -> pl.DataFrame:
    """The stored hits of a run (at or above `min_score` when given)."""
    floor = -1.0 if min_score is None else min_score
    return frame(con, "SELECT * FROM screening_hits WHERE run_id = ? AND score >= ? ORDER BY account_id, score DESC",
                 [run_id, floor])


def write_hits(hits: pl.DataFrame, path: Path | str) -> Path:
    """CSV or Parquet by the file's extension (CSV with spreadsheet formulas neutralised)."""
    return write_table(hits, path)
