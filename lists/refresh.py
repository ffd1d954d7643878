"""Refresh: check each source's publisher (or the bundled snapshot) and load what changed.

One function per step so the scheduler's job and the CLI command call the same code. Manual lists
(`ListSpec.manual`, e.g. cn_sanctions, maintained by compliance) are not replaced by a download
unless asked; the bundled snapshot is their documented starting point.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import requests
import yaml

from lists import all_specs, get_spec
from lists.fetch import FetchError, fetch_source
from lists.spec import ListSpec
from lists.store import ListLoadError, load_version, record_check
from screening import settings
from screening.exc import ListRefused
from screening.store import Store, fetch_one
from screening.store import session as store_session

SNAPSHOT_DIR = Path(__file__).resolve().parent / "snapshot"


@dataclass(frozen=True)
class SnapshotItem:
    source: str
    path: Path
    as_of: dt.date
    note: str


@dataclass(frozen=True)
class RefreshOutcome:
    source: str
    status: str  # loaded / unchanged / rejected / failed / skipped (a manual list, online)
    detail: str
    version_id: int | None = None
    entries: int | None = None
    added: int | None = None
    removed: int | None = None
    changed: int | None = None
    snapshot_as_of: dt.date | None = None


def snapshot_manifest() -> dict[str, SnapshotItem]:
    """The bundled snapshot: source key → its dated files."""
    raw = yaml.safe_load((SNAPSHOT_DIR / "MANIFEST.yml").read_text(encoding="utf-8"))
    return {
        key: SnapshotItem(key, SNAPSHOT_DIR / item["path"], item["as_of"], item["note"])
        for key, item in raw.items()
    }


def default_sources(offline: bool) -> list[str]:
    """What a plain refresh covers: the bundled sources offline; online, every source with URLs that is
    neither restricted by its licence nor maintained by hand."""
    if offline:
        return list(snapshot_manifest())
    return [spec.key for spec in all_specs() if spec.urls and spec.licence is None and not spec.manual]


def refresh(
    store: Store,
    sources: list[str] | None = None,
    *,
    offline: bool = False,
    raw_dir: Path | None = None,
    session: requests.Session | None = None,
    include_manual: bool = False,
) -> list[RefreshOutcome]:
    """Refresh `sources` (default: `default_sources`). Online, a manual list is skipped even when
    named, unless `include_manual`: its download is a third-party file, not compliance's list.

    `store`: the store's path (opened for short steps only: downloads and parsing happen with it
    closed) or a held connection."""
    keys = sources or default_sources(offline)
    outcomes = []
    for key in keys:
        spec = get_spec(key)
        if offline:
            outcomes.append(load_snapshot(store, spec, raw_dir=raw_dir))
        elif spec.manual and not include_manual:
            outcomes.append(RefreshOutcome(
                spec.key, "skipped", "manual list maintained by compliance: load it with `screening lists load "
                f"{spec.key} FILE --as-of DATE` (or refresh with --include-manual to take the download)"))
        else:
            outcomes.append(refresh_online(store, spec, raw_dir=raw_dir, session=session))
    return outcomes


def load_snapshot(store: Store, spec: ListSpec, *, raw_dir: Path | None) -> RefreshOutcome:
    item = snapshot_manifest().get(spec.key)
    if item is None:
        return RefreshOutcome(spec.key, "failed", "no bundled snapshot for this source")
    try:
        result = load_version(store, spec, item.path, origin=f"bundled snapshot {item.path.relative_to(SNAPSHOT_DIR)}",
                              as_of=item.as_of, date_source="snapshot_manifest", is_snapshot=True, raw_dir=raw_dir)
    except ListLoadError as exc:
        return RefreshOutcome(spec.key, "rejected", exc.reason, snapshot_as_of=item.as_of)
    return RefreshOutcome(spec.key, result.status, f"dated snapshot as of {item.as_of}: {item.note}",
                          result.version_id, result.entries, result.added, result.removed, result.changed,
                          snapshot_as_of=item.as_of)


def refresh_online(
    store: Store,
    spec: ListSpec,
    *,
    raw_dir: Path | None,
    session: requests.Session | None = None,
) -> RefreshOutcome:
    with store_session(store) as con:
        current = fetch_one(con, "SELECT etag, last_modified FROM current_versions WHERE source = ?", [spec.key])
    etag, last_modified = current if current else (None, None)
    parent = raw_dir if raw_dir else None
    if parent:
        parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=f"{spec.key}-", dir=parent))
    try:
        try:
            fetched = fetch_source(spec, workdir, etag=etag, last_modified=last_modified, session=session)
        except FetchError as exc:
            with store_session(store) as con:
                record_check(con, spec.key, "failed", origin=exc.url, reason=exc.reason, http_status=exc.http_status)
            return RefreshOutcome(spec.key, "failed", exc.reason)
        if fetched.status == "unchanged":
            with store_session(store) as con:
                record_check(con, spec.key, "unchanged", origin=fetched.origin, http_status=304, etag=etag,
                             last_modified=last_modified)
            return RefreshOutcome(spec.key, "unchanged", "publisher says not modified (conditional GET)")
        assert fetched.path is not None
        try:
            result = load_version(store, spec, fetched.path, origin=fetched.origin, etag=fetched.etag,
                                  last_modified=fetched.last_modified, raw_dir=raw_dir,
                                  as_of=http_date(fetched.last_modified), date_source="http_last_modified")
        except ListLoadError as exc:
            return RefreshOutcome(spec.key, "rejected", exc.reason)
        detail = "content identical to the version in force" if result.status == "unchanged" else "new version"
        return RefreshOutcome(spec.key, result.status, detail, result.version_id, result.entries,
                              result.added, result.removed, result.changed)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def http_date(value: str | None) -> dt.date | None:
    """The (UTC) date of an HTTP Last-Modified header: the publication date of a file that carries none."""
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(dt.timezone.utc).date()
    except (TypeError, ValueError):
        return None


def ensure_lists(con: duckdb.DuckDBPyConnection, db_path: Path | None) -> bool:
    """Load the bundled dated snapshot when the store has no list yet; True when it did.

    For the demo, the evaluation and the benchmarks on a fresh store; a real deployment refreshes online.
    """
    if con.execute("SELECT count(*) FROM current_versions").fetchall()[0][0]:
        return False
    raw_dir = settings.raw_dir_for(db_path) if db_path is not None and str(db_path) != ":memory:" else None
    outcomes = refresh(con, offline=True, raw_dir=raw_dir)
    failed = [o for o in outcomes if o.status not in ("loaded", "unchanged")]
    if len(failed) == len(outcomes):
        raise ListRefused("no bundled list could be loaded: "
                          + "; ".join(f"{o.source}: {o.detail}" for o in failed))
    return True
