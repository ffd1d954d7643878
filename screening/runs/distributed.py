"""A screening run computed on Apache Spark and recorded in the ledger like a local one.

The driver publishes (or reuses) the index snapshot of the versions in force, Spark screens the
accounts against it (`screening.matching.engines.spark`), and the run row records the engine, Spark
version, master and partitions beside the list versions and configuration hash. The same accounts give
the same hits as `screen_accounts` (tests/screening/runs/test_distributed.py).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import polars as pl

from screening import settings
from screening.logs import get_logger
from screening.matching import snapshot
from screening.matching.cache import get_index, database_path
from screening.matching.candidates import MatchStats
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.screen import entry_mask_of
from screening.accounts.identity import key_warnings
from screening.accounts.read import ISSUE_SCHEMA, UNSCREENED_SCHEMA
from screening.runs.ledger import RUN_KINDS, ScreenResult, _record_run, _RunRow, name_windows
from screening.store import Store, session

log = get_logger(__name__)


def screen_accounts_spark(
    db: Store,
    accounts: Any,
    *,
    kind: str = "full",
    min_score: float | None = None,
    entries: Iterable[tuple[str, str]] | None = None,
    config: MatchConfig = DEFAULT_CONFIG,
    master: str | None = None,
    partitions: int | None = None,
    snapshot_root: Path | None = None,
    store: bool = True,
    unscreened: pl.DataFrame | None = None,
    issues: pl.DataFrame | None = None,
) -> ScreenResult:
    """Screen `accounts` (a Parquet/CSV path, a table name or a Spark DataFrame) on Spark and record the run.

    `db` is the store's path (opened only to publish the snapshot and, at the end, to record the run, so
    other processes can write while Spark screens) or a connection the caller holds.

    The accounts must have a usable name: a file read by `screening screen --engine spark` goes through the
    same fail-closed reader as the local engine first, and its `unscreened` rows and data `issues` are
    recorded with the run here."""
    from screening import exc
    from screening.matching.engines import spark as engine

    if kind not in RUN_KINDS:
        raise exc.UsageError(f"unknown run kind {kind!r}; expected one of {', '.join(RUN_KINDS)}")
    started = time.perf_counter()
    started_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)  # the store clock: naive UTC
    out_floor = config.review if min_score is None else float(min_score)
    stored_floor = min(config.low, out_floor)
    with session(db) as con:
        root = snapshot_root or settings.snapshot_dir_for(Path(database_path(con)))
        published = snapshot.publish(con, root, config)
        index = get_index(con, config)  # the same versions as the snapshot: for the ledger's columns
    entry_list = None if entries is None else [(str(s), str(i)) for s, i in entries]
    spark = engine.session(master)
    result = engine.screen(spark, accounts, root, published.snapshot_id, config, floor=stored_floor,
                           entries=entry_list, partitions=partitions, expand=name_windows)
    versions = index.versions_used()
    run_id = None
    # windows of a long name, or an account given twice: one hit per account and entry, the best (as local)
    hits = result.hits.sort(["account_id", "score", "source", "source_id"], descending=[False, True, False, False])
    hits = hits.unique(["account_id", "source", "source_id"], keep="first", maintain_order=True)
    hits = hits.select(pl.lit(None, dtype=pl.Int64).alias("run_id"), pl.all())
    counts = {b: int((hits["band"] == b).sum()) for b in ("block_review", "review", "low")}
    unscreened = (unscreened if unscreened is not None else pl.DataFrame(schema=UNSCREENED_SCHEMA)).select(
        list(UNSCREENED_SCHEMA))
    issues = issues if issues is not None else pl.DataFrame(schema=ISSUE_SCHEMA)
    warnings = key_warnings()
    info = {"spark_version": result.spark_version, "master": result.master, "partitions": result.partitions,
            "snapshot_id": published.snapshot_id}
    duration = time.perf_counter() - started
    if store:
        run = _RunRow(kind, config, index, versions, result.population, result.population_sha256, stored_floor,
                      entry_mask_of(index, entry_list), started_at)
        with session(db) as con:
            run_id = _record_run(con, run, hits, duration, counts, MatchStats(), unscreened, issues, warnings,
                                 engine=("spark", info))
        hits = hits.with_columns(pl.lit(run_id, dtype=pl.Int64).alias("run_id"))
    log.info("spark screening run finished", run_id=run_id, kind=kind, accounts=result.population,
             hits=hits.height, seconds=round(duration, 1), partitions=result.partitions)
    return ScreenResult(
        run_id=run_id, hits=hits.filter(pl.col("score") >= out_floor), kind=kind, config_hash=config.hash,
        list_versions=versions, population=result.population, duration_s=round(duration, 3), counts=counts,
        stats={"engine": "spark", **info}, unscreened=unscreened, data_issues=issues.height, warnings=warnings,
    )
