"""The batch engine: accounts in bounded, name-ordered chunks against a list index, screened by worker
processes (one per core) or, for a small batch, in this process with each chunk prepared while the one
before it is matched. It writes nothing; the run ledger (`screening.runs`) records runs and hits."""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import polars as pl

from screening import exc
from screening.logs import get_logger
from screening.matching import blocking
from screening.matching.candidates import Candidates, MatchStats
from screening.matching.config import MatchConfig
from screening.matching.index import ListIndex, read_cached, write_cached
from screening.matching.matcher import best_rows, floors, match
from screening.matching.query import QUERY_COLUMNS, QueryBatch, prepare_queries

log = get_logger(__name__)


def entry_mask_of(index: ListIndex, entries: Iterable[tuple[str, str]] | pl.DataFrame | None) -> np.ndarray | None:
    """Boolean mask over the index's entries from (source, source_id) pairs; None = every entry."""
    if entries is None:
        return None
    if isinstance(entries, pl.DataFrame):
        pairs = zip(entries["source"].to_list(), entries["source_id"].to_list())
    else:
        pairs = entries
    mask = np.zeros(index.entries.height, dtype=bool)
    for pair in pairs:
        k = index.entry_ids.get((str(pair[0]), str(pair[1])))
        if k is not None:
            mask[k] = True
    return mask


def screen_batch(index: ListIndex, batch: QueryBatch, config: MatchConfig, *, floor: float,
                 entry_mask: np.ndarray | None = None, stats: MatchStats | None = None) -> pl.DataFrame:
    """Candidates (keys, identifiers, fallback), the bound, and the scored hits of a prepared batch (no run
    bookkeeping)."""
    stats = stats if stats is not None else MatchStats()
    cand = candidates(index, batch, config, floor=floor, entry_mask=entry_mask, stats=stats)
    return match(index, batch, cand, config, floor=floor, entry_mask=entry_mask, stats=stats)


def screen_one(index: ListIndex, batch: QueryBatch, config: MatchConfig, *, floor: float) -> list[dict] | None:
    """`screen_batch` for a lookup's batch of one: its hit rows as dicts (without account_id, best first),
    None when it hits nothing. The same candidates, scores and reasons; no frame built."""
    cand = candidates(index, batch, config, floor=floor)
    chosen = best_rows(index, batch, cand, config, floor=floor, trace=True)
    return None if chosen is None else chosen.rows(index, batch, cand, config)


def candidates(index: ListIndex, batch: QueryBatch, config: MatchConfig, *, floor: float,
               entry_mask: np.ndarray | None = None, stats: MatchStats | None = None) -> Candidates:
    """The pairs a batch scores: key joins, identifiers and the fallback, keyed pairs whose bound cannot
    reach `floor` left out. A handful of name forms (a lookup) look their keys up in the index's key dict;
    more join as arrays (compiled, `blocking.key_candidates_batch`): the same pairs either way."""
    stats = stats if stats is not None else MatchStats()
    unit_mask = blocking.unit_mask_for_entries(index, entry_mask) if entry_mask is not None else None
    if len(batch.units) > blocking.SMALL_BATCH:
        bkeys = blocking.batch_keys(batch, config, index)
        by_keys = blocking.key_candidates_batch(index, bkeys, config, unit_mask)
        cut = blocking.batch_cut_keys(index, batch, bkeys)
    else:
        qkeys = blocking.query_key_rows(batch, config)
        by_keys = blocking.key_candidates_dict(index, qkeys, unit_mask)
        cut = blocking.cut_keys(index, batch, qkeys)
    by_id = blocking.identifier_candidates(index, batch)
    found = Candidates.merge(by_keys, by_id)
    stats.candidates += len(found)
    lonely = blocking.names_without(batch, found)
    stats.fallback_names += len(lonely)
    by_fallback = blocking.fallback_candidates(index, batch, lonely, config, unit_mask)
    bound_floor = floors(config, floor)[1]
    bound = blocking.upper_bound(index, batch, by_keys, config, cut, bound_floor)
    cand = Candidates.merge(by_keys.take(np.flatnonzero(bound >= bound_floor)), by_id, by_fallback)
    stats.scored += len(cand)
    return cand


def name_order(accounts: pl.DataFrame) -> np.ndarray:
    """Row positions of the accounts sorted by name, so each chunk holds every account of its names.

    The matcher's work (normalising, keys, joins, scoring) is per distinct name form in a chunk; a name
    shared by accounts in five chunks would be done five times. On the synthetic million (420,000
    distinct names) this removes a third of that work. Positions, not a sorted copy: a chunk gathers
    its rows when it is prepared."""
    keys = [c for c in ("name", "name_latin") if c in accounts.columns]
    if not keys or accounts.height == 0:
        return np.arange(accounts.height)
    return accounts.select(pl.arg_sort_by(keys, nulls_last=True, maintain_order=True)).to_series().to_numpy()


def in_account_order(hits: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """Hits back in the order of the accounts given (each account's hits stay best first)."""
    if hits.height == 0:
        return hits
    rows = (accounts.select(pl.col("account_id").cast(pl.String)).with_row_index("_row")
            .unique("account_id", keep="first", maintain_order=True))
    return hits.join(rows, on="account_id", how="left").sort("_row", maintain_order=True).drop("_row")


def prepared_chunks(accounts: pl.DataFrame, index: ListIndex, size: int) -> Iterator[tuple[int, QueryBatch]]:
    """The accounts in chunks of `size` (in name order), each normalised (prepare_queries) while the one
    before it is matched.

    Normalising is polars, forked workers and dict lookups; matching is numpy, compiled kernels and rapidfuzz. A
    thread preparing the next chunk keeps the second core busy while the matcher waits on one. An error
    in the thread is raised here, at the chunk it belongs to.
    """
    order = name_order(accounts)
    chunks = [order[start:start + size] for start in range(0, len(order), size)]
    if not chunks:
        return
    with ThreadPoolExecutor(1, thread_name_prefix="prepare") as pool:
        pending = pool.submit(prepare_queries, accounts[chunks[0]], index)
        for k, rows in enumerate(chunks):
            batch = pending.result()
            if k + 1 < len(chunks):
                pending = pool.submit(prepare_queries, accounts[chunks[k + 1]], index)
            yield len(rows), batch


# A batch smaller than this stays in this process: a worker's start (imports, the index read) costs a
# couple of seconds, about what 25,000 accounts take to screen on one core.
PROCESS_MIN = 50_000
# Accounts per task, between these: a 2·workers-th of what is left (guided self-scheduling), so the last
# tasks are small and no worker waits long for another's. The cap bounds a worker's memory (its chunk's
# forms, candidates and cells): 1 M distinct accounts on 2 cores peaked at 2.8 GB in all with 25,000 against
# 3.4-3.5 GB with 60,000, in the same time; the floor keeps the per-task set-up small against the task.
TASK_MAX = 25_000
TASK_MIN = 10_000
# a worker reads its index file once, at its start: an hour on, a screen's folder is left over, not in use
STALE_FOLDER_SECONDS = 3600
# the thread-pool settings a worker process gets (polars, the BLAS numpy loads)
WORKER_THREADS_ENV = ("POLARS_MAX_THREADS", "OPENBLAS_NUM_THREADS")


def cores(config: MatchConfig) -> int:
    """Worker processes for a batch screen: `config.workers`, or (-1) the cores this process may use."""
    if config.workers >= 1:
        return config.workers
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def screen_chunks(accounts: pl.DataFrame, index: ListIndex, config: MatchConfig, *, floor: float,
                  entry_mask: np.ndarray | None = None, stats: MatchStats,
                  progress: Callable[[int], None] = lambda n: None) -> list[pl.DataFrame]:
    """Every account screened, in name-ordered chunks: the hits of each chunk (chunk order); `stats` summed.

    On several cores the chunks go to worker processes, one per core, each screening its chunk with no
    threads of its own. Threads in one process could not do this: normalising and the matcher's glue are
    Python and hold the lock, so one process used about 1.3 cores. The workers are started, not forked
    (a forked child of a process whose polars threads ran deadlocks on its first polars call), and are sent
    the index once. A worker that dies fails the screen (exc.ScreeningError); nothing is half-returned.
    Where workers cannot start (no room for the index file, no process semaphores) the screen runs here."""
    workers = cores(config) if accounts.height >= PROCESS_MIN else 1
    if workers < 2:
        return _in_this_process(accounts, index, config, floor, entry_mask, stats, progress)
    tmp = None
    try:
        tmp = _index_folder(index)
        pool = _start_workers(Path(tmp.name), index, workers, config, floor, entry_mask)
    except OSError as error:  # no room for the index file, no process semaphores: slower, never unscreened
        if tmp is not None:
            tmp.cleanup()
        log.warning("worker processes unavailable; screening in this process", error=type(error).__name__)
        return _in_this_process(accounts, index, config, floor, entry_mask, stats, progress)
    with tmp:
        try:  # the workers start and read the index while the accounts are put in name order
            order = name_order(accounts)
            bounds = task_bounds(len(order), workers, min(config.chunk_size, TASK_MAX))
            tasks = [order[start:end] for start, end in zip(bounds, bounds[1:])]
            # at most two chunks per worker in flight: each is a copy of its accounts' columns the matcher reads
            sent = accounts.select([c for c in QUERY_COLUMNS if c in accounts.columns])
            return _in_workers(pool, 2 * workers, (sent[rows] for rows in tasks), stats, progress)
        except BrokenProcessPool as error:
            raise exc.ScreeningError(
                "a screening worker process ended without its result (killed, out of memory, unable to read the "
                "index file, or started from a script without an `if __name__ == \"__main__\":` guard): the "
                "screen did not finish") from error
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _index_folder(index: ListIndex) -> tempfile.TemporaryDirectory:
    """A folder of this screen's own for the workers' index file: beside the index's cache file when it has
    one (a hard link there is no copy; the file stays whole should a list refresh replace the cache), else
    in the system's temporary folder."""
    if index._file is not None:
        for left in index._file.parent.glob(".screening-*"):  # by a screen killed before it could clean up
            with contextlib.suppress(OSError):
                if time.time() - left.stat().st_mtime > STALE_FOLDER_SECONDS:
                    shutil.rmtree(left, ignore_errors=True)
        try:
            return tempfile.TemporaryDirectory(prefix=".screening-", dir=index._file.parent)
        except OSError:
            pass
    return tempfile.TemporaryDirectory(prefix="screening-")


def _start_workers(folder: Path, index: ListIndex, workers: int, config: MatchConfig, floor: float,
                   entry_mask: np.ndarray | None) -> ProcessPoolExecutor:
    """The pool, its workers already starting; the index put once into `folder` (the assembled-index cache
    file, checksum and all: linked when the index has one, else written), where every worker reads it."""
    index_file = folder / "index.pickle"
    if not (_linked(index._file, index_file) or write_cached(index_file, index)):
        raise OSError(f"the index could not be written into {folder}")
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init,
                               initargs=(index_file, config.replace(workers=1), floor, entry_mask))
    with _one_thread_each():
        for _ in range(workers):  # a process is started per task submitted while none is idle
            pool.submit(int)
    return pool


_ENV_LOCK = threading.Lock()


@contextlib.contextmanager
def _one_thread_each() -> Iterator[None]:
    """Processes started inside run their libraries' thread pools (polars, numpy's BLAS) on one thread:
    there is a worker per core already, and a pool per worker sized to every core only contended with the
    other workers (measured: 3–5 % of a distinct-names screen). The pools are sized when the libraries are
    imported, so the setting goes into the child's environment; a value the operator set is kept."""
    with _ENV_LOCK:
        unset = [name for name in WORKER_THREADS_ENV if name not in os.environ]
        for name in unset:
            os.environ[name] = "1"
        try:
            yield
        finally:
            for name in unset:
                os.environ.pop(name, None)


def _linked(source: Path | None, target: Path) -> bool:
    if source is None:
        return False
    try:
        os.link(source, target)
        return True
    except OSError:  # another file system, no links there, the file gone: it is written instead
        return False


def _in_this_process(accounts: pl.DataFrame, index: ListIndex, config: MatchConfig, floor: float,
                     entry_mask: np.ndarray | None, stats: MatchStats,
                     progress: Callable[[int], None]) -> list[pl.DataFrame]:
    """The chunks screened here, one after another (each prepared in a thread while the one before is matched)."""
    parts = []
    for size, batch in prepared_chunks(accounts, index, config.chunk_size):
        parts.append(screen_batch(index, batch, config, floor=floor, entry_mask=entry_mask, stats=stats))
        progress(size)
    return parts


def task_bounds(n: int, workers: int, largest: int = TASK_MAX) -> list[int]:
    """Offsets cutting n name-ordered accounts into tasks: each a 2·workers-th of what is left, between
    TASK_MIN and `largest` accounts (the first offset 0, the last n)."""
    bounds = [0]
    while bounds[-1] < n:
        left = n - bounds[-1]
        bounds.append(bounds[-1] + min(left, largest, max(TASK_MIN, left // (2 * workers))))
    return bounds


def _in_workers(pool: ProcessPoolExecutor, window: int, chunks: Iterator[pl.DataFrame], stats: MatchStats,
                progress: Callable[[int], None]) -> list[pl.DataFrame]:
    """The chunks' hits in chunk order, at most `window` chunks submitted at a time."""
    results: dict[int, pl.DataFrame] = {}
    pending: dict[Future, int] = {}

    def collect() -> None:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            hits, counts, size = future.result()
            results[pending.pop(future)] = hits
            stats.add(counts)
            progress(size)

    for k, chunk in enumerate(chunks):
        while len(pending) >= window:
            collect()
        pending[pool.submit(_screen_task, chunk)] = k
    while pending:
        collect()
    return [results[k] for k in sorted(results)]


_worker: tuple[ListIndex, MatchConfig, float, np.ndarray | None] | None = None  # set in a worker process


def _worker_init(index_file: Path, config: MatchConfig, floor: float, entry_mask: np.ndarray | None) -> None:
    global _worker
    index = read_cached(index_file)
    if index is None:  # the pool breaks: the screen fails, nothing half-screened
        raise exc.ScreeningError(f"a screening worker could not read the index file {index_file}")
    _worker = (index, config, floor, entry_mask)
    # The index's objects live as long as the worker: kept out of the collector's full passes, which walked
    # them every few batches (measured: 0.57 s of gen-2 collection per 200,000 accounts, 0.04 s frozen).
    gc.freeze()
    atexit.register(_leave)


def _leave() -> None:
    """A worker's way out once the pool stops it: every result is sent by then (each through the pipe before
    the next task is taken), so only logs and output are flushed and the heap is left to the system. Tearing
    down the index object by object kept the screen waiting some 0.7 s at its end."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _screen_task(accounts: pl.DataFrame) -> tuple[pl.DataFrame, MatchStats, int]:
    assert _worker is not None, "not a worker process"
    index, config, floor, entry_mask = _worker
    stats = MatchStats()
    hits = screen_batch(index, prepare_queries(accounts, index), config, floor=floor, entry_mask=entry_mask,
                        stats=stats)
    return hits, stats, accounts.height
