"""The registration lookup runs on the matcher's snapshot store (UN, OFAC SDN, China, UK OFSI) and on a
"fresh" copy: the same real lists as an operator confirms them today (the real UN file with its date
set to today; the undated OFAC and China files loaded with today as their publication date)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from lists import get_spec
from lists.refresh import snapshot_manifest
from lists.store import load_version
from screening.indexing import build_match_index
from screening.store import connect
from tests.conftest import un_xml_dated
from tests.screening.matching.conftest import con, ro_con, snapshot_db, store  # noqa: F401  (fixtures)


@pytest.fixture(scope="session")
def fresh_db(snapshot_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    folder = tmp_path_factory.mktemp("fresh")
    path = folder / "fresh.duckdb"
    shutil.copy(snapshot_db, path)
    today = dt.date.today()
    connection = connect(path)
    assert load_version(connection, get_spec("un_sc"), un_xml_dated(folder, today)).status == "loaded"
    for key in ("us_ofac_sdn", "cn_sanctions"):
        result = load_version(connection, get_spec(key), snapshot_manifest()[key].path, as_of=today)
        assert result.status == "loaded"
    build_match_index(connection)  # and the lookup snapshot in index/ beside it
    connection.close()
    return path


@pytest.fixture
def fresh(fresh_db: Path, tmp_path: Path) -> Path:
    """A private copy of the fresh store (safe to write to)."""
    path = tmp_path / "fresh.duckdb"
    shutil.copy(fresh_db, path)
    shutil.copytree(fresh_db.parent / "index", tmp_path / "index")
    return path
