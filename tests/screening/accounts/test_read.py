"""Account import: canonical columns, quarantine reasons, store and change tracking."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import duckdb

from screening.store import connect as store_connect
import polars as pl
import pytest

from screening.accounts import (
    ACCOUNT_SCHEMA,
    AccountFormatError,
    hmac_column,
    normalise_accounts,
    read_accounts,
    store_import,
    write_accounts,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "accounts"
KEY = b"test-key"


def test_csv_canonical_columns_and_synonyms() -> None:
    result = read_accounts(FIXTURES / "mixed.csv")
    assert dict(result.accounts.schema) == ACCOUNT_SCHEMA
    by_id = {r["account_id"]: r for r in result.accounts.to_dicts()}
    assert set(by_id) == {"A001", "A002", "A008", "A010", "A011"}
    assert by_id["A001"]["subject_type"] == "person"  # natural_person
    assert by_id["A002"]["subject_type"] == "organization"  # legal_person
    assert by_id["A008"]["subject_type"] == "organization"  # company
    assert by_id["A010"]["id_type"] == "USCC"  # "credit code"
    assert str(by_id["A001"]["birth_date"]) == "1949-12-31"
    assert str(by_id["A001"]["updated_at"]) == "2024-01-01 00:00:00"
    assert result.ignored_columns == ["extra_column"]
    assert result.sha256 and len(result.sha256) == 64


def test_bad_rows_are_quarantined_with_reasons() -> None:
    q = read_accounts(FIXTURES / "mixed.csv").quarantine
    reasons = {(r["row"], r["account_id"]): r["reason"] for r in q.to_dicts()}
    assert reasons[(3, "A003")] == "missing name"
    assert reasons[(4, None)] == "missing account_id"
    assert reasons[(5, "A005")] == "unparseable subject_type: alien"
    assert reasons[(6, "A006")] == "unparseable birth_date: 1990-02-30"
    assert reasons[(7, "A001")] == "duplicate account_id (first at row 1)"
    assert "unparseable self_supporting: maybe" in reasons[(9, "A009")]
    assert "country is not ISO-2: China" in reasons[(9, "A009")]
    total = read_accounts(FIXTURES / "mixed.csv")
    assert total.accounts.height + total.quarantine.height == 11  # nothing dropped silently


def test_jsonl_typed_values() -> None:
    result = read_accounts(FIXTURES / "mixed.jsonl")
    by_id = {r["account_id"]: r for r in result.accounts.to_dicts()}
    assert by_id["A001"]["self_supporting"] is False
    assert by_id["A001"]["phone"] == "13800138000"
    assert by_id["A002"]["country"] == "CN"  # upper-cased
    assert str(by_id["A005"]["registered_at"]) == "2024-01-01 08:00:00"
    assert {r["account_id"] for r in result.quarantine.to_dicts()} == {"A003", "A004"}


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_round_trip_formats(tmp_path: Path, suffix: str) -> None:
    accounts = read_accounts(FIXTURES / "mixed.csv").accounts
    path = tmp_path / f"accounts{suffix}"
    write_accounts(accounts, path)
    again = read_accounts(path)
    assert again.quarantine.height == 0
    assert again.accounts.equals(accounts)


def test_missing_required_column_is_an_error() -> None:
    with pytest.raises(AccountFormatError, match="subject_type"):
        normalise_accounts(pl.DataFrame({"account_id": ["1"], "name": ["x"]}))


def test_hmac_in_duckdb_equals_python_hmac() -> None:
    values = pl.Series("v", ["CNID|11010519491231002X", None, "USCC|91110000600037341L", "é漢"])
    got = hmac_column(duckdb.connect(), values, KEY).to_list()
    want = [hmac.new(KEY, v.encode(), hashlib.sha256).hexdigest() if v else None for v in values.to_list()]
    assert got == want
    long_key = b"k" * 100  # keys longer than the block are hashed first (RFC 2104)
    assert hmac_column(duckdb.connect(), values[:1], long_key)[0] == hmac.new(long_key, values[0].encode(), hashlib.sha256).hexdigest()


def test_store_import_tracks_changes_and_never_stores_clear_ids(db_path: Path) -> None:
    con = store_connect(str(db_path))
    first = store_import(con, read_accounts(FIXTURES / "mixed.csv"), key=KEY)
    second = store_import(con, read_accounts(FIXTURES / "next_import.csv"), key=KEY)
    imports = con.sql("SELECT import_id, account_count, quarantined, added, changed, identity_changed FROM account_imports ORDER BY 1").fetchall()
    assert imports == [(first, 5, 6, 5, 0, 0), (second, 6, 0, 1, 5, 2)]
    changes = con.sql(
        "SELECT account_id, id_changed, name_changed, birth_date_changed, old_id_masked, new_id_masked "
        "FROM account_identity_changes ORDER BY account_id"
    ).fetchall()
    assert changes == [
        ("A002", True, False, False, "911100********341L", "911101********082Q"),
        ("A011", True, True, True, "440305********1236", "310104********4563"),
    ]
    dump = " ".join(str(v) for row in con.sql("SELECT * FROM accounts").fetchall() for v in row)
    assert "11010519491231002X" not in dump and "110105********002X" in dump
    same_subject = con.sql("SELECT count(DISTINCT id_hash) FROM accounts WHERE account_id IN ('A001')").fetchall()
    assert same_subject == [(1,)]
    assert con.sql("SELECT count(*) FROM account_quarantine").fetchall() == [(6,)]
