"""The Screener: one store's list index and freshness, held in memory for registration lookups.

The list index is the published snapshot (screening/matching/snapshot.py), loaded once per process
(per store) and shared by every thread, without opening the store: a writer holding the store never
makes a lookup wait or fail. A newer snapshot is noticed within `SCREENING_LOOKUP_REFRESH_SECONDS` and
loaded in the background while the old index keeps serving. Only when nothing was ever published (lists
loaded before snapshots existed) does the screener publish one itself, from a read-only look at the
store. Lookups fail closed: when a mandatory list is stale (the bundled snapshot, published longer ago
than its maximum publication age, or not checked within `max_age_hours`: lists/status.py, published as
the freshness file), no list could be loaded, the name has no letters or the birth date is impossible,
the decision is at least `review`, with the reason.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from screening import settings
from screening.matching.config import DEFAULT_CONFIG, MatchConfig
from screening.indexing import publish_if_changed
from screening.matching.snapshot import Snapshot, SnapshotReader
from screening.matching.query import prepare_record
from screening.matching.screen import screen_one
from screening.logs import get_logger
from screening.registration.decision import NO_USABLE_NAME, decide, parse_birth_date, stricter, usable_name

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
    screening_id: str = field(default_factory=lambda: uuid.uuid4().hex)  # the id of its lookup event
    snapshot_id: str | None = None  # the published index it was screened against

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Freshness:
    """When each mandatory source turns stale (None: stale already, for a reason time does not change)."""

    stale_at: dict[str, dt.datetime | None]
    reasons: dict[str, str]  # why, for sources stale when the freshness was published
    missing: list[str]  # mandatory sources with no version in force at all

    @classmethod
    def published(cls, data: dict | None) -> "_Freshness":
        """From the freshness file published beside the snapshots. No file: nothing is known to be fresh,
        so every lookup fails closed until a refresh publishes one."""
        if data is None:
            return cls({"lists": None}, {"lists": "no freshness published beside the index"}, [])
        return cls({s: dt.datetime.fromisoformat(at) if at else None for s, at in data.get("stale_at", {}).items()},
                   dict(data.get("reasons", {})), list(data.get("missing", [])))

    def stale(self, now: dt.datetime) -> dict[str, str]:
        """Mandatory sources stale at `now`, each with why."""
        out = {s: self.reasons.get(s) or (f"stale since {at:%Y-%m-%d %H:%M}" if at else "stale")
               for s, at in self.stale_at.items() if at is None or now >= at}
        out.update({s: "no version loaded" for s in self.missing})
        return out


class Screener:
    """One store's index and freshness, refreshed in the background; safe to share between threads."""

    def __init__(self, db: Path | str, config: MatchConfig = DEFAULT_CONFIG) -> None:
        self.db = str(db)
        self.config = config.replace(workers=1)  # one name: no thread pool inside rapidfuzz
        self.refresh_seconds = settings.lookup_refresh_seconds()
        self.reader = SnapshotReader(settings.snapshot_dir_for(Path(self.db)), self.config, self.refresh_seconds,
                                     cache_dir=settings.index_cache_dir_for(Path(self.db)))
        self._fresh: tuple[dict | None, _Freshness] = (None, _Freshness({}, {}, []))
        self._published_at = float("-inf")
        self._error: str | None = None

    # --- loading -------------------------------------------------------------------------

    def snapshot(self) -> tuple[Snapshot | None, dict | None]:
        """The published index this screener serves and the freshness read with it (None: not loaded)."""
        snapshot, freshness = self.reader.get()
        if snapshot is None and time.monotonic() - self._published_at >= self.refresh_seconds:
            self._published_at = time.monotonic()
            if self._publish_from_store():
                self.reader.refresh_now()
                snapshot, freshness = self.reader.get()
        return snapshot, freshness

    def _publish_from_store(self) -> bool:
        """Nothing published yet: publish the versions in force, read-only, without waiting for a writer."""
        if self.db == ":memory:" or not Path(self.db).exists():
            self._error = f"no screening store at {self.db}"
            return False
        try:
            con = duckdb.connect(self.db, read_only=True)
            try:
                if not con.execute("SELECT count(*) FROM current_versions").fetchall()[0][0]:
                    self._error = "no list version in force (run `screening lists refresh`)"
                    return False
                publish_if_changed(con, self.reader.root, self.config)
            finally:
                con.close()
        except Exception as exc:  # a locked or unmigrated store must not take the registration flow down
            self._error = f"{type(exc).__name__}: {exc}"
            log.warning("lookup could not publish a list index", store=self.db, error=self._error)
            return False
        return True

    def _current(self) -> tuple[Snapshot | None, _Freshness, str | None]:
        snapshot, freshness = self.snapshot()
        if snapshot is None:
            return None, _Freshness({}, {}, []), self._error or self.reader.error
        known, fresh = self._fresh
        if known is not freshness:  # parsed once per freshness file read
            fresh = _Freshness.published(freshness)
            self._fresh = (freshness, fresh)
        return snapshot, fresh, None

    def warm(self) -> "Screener":
        """Load now (at process start) instead of on the first lookup, and screen a listed name and one name
        of each script and subject type (WARM_UP): what a lookup builds or reads on first use (the key
        dict, the vocabulary's word masks, the normaliser's tables of each script, the compiled kernels
        read from their cache) is then ready before the first registration, which would otherwise wait
        tens to hundreds of milliseconds for it."""
        snapshot, _ = self.snapshot()
        if snapshot is not None and snapshot.index.names.height:
            self.lookup(str(snapshot.index.names["name"][0]))
            for name, subject_type in WARM_UP:
                self.lookup(name, subject_type=subject_type, birth_date="1970-01-01", country="CN")
        return self

    # --- the lookup ------------------------------------------------------------------------

    def lookup(self, name: str, *, subject_type: str | None = None, name_latin: str | None = None,
               birth_date: str | dt.date | None = None, country: str | None = None,
               nationality: str | None = None, id_number: str | None = None, id_type: str | None = None,
               min_score: float | None = None) -> LookupResult:
        """Screen one subject; never `clear` unless its name was screened against fresh lists."""
        started = time.perf_counter()
        snapshot, fresh, error = self._current()
        config = self.config
        dob, dob_reason = parse_birth_date(birth_date)
        checks = [dob_reason] if dob_reason else []
        if snapshot is None:
            return LookupResult("review", [f"lists unavailable: {error or 'no list store'}", *checks], [], [],
                                config.hash, elapsed_ms=_ms(started))
        index = snapshot.index
        names = [n for n in (name, name_latin) if usable_name(n)]
        shown = None
        if names:
            record = {"subject_type": subject_type, "name": names[0], "name_latin": names[1] if len(names) > 1 else None,
                      "birth_date": dob, "country": _upper(country), "nationality": _upper(nationality),
                      "id_type": id_type, "id_number": id_number}
            floor = config.review if min_score is None else float(min_score)
            shown = screen_one(index, prepare_record(record, index), config, floor=floor)
        else:
            checks.insert(0, NO_USABLE_NAME)
        decision, reasons = decide(shown) if shown is not None else ("clear", [])
        stale = fresh.stale(dt.datetime.now())
        if stale:
            checks.append("lists stale: " + ", ".join(f"{s} ({why})" for s, why in stale.items()))
        if checks:
            decision, reasons = stricter(decision, "review"), reasons + checks
        return LookupResult(
            decision=decision, reasons=reasons, hits=shown or [],
            list_versions=index.versions_used(), config_hash=config.hash, stale_sources=sorted(stale),
            elapsed_ms=_ms(started), snapshot_id=snapshot.snapshot_id,
        )


# invented names, one per script and subject type a lookup meets (Screener.warm)
WARM_UP = (("王伟", "person"), ("김민준", "person"), ("محمد علي", "person"), ("Иван Петров", "person"),
           ("ヤマダ タロウ", "person"), ("John Smith", None), ("Acme Trading Co., Ltd.", "organization"),
           ("北京示例科技有限公司", "organization"))


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
