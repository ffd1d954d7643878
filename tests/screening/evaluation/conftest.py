"""A small real store shared by the evaluation tests: three bundled snapshot lists (UN, China, BIS DPL).

Loaded once per session into a temporary DuckDB file (about a second); the tests that screen open
their own copy so runs and index rows never leak between tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from screening.store import connect
from tests.conftest import build_snapshot_store

SMALL_SOURCES = ["un_sc", "cn_sanctions", "us_bis_dpl"]


@pytest.fixture(scope="session")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot_store(tmp_path_factory.mktemp("eval-store") / "store.duckdb", SMALL_SOURCES)


@pytest.fixture
def store_copy(small_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copyfile(small_store, path)
    return path


@pytest.fixture
def con(store_copy: Path) -> duckdb.DuckDBPyConnection:
    connection = connect(store_copy)
    yield connection
    connection.close()
