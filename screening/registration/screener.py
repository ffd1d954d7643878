"""The Screener: one store's list index and freshness, held in memory for registration lookups.

The list index is loaded once per process (per store) and shared by every thread; a newer list
version in the store is noticed within `SCREENING_LOOKUP_REFRESH_SECONDS` and loaded in the
background while the old index keeps serving. The store is opened read-only and only briefly, so
the scheduler can keep writing to it. Lookups fail closed: when a mandatory list is stale (the
bundled snapshot, published longer ago than its maximum publication age, or not checked within
`max_age_hours`: lists/status.py), no list could be loaded, the name has no letters or the birth
date is impossible, the decision is at least `review`, with the reason.
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
import polars as pl

from lists.status import freshness_limits, source_status
from screening import settings
from screening.exc import ScreeningError, StoreError
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.matching.cache import current_version_ids, get_index
from screening.matching.index import ListIndex
from screening.matching.query import prepare_record
from screening.matching.screen import screen_batch
from screening.registration.decision import NO_USABLE_NAME, decide, parse_birth_date, stricter, usable_name
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
    """When each mandatory source turns stale (None: stale already, for a reason time does not change)."""

    stale_at: dict[str, dt.datetime | None]
    reasons: dict[str, str]  # why, for sources stale when the store was read
    missing: list[str]  # mandatory sources with no version in force at all

    def stale(self, now: dt.datetime) -> dict[str, str]:
        """Mandatory sources stale at `now`, each with why."""
        out = {s: self.reasons.get(s) or f"stale since {at:%Y-%m-%d %H:%M}"
               for s, at in self.stale_at.items() if at is None or now >= at}
        out.update({s: "no version loaded" for s in self.missing})
        return out


class Screener:
    """One store's index and freshness, refreshed in the background; safe to share between threads."""

    def __init__(self, db: Path | str, config: MatchConfig = DEFAULT_CONFIG) -> None:
        self.db = str(db)
        self.config = config.replace(workers=1)  # one name: no thread pool inside rapidfuzz
        self.refresh_seconds = settings.lookup_refresh_seconds()
        self._index: ListIndex | None = None
        self._fresh = _Freshness({}, {}, [])
        self._checked = 0.0
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._error: str | None = None

    # --- loading -------------------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        if self.db == ":memory:" or not Path(self.db).exists():
            raise StoreError(f"no screening store at {self.db}")
        return duckdb.connect(self.db, read_only=True)

    def _load(self) -> None:
        """Read freshness and (when the versions changed) the index; keeps the old one on failure."""
        try:
            con = self._connect()
            try:
                versions = current_version_ids(con)
                if not versions:
                    raise StoreError("no list version in force (run `screening lists refresh`)")
                fresh = _freshness(con)
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
            self._error = str(exc) if isinstance(exc, ScreeningError) else f"{type(exc).__name__}: {exc}"
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
        """Screen one subject; never `clear` unless its name was screened against fresh lists."""
        started = time.perf_counter()
        self._maybe_refresh()
        with self._lock:
            index, fresh, error = self._index, self._fresh, self._error
        config = self.config
        dob, dob_reason = parse_birth_date(birth_date)
        checks = [dob_reason] if dob_reason else []
        if index is None:
            return LookupResult("review", [f"lists unavailable: {error or 'no list store'}", *checks], [], [],
                                config.hash, elapsed_ms=_ms(started))
        names = [n for n in (name, name_latin) if usable_name(n)]
        shown = None
        if names:
            record = {"subject_type": subject_type, "name": names[0], "name_latin": names[1] if len(names) > 1 else None,
                      "birth_date": dob, "country": _upper(country), "nationality": _upper(nationality),
                      "id_type": id_type, "id_number": id_number}
            floor = config.review if min_score is None else float(min_score)
            hits = screen_batch(None, index, prepare_record(record, index), config, floor=floor)
            # most lookups hit nothing: skip the frame work (a polars drop/to_dicts costs ~1 ms)
            shown = hits.drop("account_id") if hits.height else None
        else:
            checks.insert(0, NO_USABLE_NAME)
        decision, reasons = decide(shown) if shown is not None else ("clear", [])
        stale = fresh.stale(dt.datetime.now())
        if stale:
            checks.append("lists stale: " + ", ".join(f"{s} ({why})" for s, why in stale.items()))
        if checks:
            decision, reasons = stricter(decision, "review"), reasons + checks
        return LookupResult(
            decision=decision, reasons=reasons, hits=shown.to_dicts() if shown is not None else [],
            list_versions=index.versions_used(), config_hash=config.hash, stale_sources=sorted(stale),
            elapsed_ms=_ms(started),
        )


def _freshness(con: duckdb.DuckDBPyConnection) -> _Freshness:
    """Mandatory sources, when each turns stale and why (lists.status: publisher date and last check)."""
    status = source_status(con).filter(pl.col("mandatory"))
    limits = freshness_limits()
    mandatory = set(limits.filter(pl.col("mandatory"))["source"].to_list())
    return _Freshness(
        stale_at={r["source"]: r["stale_at"] for r in status.iter_rows(named=True)},
        reasons={r["source"]: r["stale_reason"] for r in status.iter_rows(named=True) if r["stale_reason"]},
        missing=sorted(mandatory - set(status["source"].to_list())),
    )


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
