"""Fixtures for the matcher: one list store loaded from the bundled snapshot per test session.

The store holds real list files (UN, OFAC SDN, China's lists, UK OFSI) loaded through the list
store (`lists.refresh.load_snapshot`) with the match index built. Tests that write (runs, hits,
new versions) work on their own copy of the file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from screening.store import connect as store_connect
import pytest

from tests.conftest import build_snapshot_store

SOURCES = ("un_sc", "us_ofac_sdn", "cn_sanctions", "gb_ofsi")


@pytest.fixture(scope="session")
def snapshot_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot_store(tmp_path_factory.mktemp("matching") / "snapshot.duckdb", SOURCES, match_index=True)


@pytest.fixture
def store(snapshot_db: Path, tmp_path: Path) -> Path:
    """A private copy of the snapshot store (safe to write to), with its published lookup index."""
    path = tmp_path / "store.duckdb"
    shutil.copy(snapshot_db, path)
    shutil.copytree(snapshot_db.parent / "index", tmp_path / "index")
    return path


@pytest.fixture
def con(store: Path):
    connection = store_connect(str(store))
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def ro_con(snapshot_db: Path):
    """A read-only connection to the shared snapshot store (for tests that only read)."""
    connection = duckdb.connect(str(snapshot_db), read_only=True)
    yield connection
    connection.close()
