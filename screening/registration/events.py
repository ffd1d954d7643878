"""Lookup events: the onboarding screening record, written without touching the store.

Every `lookup()` (in-process, by default) and every API lookup appends its event: who (the name, the
keyed hash of the ID number, never the number), when, against which list versions and configuration,
the decision and its hits. The request path appends one JSON line per lookup to a spool file of its own process (one `write` on
an O_APPEND descriptor: no store lock, no queue to lose) and moves on. The file rotates every
`rotate_seconds`: `active-<pid>-<n>.jsonl` becomes `ready-…`. The `lookups.fold` job folds ready files,
and the active files of processes that are gone (a crash), into `lookup_events` in one transaction,
skipping ids already there, then deletes them; a torn last line from a crash is skipped and logged.
"""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import hashlib
import hmac
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from pydantic_core import to_json

from screening import settings
from screening.logs import get_logger
from screening.store import Store, session, transaction

log = get_logger(__name__)

COLUMNS = ("screening_id", "looked_up_at", "client", "account_id", "subject_type", "name", "birth_date", "country",
           "id_type", "id_hash", "decision", "reasons", "hits", "list_versions", "config_hash", "snapshot_id",
           "stale_sources", "took_ms")


class Spool:
    """Append-only spool of one process."""

    def __init__(self, folder: Path, rotate_seconds: float = 10.0) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.rotate_seconds = rotate_seconds
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._path: Path | None = None
        self._opened = 0.0
        self._n = 0

    def append(self, event: dict[str, Any]) -> None:
        line = to_json(event, fallback=str) + b"\n"  # pydantic-core: ~4× faster than json.dumps
        with self._lock:
            if self._fd is None or time.monotonic() - self._opened >= self.rotate_seconds:
                old = self._take_locked()
                self._open_locked()
                if old is not None:  # the fsync and rename of the full file happen off the request path
                    threading.Thread(target=_hand_over, args=old, name="spool-handover").start()
            os.write(self._fd, line)

    def rotate(self) -> None:
        """Close the active file for folding (and start a new one on the next append)."""
        with self._lock:
            self._close_locked()

    def close(self) -> None:
        self.rotate()

    def _open_locked(self) -> None:
        self._n += 1
        self._path = self.folder / f"active-{os.getpid()}-{int(time.time())}-{self._n}.jsonl"
        self._fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._opened = time.monotonic()

    def _take_locked(self) -> tuple[int, Path] | None:
        """The active file (descriptor, path), no longer written to."""
        if self._fd is None or self._path is None:
            return None
        taken = (self._fd, self._path)
        self._fd = self._path = None
        return taken

    def _close_locked(self) -> None:
        taken = self._take_locked()
        if taken is not None:
            _hand_over(*taken)


def _hand_over(fd: int, path: Path) -> None:
    """A full spool file to the fold: synced, closed, renamed `ready-`."""
    os.fsync(fd)
    os.close(fd)
    os.replace(path, path.with_name(path.name.replace("active-", "ready-", 1)))


def foldable(folder: Path) -> list[Path]:
    """Ready files, and active files whose process is gone."""
    if not folder.is_dir():
        return []
    files = []
    for path in sorted(folder.glob("*.jsonl")):
        if path.name.startswith("ready-"):
            files.append(path)
        elif path.name.startswith("active-") and not process_alive(int(path.name.split("-")[1])):
            files.append(path)
    return files


def fold(store: Store, folder: Path) -> dict[str, Any]:
    """Fold spool files into `lookup_events`; returns files, events and torn lines, and `to_alert`: the
    newly folded events of a registering account whose decision was not `clear`. The files are read
    with the store closed; the insert is one short transaction (`store`: a path or a held connection)."""
    files = foldable(folder)
    rows: list[list[Any]] = []
    events: list[dict[str, Any]] = []
    torn = 0
    for path in files:
        for number, line in enumerate(path.read_bytes().splitlines(), 1):
            try:
                event = json.loads(line)
            except ValueError:
                torn += 1
                log.warning("torn lookup event skipped", file=path.name, line=number)
                continue
            rows.append(event_row(event))
            events.append(event)
    to_alert: list[dict[str, Any]] = []
    if rows:
        with session(store) as con, transaction(con):
            ids = [e.get("screening_id") for e in events]
            known = {r[0] for r in con.execute("SELECT screening_id FROM lookup_events WHERE screening_id IN "
                                               "(SELECT unnest(?))", [ids]).fetchall()}
            con.executemany(
                f"INSERT INTO lookup_events ({', '.join(COLUMNS)}, payload_sha256) "
                f"VALUES ({', '.join('?' * (len(COLUMNS) + 1))}) ON CONFLICT DO NOTHING", rows)
        seen: set[str] = set()
        for e in events:
            sid = e.get("screening_id")
            if sid in known or sid in seen or not e.get("account_id") or e.get("decision") == "clear":
                continue
            seen.add(sid)
            to_alert.append(e)
    for path in files:
        path.unlink(missing_ok=True)
    return {"files": len(files), "events": len(rows), "torn": torn, "to_alert": to_alert}


def event_row(event: dict[str, Any]) -> list[Any]:
    values = [event.get(c) for c in COLUMNS]
    for k, c in enumerate(COLUMNS):
        if c in ("reasons", "hits", "list_versions", "stale_sources"):
            values[k] = json.dumps(values[k] or [], ensure_ascii=False, sort_keys=True)
    values[1] = dt.datetime.fromisoformat(values[1])
    digest = hashlib.sha256(json.dumps(event, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return values + [digest]


def process_alive(pid: int | None) -> bool:
    """Whether a process of this host with that id still runs (a crashed writer's files can be taken)."""
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- the event of one lookup ----------------------------------------------------------------------


def lookup_event(result: Any, subject: dict[str, Any], *, client: str | None = None,
                 account_id: str | None = None) -> dict[str, Any]:
    """The onboarding record of a LookupResult for `subject` (the fields it was screened with)."""
    birth = subject.get("birth_date")
    return {
        "screening_id": result.screening_id, "looked_up_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        "client": client, "account_id": account_id, "subject_type": subject.get("subject_type"),
        "name": subject.get("name"), "birth_date": birth.isoformat() if hasattr(birth, "isoformat") else birth,
        "country": subject.get("country") or subject.get("nationality"), "id_type": subject.get("id_type"),
        "id_hash": id_hash(hash_key(), subject.get("id_type"), subject.get("id_number")),
        "snapshot_id": result.snapshot_id, "decision": result.decision, "reasons": result.reasons,
        "hits": [{k: h.get(k) for k in ("source", "source_id", "score", "band")} for h in result.hits],
        "list_versions": [{k: _plain(v.get(k)) for k in ("source", "version_id", "sha256")}
                          for v in result.list_versions],
        "config_hash": result.config_hash, "stale_sources": result.stale_sources, "took_ms": result.elapsed_ms,
    }


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def id_hash(key: bytes, id_type: str | None, id_number: str | None) -> str | None:
    """Keyed hash (HMAC-SHA256, SCREENING_ID_HASH_KEY) of the ID type and the number without separators."""
    if not id_number:
        return None
    number = "".join(ch for ch in id_number.upper() if ch.isalnum())
    return hmac.new(key, f"{(id_type or '').upper()}|{number}".encode(), hashlib.sha256).hexdigest()


@functools.cache
def hash_key() -> bytes:
    """The ID hash key, read once per process (its development-key warning logged once, not per lookup)."""
    from screening.accounts import id_hash_key

    return id_hash_key()


_SPOOLS: dict[Path, Spool] = {}
_SPOOL_OF_DB: dict[tuple[str, str | None], Spool] = {}  # per lookup: no path work
_SPOOLS_LOCK = threading.Lock()


def spool_for(db: Path | str) -> Spool:
    """The process-wide spool of a store's service folder (where the `lookups.fold` job looks)."""
    key = (str(db), os.environ.get(settings.SERVICE_DIR_ENV))
    spool = _SPOOL_OF_DB.get(key)
    if spool is not None:
        return spool
    folder = settings.service_dir_for(Path(db)) / "spool"
    with _SPOOLS_LOCK:
        spool = _SPOOLS.get(folder)
        if spool is None:
            spool = _SPOOLS[folder] = Spool(folder)
        _SPOOL_OF_DB[key] = spool
    return spool


@atexit.register
def _close_spools() -> None:
    """A process ending normally hands its file over at once (a crash leaves it `active-`, folded later)."""
    for spool in list(_SPOOLS.values()):
        try:
            spool.close()
        except OSError:
            pass
