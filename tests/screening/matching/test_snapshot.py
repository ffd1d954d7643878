"""The published index snapshot: content-addressed, loaded without the store, switched atomically, and a
reader that keeps the index it has until a good new one is loaded. Real UN excerpts
(tests/fixtures/lists/un_sc, origin in ORIGIN.md) and real DuckDB stores."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from lists import get_spec
from lists.store import load_version
from screening import exc
from screening.matching import snapshot
from screening.matching.index import load_index
from screening.matching.query import prepare_record
from screening.matching.screen import screen_batch
from screening.matching.config import DEFAULT_CONFIG
from screening.store import connect

UN_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "lists" / "un_sc"
SPEC = dataclasses.replace(get_spec("un_sc"), min_entries=1)  # an excerpt stands in for a full version


def _load(db: Path, name: str) -> None:
    con = connect(db)
    load_version(con, SPEC, UN_DIR / name)
    con.close()


def _hits(index, name: str) -> list[str]:
    hits = screen_batch(index, prepare_record({"name": name, "subject_type": "person"}, index), DEFAULT_CONFIG,
                        floor=DEFAULT_CONFIG.review)
    return hits["source_id"].to_list()


def test_publish_load_switch(db_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    _load(db_path, "consolidatedLegacyByPRN_2025-11-15_excerpt.xml")
    con = connect(db_path)
    first = snapshot.publish(con, root)
    stored = load_index(con)
    assert snapshot.publish(con, root) == dataclasses.replace(first, created=False)  # same content, same id
    con.close()

    loaded = snapshot.load(root)  # no store involved
    assert loaded.snapshot_id == first.snapshot_id == snapshot.current_id(root)
    assert loaded.index.entries.drop("entry_idx").equals(stored.entries.drop("entry_idx"))
    assert loaded.index.keys.sort(["key", "unit"]).equals(stored.keys.sort(["key", "unit"]))
    assert _hits(loaded.index, "Eric Badege") == ["CDi.001"]

    _load(db_path, "consolidated_2026-02-27_excerpt.xml")
    con = connect(db_path)
    second = snapshot.publish(con, root)
    con.close()
    assert second.created and second.snapshot_id != first.snapshot_id
    assert snapshot.current_id(root) == second.snapshot_id
    assert _hits(snapshot.load(root).index, "Doku Khamatovich Umarov") == ["QDi.290"]
    assert (root / first.snapshot_id).is_dir()  # older snapshots stay for readers still loading them


def test_tampered_snapshot_is_refused_and_the_reader_keeps_the_old_index(db_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    _load(db_path, "consolidatedLegacyByPRN_2025-11-15_excerpt.xml")
    con = connect(db_path)
    first = snapshot.publish(con, root)
    reader = snapshot.SnapshotReader(root, refresh_seconds=0.0)
    assert reader.get()[0].snapshot_id == first.snapshot_id

    _load(db_path, "consolidated_2026-02-27_excerpt.xml")
    second = snapshot.publish(con, root)
    con.close()
    entries = second.path / "entries.parquet"
    entries.write_bytes(entries.read_bytes()[:-10])  # a torn or tampered file
    snapshot.clear_cache()  # the same content may be loaded already (content address) in this process
    with pytest.raises(exc.StoreError, match="does not match its manifest"):
        snapshot.load(root)
    assert reader.refresh_now().snapshot_id == first.snapshot_id  # still serving the good one
    assert "does not match" in reader.error


def test_stale_sources_from_freshness() -> None:
    freshness = {"stale_at": {"un_sc": "2026-01-02T00:00:00", "us_ofac_sdn": None}, "missing": ["cn_sanctions"]}

    assert snapshot.stale_sources(freshness, dt.datetime(2026, 1, 1)) == ["cn_sanctions", "us_ofac_sdn"]
    assert snapshot.stale_sources(freshness, dt.datetime(2026, 1, 3)) == ["cn_sanctions", "un_sc", "us_ofac_sdn"]


def test_a_snapshot_of_another_normaliser_is_not_served(db_path: Path, tmp_path: Path) -> None:
    root = tmp_path / "index"
    _load(db_path, "consolidatedLegacyByPRN_2025-11-15_excerpt.xml")
    con = connect(db_path)
    published = snapshot.publish(con, root)
    con.close()
    manifest = published.path / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"index_key": "', '"index_key": "older-'))
    snapshot.clear_cache()
    with pytest.raises(exc.StoreError, match="another normaliser"):
        snapshot.load(root)


def test_the_assembled_index_is_kept_by_content_and_a_bad_file_is_rebuilt(db_path: Path, tmp_path: Path) -> None:
    import numpy as np

    root, cache = tmp_path / "index", tmp_path / "index-cache"
    _load(db_path, "consolidatedLegacyByPRN_2025-11-15_excerpt.xml")
    con = connect(db_path)
    first = snapshot.publish(con, root)
    snapshot.clear_cache()
    reader = snapshot.SnapshotReader(root, refresh_seconds=3600, cache_dir=cache)
    built = reader.get()[0].index
    manifest = reader.get()[0].manifest
    kept = snapshot.assembled_path(cache, manifest, DEFAULT_CONFIG)
    assert kept.exists() and kept.parent == cache / "snapshots"
    assert snapshot.assembled_path(cache, manifest, DEFAULT_CONFIG.replace(workers=1)) == kept  # threads: same index
    assert snapshot.assembled_path(cache, manifest, DEFAULT_CONFIG.replace(max_key_postings=50)) != kept

    # the next process loads the kept file, not the Parquet files (a damaged one would be refused)
    entries = first.path / "entries.parquet"
    good = entries.read_bytes()
    entries.write_bytes(good[:-10])
    snapshot.clear_cache()
    loaded = snapshot.SnapshotReader(root, refresh_seconds=3600, cache_dir=cache).get()[0].index
    assert loaded is not built and np.array_equal(loaded.units.tok, built.units.tok)
    assert loaded.entries.equals(built.entries) and _hits(loaded, "Eric Badege") == ["CDi.001"]
    entries.write_bytes(good)

    # a corrupt file is assembled again from the snapshot and replaced
    data = bytearray(kept.read_bytes())
    data[len(data) // 2] ^= 0x01
    kept.write_bytes(bytes(data))
    snapshot.clear_cache()
    again = snapshot.load(root, config=DEFAULT_CONFIG, cache_dir=cache).index
    assert np.array_equal(again.units.tok, built.units.tok) and kept.read_bytes() != bytes(data)

    # a file that belongs to another snapshot (copied or misnamed) is not served for this one
    _load(db_path, "consolidated_2026-02-27_excerpt.xml")
    second = snapshot.publish(con, root)
    con.close()
    other = snapshot.assembled_path(cache, json.loads((second.path / "manifest.json").read_text()), DEFAULT_CONFIG)
    other.write_bytes(kept.read_bytes())
    snapshot.clear_cache()
    newer = snapshot.load(root, config=DEFAULT_CONFIG, cache_dir=cache)
    assert newer.snapshot_id == second.snapshot_id
    assert _hits(newer.index, "Doku Khamatovich Umarov") == ["QDi.290"]
    assert other.read_bytes() != kept.read_bytes()  # replaced by the right one
