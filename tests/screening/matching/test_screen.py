"""The batch engine's worker processes: the same hits as one process, a worker that dies fails the screen,
and where workers cannot start the screen runs in the calling process.

Accounts: the distinct-names synthesiser (mixed scripts) with listed names of the bundled UN list among them.
The sizes are lowered so that a few thousand accounts go to real worker processes."""

from __future__ import annotations

import dataclasses
import gc
import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import polars as pl
import pytest

import screening.matching.screen as screen
from screening.accounts import normalise_accounts
from screening.evaluation.synth_distinct import distinct_accounts
from screening.exc import ScreeningError
from screening.matching import get_index
from screening.matching.candidates import MatchStats
from screening.matching.config import DEFAULT_CONFIG
from screening.matching.index import read_cached

LISTED = ["Eric Badege", "PAEK Chang Ho", "Umarov Doku Khamatovich", "Doku Umarov", "BADEGE, Eric"]


@pytest.fixture(scope="module")
def accounts() -> pl.DataFrame:
    base = normalise_accounts(distinct_accounts(2400, 7)).accounts
    planted = pl.Series([k * 400 for k in range(len(LISTED))])
    return base.with_columns(
        base["name"].scatter(planted, LISTED), base["subject_type"].scatter(planted, "person"))


def _small_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A few thousand accounts on worker processes, in tasks of a few hundred."""
    monkeypatch.setattr(screen, "PROCESS_MIN", 1000)
    monkeypatch.setattr(screen, "TASK_MIN", 300)


def test_tasks_cover_the_accounts_once_and_shrink_towards_the_end() -> None:
    for n, workers in ((1_000_000, 2), (55_000, 2), (2_000_000, 8), (10_001, 4)):
        bounds = screen.task_bounds(n, workers)
        sizes = [b - a for a, b in zip(bounds, bounds[1:])]
        assert bounds[0] == 0 and bounds[-1] == n and all(s > 0 for s in sizes)
        assert max(sizes) <= screen.TASK_MAX and min(sizes[:-1], default=screen.TASK_MIN) >= screen.TASK_MIN
        assert sizes == sorted(sizes, reverse=True)  # big first, small last: workers finish together
    assert screen.task_bounds(0, 2) == [0]


def _screen(ro_con, accounts: pl.DataFrame, workers: int, source: str | None = None
            ) -> tuple[pl.DataFrame, MatchStats, int]:
    """screen_chunks on `workers` cores; with `source`, a delta screen against that list's entries only."""
    config = DEFAULT_CONFIG.replace(workers=workers)
    index = get_index(ro_con, config)
    mask = None if source is None else screen.entry_mask_of(index, index.entries.filter(pl.col("source") == source))
    stats, calls = MatchStats(), []
    parts = screen.screen_chunks(accounts, index, config, floor=config.low, entry_mask=mask, stats=stats,
                                 progress=calls.append)
    hits = pl.concat(parts).sort("account_id", "source", "source_id")
    assert sum(calls) == accounts.height  # every account reported done, once
    return hits, stats, len(calls)


def test_worker_processes_give_the_hits_of_one_process(ro_con, accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    alone, alone_stats, alone_chunks = _screen(ro_con, accounts, workers=1)
    _small_tasks(monkeypatch)
    shared, shared_stats, tasks = _screen(ro_con, accounts, workers=2)
    assert alone_chunks == 1 and tasks == len(screen.task_bounds(accounts.height, 2)) - 1 > 2
    planted = [accounts["account_id"][k * 400] for k in range(len(LISTED))]
    assert alone.filter(pl.col("account_id").is_in(planted))["account_id"].n_unique() == len(LISTED)
    assert shared.equals(alone)
    assert shared_stats.rows == alone_stats.rows and shared_stats.candidates >= alone_stats.candidates > 0


def test_a_delta_screen_on_worker_processes_meets_only_its_entries(ro_con, accounts,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    everything, _, _ = _screen(ro_con, accounts, workers=1)
    assert set(everything["source"]) > {"un_sc"}  # other lists hit these accounts too
    alone, _, _ = _screen(ro_con, accounts, workers=1, source="un_sc")
    _small_tasks(monkeypatch)
    shared, _, tasks = _screen(ro_con, accounts, workers=2, source="un_sc")
    assert tasks > 2 and shared.height > 0 and set(shared["source"]) == {"un_sc"}
    assert shared.equals(alone)


def _workers_of(parent: int) -> list[int]:
    """Pids of this process's screen workers (the spawned children, not multiprocessing's resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(entry.name))
    return found


def test_a_worker_that_dies_fails_the_screen(ro_con, accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    _small_tasks(monkeypatch)
    config = DEFAULT_CONFIG.replace(workers=2)
    index = get_index(ro_con, config)
    killed: list[int] = []

    def kill_workers(_: int) -> None:  # after the first chunk comes back, the workers are killed
        if not killed:
            killed.extend(_workers_of(os.getpid()))
            for pid in killed:
                os.kill(pid, signal.SIGKILL)

    with pytest.raises(ScreeningError, match="worker process ended without its result"):
        screen.screen_chunks(accounts, index, config, floor=config.low, stats=MatchStats(), progress=kill_workers)
    assert killed


def test_where_workers_cannot_start_the_screen_runs_here(ro_con, accounts, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    alone, _, _ = _screen(ro_con, accounts, workers=1)
    not_a_folder = tmp_path / "tmp"
    not_a_folder.write_text("a file where the temporary folder should be")
    monkeypatch.setattr(tempfile, "tempdir", str(not_a_folder))  # the index file cannot be written
    monkeypatch.setattr(get_index(ro_con, DEFAULT_CONFIG.replace(workers=2)), "_file", None)  # nor linked
    _small_tasks(monkeypatch)
    hits, _, chunks = _screen(ro_con, accounts, workers=2)
    assert chunks == 1 and hits.equals(alone)  # one chunk, screened in this process: every account, same hits


def test_the_workers_index_file_is_a_link_to_the_cache_file_not_a_copy(ro_con, tmp_path: Path) -> None:
    """A screen's workers read the index from a link to its assembled-index cache file (no 150 MB copy in
    the temporary folder); an index without a cache file is written there, and reads back the same."""
    config = DEFAULT_CONFIG.replace(workers=2)
    index = get_index(ro_con, config)
    assert index._file is not None and index._file.exists()
    folder = screen._index_folder(index)
    with folder:
        assert Path(folder.name).parent == index._file.parent
        pool = screen._start_workers(Path(folder.name), index, 2, config, config.low, None)
        pool.shutdown(wait=True)
        assert (Path(folder.name) / "index.pickle").stat().st_ino == index._file.stat().st_ino
    assert not Path(folder.name).exists()
    copy = tmp_path / "copy"
    copy.mkdir()
    pool = screen._start_workers(copy, dataclasses.replace(index, _file=None), 2, config, config.low, None)
    pool.shutdown(wait=True)
    assert (copy / "index.pickle").stat().st_ino != index._file.stat().st_ino
    again = read_cached(copy / "index.pickle")
    assert again is not None and again.units.text.tolist() == index.units.text.tolist()


def test_a_folder_left_by_a_killed_screen_is_removed_by_the_next(ro_con) -> None:
    """A screen killed with -9 leaves its folder (a link or a copy of the index) beside the cache file; the
    next screen removes such folders once they are an hour old (workers read the file only at their start)."""
    index = get_index(ro_con, DEFAULT_CONFIG.replace(workers=2))
    cache = index._file.parent
    old, recent = cache / ".screening-killed", cache / ".screening-running"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "index.pickle").write_bytes(b"x")
    hour_ago = time.time() - screen.STALE_FOLDER_SECONDS - 60
    os.utime(old, (hour_ago, hour_ago))
    try:
        with screen._index_folder(index):
            assert not old.exists() and recent.exists()
    finally:
        shutil.rmtree(recent, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def test_a_worker_that_cannot_read_the_index_fails_the_screen(ro_con, accounts, monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    """The workers' index file fails its checksum (a corrupt cache file, linked as it is): the screen fails
    with one message, never screens with a half-read index nor hangs."""
    _small_tasks(monkeypatch)
    config = DEFAULT_CONFIG.replace(workers=2)
    index = get_index(ro_con, config)
    corrupt = tmp_path / "corrupt.pickle"
    corrupt.write_bytes(index._file.read_bytes()[:-1000] + b"\0" * 1000)
    with pytest.raises(ScreeningError, match="unable to read the index file"):
        screen.screen_chunks(accounts, dataclasses.replace(index, _file=corrupt), config, floor=config.low,
                             stats=MatchStats())


def test_workers_run_their_libraries_on_one_thread(ro_con, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker per core, each with polars' pool sized to one thread (not to every core, contending with
    the other workers); this process's environment is left as it was, and a setting the operator made stays."""
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "3")
    config = DEFAULT_CONFIG.replace(workers=2)
    index = get_index(ro_con, config)
    with screen._index_folder(index) as folder:
        pool = screen._start_workers(Path(folder), index, 2, config, config.low, None)
        try:
            assert {pool.submit(pl.thread_pool_size).result() for _ in range(4)} == {1}
            # the index loaded, the worker's objects are frozen out of the collector's full passes
            assert min(pool.submit(gc.get_freeze_count).result() for _ in range(4)) > 10_000
            seen = {pool.submit(os.getenv, "OPENBLAS_NUM_THREADS").result() for _ in range(4)}
            assert seen == {"3"}
        finally:
            pool.shutdown(wait=True)
    assert "POLARS_MAX_THREADS" not in os.environ and os.environ["OPENBLAS_NUM_THREADS"] == "3"


def test_a_worker_leaves_at_once_with_its_output_flushed() -> None:
    """`_leave` (a pool worker's atexit) skips the interpreter's teardown, so what the worker wrote but had not
    flushed must be flushed first: piped stdout is block-buffered and os._exit would drop it."""
    import subprocess
    import sys

    code = ("import sys; from screening.matching.screen import _leave; sys.stdout.write('sent'); "
            "sys.stderr.write('logged'); _leave(); print('after')")
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # piped stdout block-buffered
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=buffered)
    assert done.returncode == 0
    assert done.stdout == "sent" and done.stderr.endswith("logged")
