"""Shared set-up of the workflow tests: real UN list excerpts (tests/fixtures/alerts/un_sc, ORIGIN.md
there), a real store, the real CLI."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from click.testing import CliRunner, Result

from tests.conftest import FIXTURES

UN_EXCERPTS = FIXTURES / "alerts" / "un_sc"
UN_2025 = UN_EXCERPTS / "consolidatedLegacyByPRN_2025-11-15_suppression.xml"
UN_2026 = UN_EXCERPTS / "consolidated_2026-02-27_suppression.xml"

ACCOUNT_COLUMNS = "account_id,subject_type,name,name_latin,birth_date,country,nationality,id_type,id_number,display_name"


def load_list(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Load a real excerpt as a new un_sc version (min_entries relaxed: an excerpt stands in for the list)."""
    from lists import get_spec
    from lists.store import load_version
    from screening.matching.index_store import ensure_index

    spec = dataclasses.replace(get_spec("un_sc"), min_entries=1)
    result = load_version(con, spec, path, check_shrink=False)
    ensure_index(con)
    return result.version_id


def write_accounts(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([ACCOUNT_COLUMNS, *rows]) + "\n", encoding="utf-8")
    return path


class Cli:
    """The `screening` command on one store, in process."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.runner = CliRunner()

    def run(self, *args: str, code: int = 0) -> Result:
        from screening.cli import main

        result = self.runner.invoke(main, ["--db", str(self.db), *args], catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.output)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)


@pytest.fixture
def cli(db_path: Path) -> Cli:
    return Cli(db_path)


def build_template(directory: Path) -> Path:
    """A store with the list, the accounts, one finished screening run and the officers."""
    from screening.accounts import read_accounts, store_import
    from screening.alerts import officers
    from screening.runs.ledger import screen_accounts
    from screening.store import connect

    path = directory / "template.duckdb"
    con = connect(path)
    load_list(con, UN_2025)
    accounts = write_accounts(directory / "accounts.csv", [
        "P1,person,PROPHANE VICTOR,,1980-05-05,HT,HT,passport,HT1234567,victor",
        "P2,person,ERIC BADEGE,,1971-02-02,CD,CD,passport,CD7654321,eric",
        "P3,person,MUNIR AL QUBAYSI,,1966-01-01,IQ,IQ,passport,IQ5550001,munir",
    ])
    imported = read_accounts(accounts)
    store_import(con, imported)
    run = screen_accounts(con, imported.accounts)
    assert run.hits.height >= 3
    for name, role in [("ann", "analyst"), ("amy", "analyst"), ("bob", "approver"), ("dan", "approver"),
                       ("cat", "auditor"), ("eve", "approver")]:
        officers.add(con, name, role)
    officers.set_active(con, "eve", False)
    con.close()
    return path


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_template(tmp_path_factory.mktemp("workflow"))




def copy_store(template: Path, directory: Path) -> Path:
    path = directory / "store.duckdb"
    shutil.copy(template, path)
    return path
