"""The batch screen on Apache Spark (optional: `pip install 'screening[spark]'`; Java 17 or later).

Accounts are read by Spark (a Parquet or CSV path, a table name or a Spark DataFrame with the account
columns of docs/architecture.md), range-partitioned by name so each partition keeps the name locality
the local engine relies on (one name's accounts in one batch), and screened with `mapInArrow` by the
local engine's own batch function. Each Python worker loads the published index snapshot once
(`screening.matching.snapshot`, a folder of Parquet files named by its content): the snapshot travels
as a path every executor can read — local mode, or shared storage on a cluster — never through
`sparkContext.broadcast`, so the same code runs on Spark Connect. Nothing here is imported by the
local path.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from screening import exc
from screening.matching.config import MatchConfig
from screening.matching.explain import HIT_SCHEMA

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

REQUIRED = ("account_id", "name")
# Accounts per Arrow batch handed to the batch function. Spark's default (10,000) pays the batch's fixed
# costs five times as often; above the normaliser's PARALLEL_MIN (60,000) a task would fork a process
# pool and use more than the one core Spark gave it.
BATCH_ROWS = 50_000
ARROW_BATCH = "spark.sql.execution.arrow.maxRecordsPerBatch"


@dataclass(frozen=True)
class SparkRun:
    """What a Spark screen returns: the hits (local engine's schema) and what the ledger records."""

    hits: pl.DataFrame
    population: int
    population_sha256: str
    spark_version: str
    master: str
    partitions: int


def session(master: str | None = None, app_name: str = "screening", conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session (the active one when it exists and no master is asked for). `conf` applies to a
    new session (e.g. `spark.driver.memory`, read only when the JVM starts)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:  # the optional extra is not installed
        raise exc.UsageError("the Spark engine needs pyspark: pip install 'screening[spark]'") from error
    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    builder = SparkSession.builder.appName(app_name).config("spark.ui.enabled", "false")
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    return builder.master(master or "local[*]").getOrCreate()


def read_accounts(spark: SparkSession, source: str | Path | DataFrame) -> DataFrame:
    """Accounts as a Spark DataFrame: a DataFrame as it is, a .parquet/.csv path, else a table name."""
    from pyspark.sql import DataFrame

    if isinstance(source, DataFrame):
        frame = source
    else:
        text = str(source)
        if text.endswith(".parquet") or Path(text).is_dir():
            frame = spark.read.parquet(text)
        elif text.endswith(".csv"):
            frame = spark.read.option("header", True).option("encoding", "UTF-8").csv(text)
        else:
            frame = spark.table(text)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise exc.UsageError(f"the accounts given to Spark lack the column(s) {', '.join(missing)}")
    return frame


def screen(spark: SparkSession, accounts: str | Path | DataFrame, snapshot_root: Path, snapshot_id: str,
           config: MatchConfig, *, floor: float, entries: Iterable[tuple[str, str]] | None = None,
           partitions: int | None = None, expand: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
           batch_rows: int = BATCH_ROWS) -> SparkRun:
    """Screen the accounts on Spark against one published snapshot; hits at or above `floor`.

    `expand` turns a batch of accounts into the rows to query (the run ledger's long-name windows); an
    account may then hit an entry more than once, and the caller keeps the best."""
    from pyspark.sql import functions as F
    from pyspark.sql.pandas.types import from_arrow_schema

    frame = read_accounts(spark, accounts)
    n_parts = partitions or max(2 * spark.sparkContext.defaultParallelism, 1)
    ordered = frame.repartitionByRange(n_parts, F.col("name").asc_nulls_last())
    population, pop_hash = population_digest(frame.select(F.col("account_id").cast("string")).toArrow().column(0))
    wanted = sorted({(str(s), str(i)) for s, i in entries}) if entries is not None else None
    fn = functools.partial(_screen_partition, str(snapshot_root), snapshot_id, config, floor, wanted, expand)
    schema = from_arrow_schema(pl.DataFrame(schema=HIT_SCHEMA).to_arrow().schema)
    previous = spark.conf.get(ARROW_BATCH)
    spark.conf.set(ARROW_BATCH, str(batch_rows))
    try:
        table = ordered.mapInArrow(fn, schema).toArrow()
    finally:
        spark.conf.set(ARROW_BATCH, previous)
    hits = pl.from_arrow(table) if table.num_rows else pl.DataFrame(schema=HIT_SCHEMA)
    assert isinstance(hits, pl.DataFrame)
    return SparkRun(hits=hits.cast(HIT_SCHEMA), population=population, population_sha256=pop_hash,
                    spark_version=spark.version, master=spark.sparkContext.master, partitions=n_parts)


def population_digest(ids: pa.ChunkedArray, chunk: int = 1_000_000) -> tuple[int, str]:
    """The population as the local ledger defines it: the count, and the SHA-256 of the sorted ids joined
    by newlines. Sorted on the driver (polars, the local engine's order) and hashed a million at a time,
    so ten million ids never become one string or ten million Python objects."""
    sorted_ids = pl.Series(ids).cast(pl.String).sort()
    digest = hashlib.sha256()
    for start in range(0, len(sorted_ids), chunk):
        if start:
            digest.update(b"\n")
        digest.update(sorted_ids.slice(start, chunk).str.join("\n").item().encode())
    return len(sorted_ids), digest.hexdigest()


def _screen_partition(root: str, snapshot_id: str, config: MatchConfig, floor: float,
                      entries: list[tuple[str, str]] | None, expand: Callable[[pl.DataFrame], pl.DataFrame] | None,
                      batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Runs on an executor: one partition's accounts through the local engine's batch function."""
    from screening.matching.query import prepare_queries
    from screening.matching.screen import entry_mask_of, screen_batch

    index = _worker_index(root, snapshot_id, config)
    mask = entry_mask_of(index, entries)
    worker_config = config.replace(workers=1)  # one task per core: no thread pool inside a task
    for batch in batches:
        accounts = pl.from_arrow(batch)
        assert isinstance(accounts, pl.DataFrame)
        if accounts.height == 0:
            continue
        queries = accounts.with_columns(pl.col("account_id").cast(pl.String))
        prepared = prepare_queries(expand(queries) if expand is not None else queries, index)
        hits = screen_batch(index, prepared, worker_config, floor=floor, entry_mask=mask)
        yield from hits.cast(HIT_SCHEMA).to_arrow().to_batches()


@functools.lru_cache(maxsize=2)
def _worker_index(root: str, snapshot_id: str, config: MatchConfig) -> Any:
    """The snapshot's index, loaded once per Python worker (by content id)."""
    from screening.matching import snapshot

    return snapshot.load(Path(root), snapshot_id, config).index
