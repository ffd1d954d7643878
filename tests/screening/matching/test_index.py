"""The list index: built once per list version from the store, kept in DuckDB, reused, rebuilt per new version."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from lists import get_spec
from lists.store import load_version
from screening.matching.index import load_index
from screening.matching.index_store import ensure_index, index_key, missing_versions
from screening.store import fetch_one
from tests.conftest import un_xml_dated

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "lists"


def test_index_is_stored_per_version_and_reused(con) -> None:
    versions = {r[0] for r in con.execute("SELECT version_id FROM current_versions").fetchall()}
    built = {r[0] for r in con.sql("SELECT version_id FROM match_index_builds WHERE index_key = ?", params=
                                       [index_key()]).fetchall()}
    assert built == versions
    assert missing_versions(con) == []
    assert ensure_index(con) == []  # nothing to redo
    forms = fetch_one(con, "SELECT count(*) FROM match_index_forms")[0]
    names = fetch_one(con, "SELECT count(*) FROM current_names")[0]
    assert forms >= names * 0.95  # every name has at least one form (a few normalise to nothing)


def test_new_version_builds_only_itself(con, tmp_path: Path) -> None:
    before = fetch_one(con, "SELECT version_id FROM current_versions WHERE source = 'un_sc'")[0]
    spec = dataclasses.replace(get_spec("un_sc"), min_entries=1)  # a real excerpt stands in for a new version
    excerpt = un_xml_dated(tmp_path, dt.date.today(), FIXTURES / "un_sc" / "consolidated_2024-11-30_excerpt.xml")
    result = load_version(con, spec, excerpt, check_shrink=False)  # dated today: newer than the snapshot
    assert result.status == "loaded"
    assert missing_versions(con) == [result.version_id]
    built = ensure_index(con)
    assert [b["version_id"] for b in built] == [result.version_id]
    left = fetch_one(con, "SELECT count(*) FROM match_index_forms WHERE version_id = ?", [before])[0]
    assert left == 0  # the superseded version's index is purged


def test_load_index_reads_the_versions_in_force(ro_con) -> None:
    index = load_index(ro_con, build=False)
    sources = {v["source"] for v in index.versions_used()}
    assert sources == {"un_sc", "us_ofac_sdn", "cn_sanctions", "gb_ofsi"}
    assert index.entries.height == fetch_one(ro_con, "SELECT count(*) FROM current_entries")[0]
    assert len(index.units) > 10_000
    # the cut keeps common tokens out of the blocking keys
    assert index.keys.group_by("key").len()["len"].max() <= index.key_cut


def test_assembled_index_is_kept_by_content_and_loaded_back(con, store: Path) -> None:
    import pickle

    import numpy as np

    from screening.matching.config import DEFAULT_CONFIG
    from screening.matching.index import cache_path

    path = cache_path(con, DEFAULT_CONFIG)
    assert path is not None and path.parent == store.parent / "index-cache"
    built = load_index(con)
    assert path.exists()
    loaded = load_index(con)  # from the file: the same arrays, frames and the batch join tables
    assert loaded is not built
    assert np.array_equal(loaded.units.tok, built.units.tok)
    assert list(loaded.vocab.table.text) == list(built.vocab.table.text)
    assert loaded.keys.equals(built.keys) and loaded.entries.equals(built.entries)
    assert loaded.id_postings.keys() == built.id_postings.keys()
    assert set(loaded._derived) == set(built._derived) and built._derived
    assert built._file == path and loaded._file == path  # a batch screen's workers read this file
    # another setting that shapes the index, or another list version in force, is another file; the core
    # count is not one
    assert cache_path(con, DEFAULT_CONFIG.replace(max_key_postings=50)) != path
    assert cache_path(con, DEFAULT_CONFIG.replace(workers=7)) == path
    con.execute("UPDATE match_index_builds SET built_at = built_at + INTERVAL 1 SECOND")
    assert cache_path(con, DEFAULT_CONFIG) != path
    con.execute("UPDATE match_index_builds SET built_at = built_at - INTERVAL 1 SECOND")
    # a corrupt file is rebuilt and replaced, never half-read
    path.write_bytes(b"not a pickle")
    again = load_index(con)
    assert np.array_equal(again.units.tok, built.units.tok)
    with open(path, "rb") as handle:
        handle.readline()  # the SHA-256 of the rest
        assert set(pickle.load(handle)) >= {"units", "keys", "vocab"}
    # a file that unpickles but is not what was written (a flipped bit in an array) is rebuilt too
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    again = load_index(con)
    assert np.array_equal(again.units.tok, built.units.tok) and path.read_bytes() != bytes(data)


def test_a_store_in_memory_keeps_no_file() -> None:
    from screening.matching.config import DEFAULT_CONFIG
    from screening.matching.index import cache_path
    from screening.store import connect

    assert cache_path(connect(":memory:"), DEFAULT_CONFIG) is None


def test_a_cut_key_is_held_by_the_units_that_have_it_or_spell_it_apart() -> None:
    """The units of each cut key (the key bound counts its positions only there): those whose own keys hold
    it, and those whose two adjacent tokens joined spell it ("aman abdul rahman" holds t:abdulrahman, which
    the batch join meets too); sorted, each once."""
    from types import SimpleNamespace

    from screening.matching.index import _cut_units

    text = np.array(["aman", "abdul", "rahman", "ahmed", "ali"], dtype=object)
    tok = np.array([[0, 1, 2], [3, 4, -1], [4, 3, -1], [1, -1, -1]])
    cut_keys = pl.DataFrame({"key": ["t:abdulrahman", "d:ahmed", "t:aliahmed"]}).with_row_index("cid")
    kk = pl.DataFrame({"key": ["d:ahmed", "d:ahmed", "d:ahmed", "t:abdul"], "unit": [2, 1, 2, 3]})
    held = _cut_units(kk, cut_keys, SimpleNamespace(tok=tok), text)
    units = held.columns["unit"]
    assert [units[held.offsets[c]:held.offsets[c + 1]].tolist() for c in range(3)] == [[0], [1, 2], [2]]
