"""Versioned list store: parse → check → keep the raw file → swap in atomically → diff.

A version is published in one DuckDB transaction; anything that fails before COMMIT leaves the
previous version in force. Every attempt, good or bad, is recorded in `list_fetches` so an auditor can
see when each list was checked and why a file was refused.

No rollback: a file whose publisher date is older than the version in force (or undated while that
one is dated) is refused, unless an operator forces it with a stated reason, which is recorded with
the version and the fetch. Content identical to an older version (A → B → A) with a date not older
than B's is published again as a new version in force.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from lists.model import ListEntry, Quarantined
from lists.parsing import find_file, read_bytes
from lists.spec import ListSpec
from screening import settings
from screening.exc import ListRefused
from screening.logs import get_logger
from screening.store import Store, fetch_one, session, transaction

log = get_logger(__name__)


class ListLoadError(ListRefused):
    """A published file was refused; the previous version stays in force."""

    def __init__(self, source: str, reason: str, publisher_date: dt.date | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.publisher_date = publisher_date


@dataclass(frozen=True)
class LoadResult:
    source: str
    status: str  # loaded / unchanged
    version_id: int
    sha256: str
    entries: int
    names: int
    added: int = 0
    removed: int = 0
    changed: int = 0
    quarantined: int = 0
    complete: bool = True


def content_sha256(spec: ListSpec, path: Path) -> str:
    """SHA-256 of the published content: the file's bytes, or every file of a version folder.

    Computed over decompressed bytes, so the gzipped bundled snapshot hashes like the original.
    """
    if path.is_file():
        return hashlib.sha256(read_bytes(path)).hexdigest()
    digest = hashlib.sha256()
    for name in sorted(spec.urls):
        file = find_file(path, name)
        if file is None:
            continue
        digest.update(f"{name.lower()}\0{hashlib.sha256(read_bytes(file)).hexdigest()}\n".encode())
    return digest.hexdigest()


def missing_files(spec: ListSpec, path: Path) -> tuple[list[str], list[str]]:
    """(required, optional) files of a multi-file source that the version folder lacks."""
    if not path.is_dir():
        return [], []
    missing = [name for name in spec.urls if find_file(path, name) is None]
    return ([m for m in missing if m not in spec.optional_files], [m for m in missing if m in spec.optional_files])


def load_version(
    store: Store,
    spec: ListSpec,
    path: Path,
    *,
    origin: str | None = None,
    as_of: dt.date | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    is_snapshot: bool = False,
    raw_dir: Path | None = None,
    check_shrink: bool = True,
    date_source: str = "operator",
    force_reason: str | None = None,
) -> LoadResult:
    """Load one published file or version folder as a new version of `spec.key`.

    `as_of` stands in for the publisher date when the file carries none (OFAC CSV, say); `date_source`
    says where it came from (operator / http_last_modified / snapshot_manifest). `force_reason`, an
    operator's stated reason, accepts a file the checks would refuse (older than the version in force,
    shrunk); it is recorded with what it overrode. Raises ListLoadError (after recording it) when
    the file is refused.

    `store`: the store's path or a held connection. With a path the store is opened only for short
    steps (the version in force, then one transaction that re-checks against it and publishes): hashing,
    parsing and building the tables happen with the store closed, so other processes can write meanwhile.
    """
    origin = origin or str(path)
    force_reason = (force_reason or "").strip() or None
    try:
        return _load(store, spec, path, origin, as_of, etag, last_modified, is_snapshot, raw_dir, check_shrink,
                     date_source, force_reason)
    except ListLoadError as exc:
        with session(store) as con:
            record_check(con, spec.key, "rejected", origin=origin, reason=exc.reason,
                         publisher_date=exc.publisher_date, is_snapshot=is_snapshot)
        raise


def _load(
    store: Store,
    spec: ListSpec,
    path: Path,
    origin: str,
    as_of: dt.date | None,
    etag: str | None,
    last_modified: str | None,
    is_snapshot: bool,
    raw_dir: Path | None,
    check_shrink: bool,
    date_source: str,
    force_reason: str | None,
) -> LoadResult:
    if not path.exists():
        raise ListLoadError(spec.key, f"no such file or folder: {path}")
    required_missing, optional_missing = missing_files(spec, path)
    if required_missing:
        raise ListLoadError(spec.key, f"version folder lacks required file(s): {', '.join(required_missing)}")
    if path.is_file() and path.stat().st_size == 0:
        raise ListLoadError(spec.key, "empty file")
    sha = content_sha256(spec, path)
    check = dict(origin=origin, sha256=sha, etag=etag, last_modified=last_modified, is_snapshot=is_snapshot)

    with session(store) as con:
        current = _current(con, spec)
        if _unchanged(current, sha, as_of, is_snapshot):
            record_check(con, spec.key, "unchanged", version_id=current[0], publisher_date=current[4], **check)
            return LoadResult(spec.key, "unchanged", current[0], sha, current[1], current[2])

    # the heavy part, with the store closed
    try:
        parsed = spec.parse(path)
    except Exception as exc:  # a parser's failure on a published file is a refusal, never a crash mid-store
        raise ListLoadError(spec.key, f"unparseable: {type(exc).__name__}: {exc}") from exc
    publisher_date = parsed.publisher_date or as_of
    date_source = ("file" if parsed.publisher_date else date_source) if publisher_date else None
    entries, duplicates = _dedupe(parsed.entries)
    quarantine = parsed.quarantine + duplicates
    _refusals(spec, publisher_date, len(entries), current, check_shrink, force_reason)  # before keeping the file
    tables = _entry_tables(entries)
    raw_path = _keep_raw(spec, path, sha, raw_dir) if raw_dir else None

    with session(store) as con, transaction(con):
        current = _current(con, spec)  # again: another process may have loaded a version meanwhile
        if _unchanged(current, sha, as_of, is_snapshot):
            record_check(con, spec.key, "unchanged", version_id=current[0], publisher_date=current[4], **check)
            return LoadResult(spec.key, "unchanged", current[0], sha, current[1], current[2])
        refusals = _refusals(spec, publisher_date, len(entries), current, check_shrink, force_reason)
        forced = f"{force_reason} (overrode: {'; '.join(refusals)})" if refusals else None
        version_id = _publish(
            con, spec, tables, quarantine, previous_id=current[0] if current else None,
            publisher_date=publisher_date, date_source=date_source, forced_reason=forced, origin=origin, sha=sha,
            etag=etag, last_modified=last_modified, is_snapshot=is_snapshot, complete=not optional_missing,
            raw_path=raw_path,
        )
        added, removed, changed = fetch_one(con, "SELECT added, removed, changed FROM list_versions "
                                                 "WHERE version_id = ?", [version_id])
        record_check(con, spec.key, "loaded", version_id=version_id, publisher_date=publisher_date,
                     forced_reason=forced, **check)
    names = tables["list_names"].num_rows
    if forced:
        log.warning("refused list version forced in by an operator", source=spec.key, version_id=version_id,
                    reason=forced)
    log.info("list version loaded", source=spec.key, version_id=version_id, entries=len(entries), names=names)
    return LoadResult(spec.key, "loaded", version_id, sha, len(entries), names, added or 0, removed or 0,
                      changed or 0, len(quarantine), not optional_missing)


def _current(con: duckdb.DuckDBPyConnection, spec: ListSpec) -> tuple | None:
    return fetch_one(con, """SELECT version_id, entry_count, name_count, sha256, publisher_date, is_snapshot,
                                   date_source FROM current_versions WHERE source = ?""", [spec.key])


def _unchanged(current: tuple | None, sha: str, as_of: dt.date | None, is_snapshot: bool) -> bool:
    return current is not None and current[3] == sha and not _republish(current, as_of, is_snapshot)


def _refusals(spec: ListSpec, publisher_date: dt.date | None, count: int, current: tuple | None,
              check_shrink: bool, force_reason: str | None) -> list[str]:
    """Why the file is refused against the version in force; raises ListLoadError unless forced."""
    refusals = [r for r in (_check_date(publisher_date, current), _check_counts(spec, count, current, check_shrink))
                if r]
    if refusals and not force_reason:
        raise ListLoadError(spec.key, "; ".join(refusals), publisher_date)
    return refusals


def _dedupe(entries: list[ListEntry]) -> tuple[list[ListEntry], list[Quarantined]]:
    """One entry per source_id: later duplicates are quarantined, not silently merged."""
    seen: set[str] = set()
    kept: list[ListEntry] = []
    dropped: list[Quarantined] = []
    for entry in entries:
        if entry.source_id in seen:
            dropped.append(Quarantined("duplicate source_id in one version", entry.primary_name, entry.source_id))
            continue
        seen.add(entry.source_id)
        kept.append(entry)
    return kept, dropped


def _republish(current: tuple, as_of: dt.date | None, is_snapshot: bool) -> bool:
    """Whether content identical to the version in force still makes a new version: the bundled snapshot
    confirmed by a real load, or an undated file given a later publication date (the publisher served
    it again as current), so freshness counts from the new date."""
    promoted = bool(current[5]) and not is_snapshot
    later = current[6] != "file" and as_of is not None and (current[4] is None or as_of > current[4])
    return promoted or later


def _check_date(publisher_date: dt.date | None, current: tuple | None) -> str | None:
    """Why the file would roll the source back (None when it does not): older than the version in force,
    or undated while that one is dated (not shown to be newer)."""
    if current is None or current[4] is None:
        return None
    if publisher_date is None:
        return (f"the file carries no publisher date and the version in force (#{current[0]}) is dated "
                f"{current[4]}: give its publication date (--as-of)")
    if publisher_date < current[4]:
        return (f"publisher date {publisher_date} is older than the version in force "
                f"(#{current[0]}, published {current[4]}): refusing a rollback")
    return None


def _check_counts(spec: ListSpec, count: int, current: tuple | None, check_shrink: bool) -> str | None:
    """A broken file (too few entries) is refused outright; a shrink beyond the limit may be forced."""
    if count < spec.min_entries:
        raise ListLoadError(spec.key, f"only {count} entries, expected at least {spec.min_entries}")
    if not check_shrink:
        return None
    limit = settings.max_shrink()
    if current and current[1] and count < current[1] * (1 - limit):
        return f"entry count fell from {current[1]} to {count} (more than {limit:.0%}); refusing the file"
    return None


def _keep_raw(spec: ListSpec, path: Path, sha: str, raw_dir: Path) -> str:
    """Copy the published file(s) under raw/<source>/<sha256>/ (written aside, then renamed)."""
    target = raw_dir / spec.key / sha
    if target.exists():
        return str(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".staging-"))
    files = [path] if path.is_file() else [f for f in sorted(path.iterdir()) if f.is_file()]
    for file in files:
        shutil.copy2(file, staging / file.name)
    staging.rename(target)
    return str(target)


def _publish(
    con: duckdb.DuckDBPyConnection,
    spec: ListSpec,
    tables: dict[str, pa.Table],
    quarantine: list[Quarantined],
    *,
    previous_id: int | None,
    publisher_date: dt.date | None,
    date_source: str | None,
    forced_reason: str | None,
    origin: str,
    sha: str,
    etag: str | None,
    last_modified: str | None,
    is_snapshot: bool,
    complete: bool,
    raw_path: str | None,
) -> int:
    """Insert the version, its tables and its diff (inside the caller's transaction)."""
    version_id = fetch_one(con, "SELECT nextval('list_version_seq')")[0]
    con.execute(
        """INSERT INTO list_versions (version_id, source, publisher_date, loaded_at, origin, sha256, etag,
               last_modified, entry_count, name_count, quarantined, parser_version, previous_version_id,
               is_snapshot, complete, raw_path, date_source, forced_reason)
           VALUES (?, ?, ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [version_id, spec.key, publisher_date, origin, sha, etag, last_modified, tables["list_entries"].num_rows,
         tables["list_names"].num_rows, len(quarantine), spec.parser_version, previous_id, is_snapshot, complete,
         raw_path, date_source, forced_reason],
    )
    for table, data in tables.items():
        con.register("_incoming", data)
        columns = ", ".join(data.column_names)
        con.execute(
            f"INSERT INTO {table} (version_id, source, {columns}) SELECT ?, ?, {columns} FROM _incoming",
            [version_id, spec.key],
        )
        con.unregister("_incoming")
    if quarantine:
        con.executemany(
            "INSERT INTO list_quarantine VALUES (?, ?, ?, ?, ?)",
            [[version_id, spec.key, q.source_id, q.reason, q.raw[:2000]] for q in quarantine],
        )
    _write_diff(con, spec.key, version_id, previous_id)
    return version_id


def _write_diff(con: duckdb.DuckDBPyConnection, source: str, version_id: int, previous_id: int | None) -> None:
    if previous_id is None:
        con.execute("UPDATE list_versions SET added = entry_count, removed = 0, changed = 0 WHERE version_id = ?",
                    [version_id])
        return
    con.execute(
        """INSERT INTO list_diffs
           SELECT ?, ?, coalesce(n.source_id, o.source_id),
                  CASE WHEN o.source_id IS NULL THEN 'added'
                       WHEN n.source_id IS NULL THEN 'removed' ELSE 'changed' END,
                  coalesce(n.primary_name, o.primary_name)
           FROM (SELECT source_id, fingerprint, primary_name FROM list_entries WHERE version_id = ?) n
           FULL OUTER JOIN (SELECT source_id, fingerprint, primary_name FROM list_entries WHERE version_id = ?) o
             ON n.source_id = o.source_id
           WHERE n.source_id IS NULL OR o.source_id IS NULL OR n.fingerprint <> o.fingerprint""",
        [version_id, source, version_id, previous_id],
    )
    con.execute(
        """UPDATE list_versions SET
             added = (SELECT count(*) FROM list_diffs WHERE version_id = ? AND change = 'added'),
             removed = (SELECT count(*) FROM list_diffs WHERE version_id = ? AND change = 'removed'),
             changed = (SELECT count(*) FROM list_diffs WHERE version_id = ? AND change = 'changed')
           WHERE version_id = ?""",
        [version_id, version_id, version_id, version_id],
    )


def _entry_tables(entries: list[ListEntry]) -> dict[str, pa.Table]:
    """Column-wise Arrow tables of the normalised records, one per store table."""
    rows: dict[str, dict[str, list]] = {
        "list_entries": {k: [] for k in ("source_id", "subject_type", "primary_name", "programs", "regime",
                                         "listed_on", "remarks", "fingerprint")},
        "list_names": {k: [] for k in ("source_id", "name", "name_type", "quality", "script", "lang")},
        "list_birth_dates": {k: [] for k in ("source_id", "date_from", "date_to", "precision", "text")},
        "list_countries": {k: [] for k in ("source_id", "country", "role")},
        "list_identifiers": {k: [] for k in ("source_id", "id_type", "number", "country")},
        "list_addresses": {k: [] for k in ("source_id", "address", "city", "country")},
    }
    for e in entries:
        _append(rows["list_entries"], e.source_id, e.subject_type, e.primary_name, list(e.programs), e.regime,
                e.listed_on, e.remarks, e.fingerprint())
        for n in dict.fromkeys(e.names):
            _append(rows["list_names"], e.source_id, n.name, n.name_type, n.quality, n.script, n.lang)
        for b in dict.fromkeys(e.birth_dates):
            _append(rows["list_birth_dates"], e.source_id, b.date_from, b.date_to, b.precision, b.text)
        for c in dict.fromkeys(e.countries):
            _append(rows["list_countries"], e.source_id, c.code, c.role)
        for i in dict.fromkeys(e.identifiers):
            _append(rows["list_identifiers"], e.source_id, i.id_type, i.number, i.country)
        for a in dict.fromkeys(e.addresses):
            _append(rows["list_addresses"], e.source_id, a.text, a.city, a.country)
    schemas = {
        "programs": pa.list_(pa.string()),
        "listed_on": pa.date32(), "date_from": pa.date32(), "date_to": pa.date32(),
    }
    return {
        table: pa.table({k: pa.array(v, type=schemas.get(k, pa.string())) for k, v in cols.items()})
        for table, cols in rows.items()
    }


def _append(columns: dict[str, list], *values: object) -> None:
    for column, value in zip(columns.values(), values, strict=True):
        column.append(value)


def record_check(
    con: duckdb.DuckDBPyConnection,
    source: str,
    status: str,
    *,
    origin: str | None = None,
    reason: str | None = None,
    http_status: int | None = None,
    sha256: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    version_id: int | None = None,
    is_snapshot: bool = False,
    publisher_date: dt.date | None = None,
    forced_reason: str | None = None,
) -> None:
    """Log one check of a source: loaded / unchanged / rejected / failed / skipped (the audit trail)."""
    con.execute(
        """INSERT INTO list_fetches (fetch_id, source, checked_at, origin, status, reason, http_status, sha256,
               etag, last_modified, version_id, from_publisher, publisher_date, forced_reason)
           VALUES (nextval('list_fetch_seq'), ?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [source, origin, status, reason, http_status, sha256, etag, last_modified, version_id,
         not is_snapshot, publisher_date, forced_reason],
    )
