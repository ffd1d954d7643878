"""The Screener: one store's list index and freshness, held in memory for registration lookups.

The list index is loaded once per process (per store) and shared by every thread; a newer list
version in the store is noticed within `SCREENING_LOOKUP_REFRESH_SECONDS` and loaded in the
background while the old index keeps serving. The store is opened read-only and only briefly, so
the scheduler can keep writing to it. Lookups fail closed: when a mandatory list has not been
checked successfully within its `max_age_hours` (lists/spec.py), or no list could be loaded, the
decision is `review` with the reason "lists stale" (or "lists unavailable").
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from screening import settings
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.cache import current_version_ids, get_index
from screening.matching.index import ListIndex
from screening.matching.query import prepare_record
from screening.matching.screen import screen_batch
from screening.registration.decision import decide
from screening.logs import get_logger

log = get_logger(__name__)


@dataclass
class LookupResult:
    """What the registration flow gets back: the decision, the hits with reasons, the evidence."""

    decision: str  # clear / review / block
    reasons: list[str]  # why the decision (hit bands, "lists stale: un_sc", …)
    hits: list[dict[str, Any]]
    list_versions: list[dict[str, Any]]
    config_hash: str
    stale_sources: list[str] = field(default_factory=list)
    eligibility: dict[str, Any] | None = None
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Freshness:
    """When each mandatory source turns stale (last successful publisher check + max age)."""

    stale_at: dict[str, dt.datetime]
    missing: list[str]  # mandatory sources with no version in force at all


class Screener:
    """One store's index and freshness, refreshed in the background; safe to share between threads."""

    def __init__(self, db: Path | str, config: MatchConfig = DEFAULT_CONFIG) -> None:
        self.db = str(db)
        self.config = config.replace(workers=1)  # one name: no thread pool inside rapidfuzz
        self.refresh_seconds = settings.lookup_refresh_seconds()
        self._index: ListIndex | None = None
        self._fresh = _Freshness({}, [])
        self._checked = 0.0
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._error: str | None = None

    # --- loading -------------------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self.db == ":memory:" or not Path(self.db).exists():
            raise FileNotFoundError(f"no screening store at {self.db}")
        return duckdb.connect(self.db, read_only=True)

    def _load(self) -> None:
        """Read freshness and (when the versions changed) the index; keeps the old one on failure."""
        try:
            con = self._connect()
            try:
                fresh = _freshness(con)
                versions = current_version_ids(con)
                index = self._index
                loaded = index is None or index.version_ids != versions
                if loaded:
                    index = get_index(con, self.config, build=False)
                    index.key_dict()
                    index.versions_used()
            finally:
                con.close()
            if loaded:
                # the index is hundreds of thousands of long-lived objects: move them out of the cyclic
                # collector's reach, else every full collection walks them (~100 ms pauses, the p99)
                gc.freeze()
        except Exception as exc:  # a locked or missing store must not take the registration flow down
            self._error = f"{type(exc).__name__}: {exc}"
            log.warning("lookup could not refresh", store=self.db, error=self._error)
            return
        with self._lock:
            self._index, self._fresh, self._error = index, fresh, None

    def _maybe_refresh(self) -> None:
        now = time.monotonic()
        if self._index is None:
            with self._lock:
                first = self._index is None and self._loading is None
                if first:
                    self._checked = now
            if first:
                self._load()
            return
        if now - self._checked < self.refresh_seconds:
            return
        with self._lock:
            if now - self._checked < self.refresh_seconds or (self._loading and self._loading.is_alive()):
                return
            self._checked = now
            self._loading = threading.Thread(target=self._load, name="lookup-refresh", daemon=True)
            self._loading.start()

    def warm(self) -> "Screener":
        """Load now (at process start) instead of on the first lookup."""
        self._maybe_refresh()
        return self

    # --- the lookup ------------------------------------------------------------------------

    def lookup(self, name: str, *, subject_type: str | None = None, name_latin: str | None = None,
               birth_date: str | dt.date | None = None, country: str | None = None,
               nationality: str | None = None, id_number: str | None = None, id_type: str | None = None,
               min_score: float | None = None) -> LookupResult:
        started = time.perf_counter()
        self._maybe_refresh()
        with self._lock:
            index, fresh, error = self._index, self._fresh, self._error
        config = self.config
        if index is None:
            return LookupResult("review", [f"lists unavailable: {error or 'no list store'}"], [], [], config.hash,
                                elapsed_ms=_ms(started))
        now = dt.datetime.now()
        stale = sorted([s for s, at in fresh.stale_at.items() if at is None or now >= at] + fresh.missing)
        record = {"subject_type": subject_type, "name": name, "name_latin": name_latin, "birth_date": birth_date,
                  "country": _upper(country), "nationality": _upper(nationality), "id_type": id_type,
                  "id_number": id_number}
        floor = config.review if min_score is None else float(min_score)
        hits = screen_batch(None, index, prepare_record(record, index), config, floor=floor)
        # most lookups hit nothing: skip the frame work (a polars drop/to_dicts costs ~1 ms)
        shown = hits.drop("account_id") if hits.height else None
        decision, reasons = decide(shown) if shown is not None else ("clear", [])
        if stale:
            reasons.append(f"lists stale: {', '.join(stale)}")
            if decision == "clear":
                decision = "review"
        return LookupResult(
            decision=decision, reasons=reasons, hits=shown.to_dicts() if shown is not None else [], list_versions=index.versions_used(),
            config_hash=config.hash, stale_sources=stale, elapsed_ms=_ms(started),
        )


def _freshness(con: duckdb.DuckDBPyConnection) -> _Freshness:
    """Mandatory sources and when each turns stale, from the store's fetch log (lists.status)."""
    from lists.status import source_status

    status = source_status(con)
    try:
        from lists import all_specs

        mandatory = {s.key: s.max_age_hours for s in all_specs() if s.mandatory}
    except Exception:  # the registry failed to import: treat every source in force as mandatory
        mandatory = {s: 48 for s in status["source"].to_list()}
    stale_at: dict[str, dt.datetime] = {}
    for row in status.iter_rows(named=True):
        if row["source"] not in mandatory:
            continue
        last = row.get("last_checked")
        stale_at[row["source"]] = None if last is None else last + dt.timedelta(hours=mandatory[row["source"]])
    missing = sorted(set(mandatory) - set(status["source"].to_list()))
    return _Freshness(stale_at, missing)


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else None


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)


_SCREENERS: dict[tuple[str, str], Screener] = {}
_SCREENERS_LOCK = threading.Lock()


def get_screener(db: Path | str | None = None, config: MatchConfig = DEFAULT_CONFIG) -> Screener:
    """The process-wide Screener of a store (SCREENING_DB, else the default path)."""
    path = str(db or settings.default_db_path())
    key = (path, config.hash + str(config.max_key_postings))
    with _SCREENERS_LOCK:
        screener = _SCREENERS.get(key)
        if screener is None:
            screener = _SCREENERS[key] = Screener(path, config)
    return screener
