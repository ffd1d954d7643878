"""A store holding a real UN excerpt (tests/fixtures/lists/un_sc, origin in ORIGIN.md) with its index
snapshot published, and the service folders inside the test's temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.indexing import publish_if_changed
from screening.store import connect
from tests.jobs.conftest import UN_2026, load_un


@pytest.fixture
def api_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCREENING_LOOKUP_REFRESH_SECONDS", "0.5")
    monkeypatch.delenv("SCREENING_API_KEYS", raising=False)
    db = tmp_path / "store.duckdb"
    load_un(db, UN_2026)
    con = connect(db)
    publish_if_changed(con, tmp_path / "index")  # the index snapshot and the freshness, as every load does
    con.close()
    return db
