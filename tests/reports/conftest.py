"""A fixture store for the report: two bundled snapshot lists, hostile account names, one screening run
and one eligibility run, all written by the real code paths (no hand-made rows)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, build_snapshot_store

ACCOUNTS = FIXTURES / "reports" / "accounts.csv"
AS_OF = dt.date(2026, 12, 1)


def build_report_store(path: Path) -> Path:
    """Lists (un_sc, cn_sanctions) → the hostile accounts imported and checked → one full screening run."""
    from screening.accounts import read_accounts
    from screening.eligibility.run import run_eligibility
    from screening.runs import screen_accounts
    from screening.store import connect

    build_snapshot_store(path, ["un_sc", "cn_sanctions"])
    con = connect(path)
    try:
        imported = read_accounts(ACCOUNTS)
        run_eligibility(con, imported, as_of=AS_OF)
        screen_accounts(con, imported.accounts, kind="full")
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def report_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report_store(tmp_path_factory.mktemp("report") / "store.duckdb")


@pytest.fixture
def report_store(report_store_template: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture store (reports write their record into it)."""
    path = tmp_path / "store.duckdb"
    shutil.copy(report_store_template, path)
    return path
