"""The published list index: an immutable, content-addressed snapshot in files that readers load
without opening the store.

DuckDB lets one process write a file, and while it writes no other process can open it.
So after every list change the writer publishes what `assemble_index` needs as Parquet files in a
folder named by the content (`<root>/<snapshot_id>/`, written under a temporary name and renamed into
place), then switches `<root>/CURRENT` to it with an atomic rename. A reader (`SnapshotReader`) loads
the folder `CURRENT` names, verifies every file against the manifest's SHA-256 and keeps serving the
index it has until a newer one is fully loaded: a write in progress never makes it "unavailable".

Assembling the index from the Parquet files takes seconds (tens on a busy machine), so a reader given
a cache folder (`settings.index_cache_dir_for`, `index-cache/snapshots/` beside the store) keeps the
assembled index there as one file named by the snapshot's content and the settings that shape it
(index.py's cache file: SHA-256 header, written under a temporary name and renamed); the next process
loads that file instead. A file that is corrupt or does not belong to the snapshot is rebuilt, never
served.

Freshness (when each mandatory list was last checked with its publisher) changes hourly without a new
list version, so it is published beside the snapshots as `freshness.json`, by the same atomic rename.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

from screening import exc
from screening.logs import get_logger
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.index import ListIndex, assemble_index, read_cached, read_index_inputs, write_cached
from screening.matching.index_store import is_read_only

log = get_logger(__name__)

FORMAT = "1"
FRAMES = ("forms", "versions", "entries", "dobs", "countries", "identifiers", "keys")
CURRENT = "CURRENT"
FRESHNESS = "freshness.json"
KEEP = 3  # snapshots kept besides the current one (a reader may still be loading one of them)


@dataclass(frozen=True)
class Published:
    snapshot_id: str
    path: Path
    created: bool  # False: that content was already published (only the pointer moved, if at all)
    versions: list[dict]


@dataclass
class Snapshot:
    """A loaded snapshot: its id, manifest and the index built from it."""

    snapshot_id: str
    manifest: dict[str, Any]
    index: ListIndex


def snapshot_id_of(versions: pl.DataFrame, index_key: str) -> str:
    """The content address: the list versions in force (by content hash) and the normaliser's key."""
    parts = [FORMAT, index_key] + [f"{r['source']}:{r['sha256']}" for r in versions.sort("source").to_dicts()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


def publish(con: duckdb.DuckDBPyConnection, root: Path, config: MatchConfig = DEFAULT_CONFIG) -> Published:
    """Publish the versions in force as a snapshot and make it current (the freshness file beside it is
    written by `screening.indexing.write_freshness`, which knows the lists' rules).

    Reads the store (one transaction; a read-only connection will do) and writes only under `root`.
    """
    root.mkdir(parents=True, exist_ok=True)
    read_at = time.time()  # a publisher that read the store later wins the pointer (see _switch)
    inputs = read_index_inputs(con, config, build=not is_read_only(con))
    versions: pl.DataFrame = inputs["versions"]
    sid = snapshot_id_of(versions, inputs["key"])
    target = root / sid
    created = False
    if not (target / "manifest.json").exists():
        tmp = root / f".tmp-{sid}-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        files = {}
        for name in FRAMES:
            path = tmp / f"{name}.parquet"
            inputs[name].write_parquet(path)
            files[path.name] = _sha256(path)
        manifest = {
            "snapshot_id": sid, "format": FORMAT, "index_key": inputs["key"],
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            "versions": _jsonable(versions.to_dicts()), "files": files,
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        try:
            os.rename(tmp, target)
            created = True
        except OSError:  # another publisher got there first with the same content
            shutil.rmtree(tmp, ignore_errors=True)
    _switch(root, sid, read_at)
    _prune(root, sid)
    if created:
        log.info("index snapshot published", snapshot_id=sid, versions=versions.height)
    return Published(sid, target, created, _jsonable(versions.to_dicts()))


def current_id(root: Path) -> str | None:
    try:
        lines = (root / CURRENT).read_text(encoding="utf-8").split()
        return lines[0] if lines else None
    except FileNotFoundError:
        return None


# loaded snapshots by (content address, matching settings): the same lists published under another root
# (another store with the same versions) are not assembled twice in one process
_LOADED: dict[tuple[str, str], Snapshot] = {}  # key: (snapshot id, every matching setting)
_LOADED_LOCK = threading.Lock()
_LOADED_SIZE = 2


def load(root: Path, snapshot_id: str | None = None, config: MatchConfig = DEFAULT_CONFIG,
         cache_dir: Path | None = None) -> Snapshot:
    """Load a snapshot (default: the current one), checking every file against its manifest; with
    `cache_dir`, from its assembled index kept there when there is a good one (else assembled and kept)."""
    sid = snapshot_id or current_id(root)
    if sid is None:
        raise exc.StoreError(f"no list index published under {root}: run `screening lists refresh` "
                             "or `screening jobs run lists.refresh`")
    with _LOADED_LOCK:
        cached = _LOADED.get((sid, _settings_key(config)))
    if cached is not None:
        return cached
    folder = root / sid
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise exc.StoreError(f"list index snapshot {sid} is missing under {root}") from error
    from screening.matching.index_store import index_key

    if manifest.get("index_key") != index_key(config):  # query forms would not meet the listed ones
        raise exc.StoreError(f"list index snapshot {sid} was built by another normaliser version: "
                             "it is republished by the next list refresh or lookup start")
    kept = assembled_path(cache_dir, manifest, config) if cache_dir is not None else None
    index = _read_assembled(kept, manifest) if kept is not None else None
    if index is None:
        frames = {}
        for name in FRAMES:
            path = folder / f"{name}.parquet"
            if _sha256(path) != manifest["files"].get(path.name):
                raise exc.StoreError(f"list index snapshot {sid}: {path.name} does not match its manifest")
            frames[name] = pl.read_parquet(path)
        index = assemble_index(config=config, key=manifest["index_key"], **frames)
        if kept is not None:
            write_cached(kept, index)
    snapshot = Snapshot(sid, manifest, index)
    with _LOADED_LOCK:
        _LOADED[(sid, _settings_key(config))] = snapshot
        while len(_LOADED) > _LOADED_SIZE:
            _LOADED.pop(next(iter(_LOADED)))
    return snapshot


ASSEMBLED_FORMAT = "2"  # 2: the units of each cut key


def assembled_path(cache_dir: Path, manifest: dict[str, Any], config: MatchConfig) -> Path:
    """The file of a snapshot's assembled index under `cache_dir`, named by everything it is made of: the
    snapshot's files (by SHA-256), the normaliser's key, every setting but the thread count, and the
    library versions whose objects it pickles."""
    settings = {k: v for k, v in config.to_dict().items() if k != "workers"}
    blob = json.dumps([ASSEMBLED_FORMAT, manifest["snapshot_id"], manifest["index_key"], manifest["files"], settings,
                       pl.__version__, np.__version__, sys.version], sort_keys=True, default=str)
    return Path(cache_dir) / "snapshots" / f"{hashlib.sha256(blob.encode()).hexdigest()[:24]}.pickle"


def _read_assembled(path: Path, manifest: dict[str, Any]) -> ListIndex | None:
    """The assembled index kept at `path` when it is intact (index.py checks its SHA-256) and is this
    snapshot's: its normaliser key and list versions (by content) are the manifest's."""
    index = read_cached(path)
    if index is None:
        return None
    expected = sorted((v["source"], v["sha256"]) for v in manifest["versions"])
    if index.index_key != manifest["index_key"] or sorted(index.versions.select("source", "sha256").rows()) != expected:
        log.warning("assembled index cache belongs to another snapshot; rebuilding", path=str(path))
        return None
    return index


def clear_cache() -> None:
    """Forget loaded snapshots (tests; a process that wants every file checked again)."""
    with _LOADED_LOCK:
        _LOADED.clear()


# --- freshness ---------------------------------------------------------------------------------


def stale_sources(freshness: dict, now: dt.datetime | None = None) -> list[str]:
    """Mandatory sources that are stale at `now` (local time, like the store's timestamps) or missing."""
    now = now or dt.datetime.now()
    stale = [s for s, at in freshness.get("stale_at", {}).items() if at is None or now >= dt.datetime.fromisoformat(at)]
    return sorted(set(stale) | set(freshness.get("missing", [])))


def read_freshness(root: Path) -> dict | None:
    try:
        return json.loads((root / FRESHNESS).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def write_freshness(root: Path, freshness: dict) -> None:
    """Write what `read_freshness` reads, by an atomic rename: a reader sees the old file or the new one."""
    root.mkdir(parents=True, exist_ok=True)
    _write_atomic(root / FRESHNESS, json.dumps(freshness, indent=1))


# --- the reader --------------------------------------------------------------------------------


class SnapshotReader:
    """The current snapshot of one root, for a serving process; safe to share between threads.

    `get()` never waits for a load once an index is there: every `refresh_seconds` it looks at
    `CURRENT`, and a new id is loaded in a background thread while the old index keeps serving.
    """

    def __init__(self, root: Path, config: MatchConfig = DEFAULT_CONFIG, refresh_seconds: float = 30.0,
                 cache_dir: Path | None = None) -> None:
        self.root = Path(root)
        self.cache_dir = cache_dir  # where assembled indexes are kept (see `load`); None: assembled every time
        self.config = config
        self.refresh_seconds = refresh_seconds
        self._snapshot: Snapshot | None = None
        self._freshness: dict | None = None
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self.error: str | None = None

    def get(self) -> tuple[Snapshot | None, dict | None]:
        """The snapshot in use (None until the first load succeeded) and the freshness read with it."""
        if self._snapshot is None:
            with self._lock:  # the first load is the one a caller waits for
                if self._snapshot is None:
                    self._checked = time.monotonic()
                    self._load()
        elif time.monotonic() - self._checked >= self.refresh_seconds:
            with self._lock:
                due = time.monotonic() - self._checked >= self.refresh_seconds
                if due and not (self._loading and self._loading.is_alive()):
                    self._checked = time.monotonic()
                    self._loading = threading.Thread(target=self._load, name="snapshot-refresh", daemon=True)
                    self._loading.start()
        return self._snapshot, self._freshness

    def refresh_now(self) -> Snapshot | None:
        """Look for a new snapshot now and wait for it (tests, and `jobs` in the serving process)."""
        with self._lock:
            self._checked = time.monotonic()
            self._load()
        return self._snapshot

    def _load(self) -> None:
        try:
            freshness = read_freshness(self.root)
            sid = current_id(self.root)
            snapshot = self._snapshot
            if sid is not None and (snapshot is None or snapshot.snapshot_id != sid):
                snapshot = load(self.root, sid, self.config, self.cache_dir)
                snapshot.index.key_dict()
                snapshot.index.versions_used()
                # hundreds of thousands of long-lived objects: out of the cyclic collector's reach, else
                # every full collection walks them (~100 ms pauses, the lookup p99)
                gc.freeze()
                log.info("index snapshot loaded", snapshot_id=sid)
            elif sid is None:
                raise exc.StoreError(f"no list index published under {self.root}")
        except Exception as error:  # keep serving what we have; say why the new one did not come
            self.error = f"{type(error).__name__}: {error}"
            log.warning("index snapshot not loaded", root=str(self.root), error=self.error)
            return
        self._snapshot, self._freshness, self.error = snapshot, freshness, None


# --- files -------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _switch(root: Path, sid: str, read_at: float) -> None:
    """Point CURRENT at `sid` (second line: when its publisher read the store), unless the pointer was
    set by a publisher that read the store after ours did: two publishers racing, the slower one must
    not put an older state back."""
    try:
        lines = (root / CURRENT).read_text(encoding="utf-8").split()
        theirs = float(lines[1]) if len(lines) > 1 else 0.0
    except (FileNotFoundError, ValueError):
        theirs = 0.0
    if theirs > read_at:
        log.info("index snapshot not switched: a newer one is current", snapshot_id=sid)
        return
    _write_atomic(root / CURRENT, f"{sid}\n{read_at!r}\n")


def _prune(root: Path, current: str) -> None:
    """Drop snapshots beyond the newest KEEP (never the current one)."""
    folders = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name != current),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)


def _jsonable(rows: list[dict]) -> list[dict]:
    return [{k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in r.items()} for r in rows]


def _settings_key(config: MatchConfig) -> str:
    """Every setting (not only the scoring ones the config hash covers: max_key_postings shapes the index)."""
    return json.dumps(config.to_dict(), sort_keys=True, default=str)
