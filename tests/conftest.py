"""Fixture policy.

- Parsers are tested on small real excerpts under `tests/fixtures/` (origin noted beside them) and,
  for the acceptance counts, on the bundled snapshot under `lists/snapshot/` (real, complete files).
- Older published versions (history, diffs) come from the team's shared corpus when it is present
  next to the checkout (`shared/data/lists` beside the repo, or `$SCREENING_SHARED_LISTS`); tests needing it are
  skipped with a reason when it is absent, so a plain clone still passes.
- Every test that touches a store gets its own DuckDB file in a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SNAPSHOT = REPO / "lists" / "snapshot"


def _shared_lists_dir() -> Path | None:
    env = os.environ.get("SCREENING_SHARED_LISTS")
    candidate = Path(env) if env else REPO.parent / "shared" / "data" / "lists"
    return candidate if candidate.is_dir() else None


@pytest.fixture
def shared_lists() -> Path:
    """The shared corpus of published list versions; skips the test when it is not there."""
    path = _shared_lists_dir()
    if path is None:
        pytest.skip("shared list corpus not present (set SCREENING_SHARED_LISTS to run history tests)")
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.duckdb"


def build_snapshot_store(path: Path, sources: tuple[str, ...] | list[str], *, match_index: bool = False) -> Path:
    """A DuckDB store holding the given bundled snapshot lists (and the match index, if asked)."""
    from lists import get_spec
    from lists.refresh import load_snapshot
    from screening.store import connect

    con = connect(path)
    for key in sources:
        outcome = load_snapshot(con, get_spec(key), raw_dir=None)
        assert outcome.status == "loaded", outcome
    if match_index:  # and the lookup snapshot, in index/ beside the store
        from screening.indexing import build_match_index

        build_match_index(con)
    con.close()
    return path


def un_xml_dated(folder: Path, date: dt.date, source: Path | None = None) -> Path:
    """The real UN Consolidated List (the bundled snapshot, or `source`) with only its `dateGenerated`
    changed to `date`: a real file as a mirror or an operator could hand it over, published that day."""
    import re

    from lists.parsing import read_bytes

    source = source or SNAPSHOT / "un_sc" / "2026-02-27" / "consolidated.xml.gz"
    data, count = re.subn(rb"dateGenerated=([\"'])[^\"']*\1", f'dateGenerated="{date.isoformat()}T00:00:09.554Z"'.encode(),
                          read_bytes(source), count=1)
    assert count == 1, "no dateGenerated attribute"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"consolidated_{date.isoformat()}.xml"
    path.write_bytes(data)
    return path
