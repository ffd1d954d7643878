"""Stores for the job tests: the UN list as published on two dates (real excerpts, tests/fixtures/lists/un_sc,
origin in ORIGIN.md) and a small account base whose names are those of real list entries plus clean ones."""

from __future__ import annotations

import dataclasses
import os
import time
from pathlib import Path

import polars as pl
import pytest

from lists import get_spec
from lists.store import load_version
from screening.store import connect

UN_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "lists" / "un_sc"
UN_2025 = UN_DIR / "consolidatedLegacyByPRN_2025-11-15_excerpt.xml"  # CDi.001, IQi.074, IRe.001
UN_2026 = UN_DIR / "consolidated_2026-02-27_excerpt.xml"  # CDi.001 unchanged, 17 added, IQi.074/IRe.001 gone
EXCERPT_SPEC = dataclasses.replace(get_spec("un_sc"), min_entries=1)  # an excerpt stands in for a full version

# account id → (type, name, birth date): names of entries the 2026 version added, one of the unchanged
# entry, and clean names
ACCOUNTS = {
    "ADD-1": ("person", "Doku Khamatovich Umarov", "1964-04-13"),  # QDi.290, added
    "ADD-2": ("person", "Paek Chang-Ho", "1964-06-18"),  # KPi.006, added
    "ADD-3": ("organization", "Al-Kawthar Money Exchange", None),  # QDe.157, added
    "SAME-1": ("person", "Eric Badege", "1971-01-01"),  # CDi.001, in both versions, unchanged
    "CLEAN-1": ("person", "王秀英", "1988-02-03"),
    "CLEAN-2": ("person", "Marta Kowalczyk", "1990-05-06"),
    "CLEAN-3": ("organization", "北京晨光文具有限公司", None),
}


def load_un(db: Path, path: Path) -> int:
    con = connect(db)
    try:
        return load_version(con, EXCERPT_SPEC, path).version_id
    finally:
        con.close()


def write_accounts(path: Path, accounts: dict = ACCOUNTS) -> Path:
    pl.DataFrame(
        {"account_id": list(accounts), "subject_type": [a[0] for a in accounts.values()],
         "name": [a[1] for a in accounts.values()], "birth_date": [a[2] for a in accounts.values()],
         "country": ["CN"] * len(accounts), "status": ["active"] * len(accounts)}
    ).write_csv(path)
    settled = time.time() - 60  # the import job leaves files younger than a few seconds alone
    os.utime(path, (settled, settled))
    return path


@pytest.fixture
def service_db(tmp_path: Path) -> Path:
    """A store with the 2025-11-15 UN version and the accounts above imported through the inbox."""
    from jobs.runner import run_job

    db = tmp_path / "store.duckdb"
    load_un(db, UN_2025)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_accounts(inbox / "accounts.csv")
    run = run_job("accounts.import", db)
    assert run.status == "succeeded", run
    assert run_job("screen.delta", db).status == "succeeded"  # what the service does after a load
    return db
