"""Account records: canonical columns, bad fields dropped with a data issue, unusable names, invisible
characters, country names; the store and change tracking."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import duckdb

from screening.store import connect as store_connect
import polars as pl
import pytest

from screening.accounts.identity import HMAC_IN_PYTHON_BELOW
from screening.exc import InputError

from screening.accounts import (
    ACCOUNT_SCHEMA,
    NAME_MAX_CHARS,
    country_code,
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
    assert dict(result.accounts.schema) == ACCOUNT_SCHEMA | {"line": pl.Int64()}
    assert result.accounts.height == 11  # every record, duplicates included
    by_id = {r["account_id"]: r for r in result.first_per_account().to_dicts()}
    assert by_id["A001"]["subject_type"] == "person"  # natural_person
    assert by_id["A002"]["subject_type"] == "organization"  # legal_person
    assert by_id["A008"]["subject_type"] == "organization"  # company
    assert by_id["A010"]["id_type"] == "USCC"  # "credit code"
    assert by_id["A009"]["country"] == "CN"  # "China": a country name through countrynames
    assert str(by_id["A001"]["birth_date"]) == "1949-12-31"
    assert str(by_id["A001"]["updated_at"]) == "2024-01-01 00:00:00"
    assert result.ignored_columns == ["extra_column"]
    assert result.encoding == "utf-8"
    assert result.sha256 and len(result.sha256) == 64


def test_a_bad_field_is_dropped_for_that_field_only_and_reported() -> None:
    result = read_accounts(FIXTURES / "mixed.csv")
    issues = {(r["line"], r["account_id"], r["field"]): r["reason"] for r in result.issues.to_dicts()}
    assert issues == {
        (4, "A003", "name"): "name empty: screened on name_latin",
        (5, "(line 5)", "account_id"): "missing account_id: reported as (line 5)",
        (6, "A005", "subject_type"): "unknown subject_type 'alien': screened against every subject type",
        (7, "A006", "birth_date"): "unparseable birth_date '1990-02-30': dropped",
        (8, "A001", "account_id"): "duplicate account_id (first at line 2): every row is screened",
        (10, "A009", "self_supporting"): "unparseable self_supporting 'maybe': dropped",
    }
    rows = {r["line"]: r for r in result.accounts.to_dicts()}
    assert rows[6]["subject_type"] is None and rows[6]["name"] == "某人"  # the name is kept
    assert rows[7]["birth_date"] is None and rows[7]["name"] == "李娜" and rows[7]["country"] == "CN"
    assert rows[10]["self_supporting"] is None and rows[10]["guardian_account_id"] == "A001"
    assert rows[4]["name"] == "No Name"
    assert result.unscreenable().height == 0  # every record has a usable name


def test_jsonl_typed_values() -> None:
    result = read_accounts(FIXTURES / "mixed.jsonl")
    by_id = {r["account_id"]: r for r in result.accounts.to_dicts()}
    assert by_id["A001"]["self_supporting"] is False
    assert by_id["A001"]["phone"] == "13800138000"
    assert by_id["A002"]["country"] == "CN"  # upper-cased
    assert str(by_id["A005"]["registered_at"]) == "2024-01-01 08:00:00"
    assert result.unscreenable().to_dicts() == [{"account_id": "A003", "line": 3, "reason": "no usable name: empty"}]
    assert [(r["account_id"], r["field"]) for r in result.issues.to_dicts()] == [("A003", "name"), ("A004", "birth_date")]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_round_trip_formats(tmp_path: Path, suffix: str) -> None:
    accounts = read_accounts(FIXTURES / "mixed.csv").first_per_account()
    path = tmp_path / f"accounts{suffix}"
    write_accounts(accounts, path)
    again = read_accounts(path)
    assert again.bad_lines.height == 0
    assert again.accounts.drop("line").equals(accounts.drop("line"))


def test_missing_required_column_is_an_input_error() -> None:
    with pytest.raises(InputError, match="line 1: missing required column.*subject_type"):
        normalise_accounts(pl.DataFrame({"account_id": ["1"], "name": ["x"]}))


@pytest.mark.parametrize(("value", "code"), [
    ("North Korea", "KP"), ("DPRK", "KP"), ("朝鲜", "KP"), ("Korea, Democratic People's Republic of", "KP"),
    ("kp", "KP"), ("PRK", "KP"), ("香港", "HK"), ("中国台湾", "TW"), ("UK", "GB"), ("Narnia", None), ("EU-X", None),
])
def test_country_names_in_any_common_form(value: str, code: str | None) -> None:
    assert country_code(value) == code


def test_rows_without_a_usable_name_are_listed_with_their_reason() -> None:
    raw = pl.DataFrame({"account_id": ["a", "b", "c", "d", "e"], "subject_type": ["person"] * 5,
                        "name": ["", "☺☺ 🙂 !!", "\u200b\u202e\x00", "12345", "王 小明"]})
    # "12345" is screened: an all-digit name may be a Chinese telegraph-code name (and lists hold numbered names)
    result = normalise_accounts(raw)
    assert result.unscreenable().to_dicts() == [
        {"account_id": "a", "line": 1, "reason": "no usable name: empty"},
        {"account_id": "b", "line": 2, "reason": "no usable name: no letters or digits in '☺☺ 🙂 !!'"},
        {"account_id": "c", "line": 3, "reason": "no usable name: only invisible characters"},
    ]
    assert result.screenable()["account_id"].to_list() == ["d", "e"]


def test_invisible_characters_are_removed_and_an_rtl_override_read_as_displayed() -> None:
    raw = pl.DataFrame({"account_id": ["a\u200b", "b", "c"], "subject_type": ["person"] * 3,
                        "name": ["\u202enihceS hcivonavI rogI\u202c", "Igor\x00 Se\u200dchin\u2066", "Bank\tMelli"]})
    result = normalise_accounts(raw)
    assert result.accounts["name"].to_list() == ["Igor Ivanovich Sechin", "Igor Sechin", "Bank Melli"]
    assert result.accounts["account_id"].to_list() == ["a", "b", "c"]
    assert result.issues.filter(pl.col("field") == "name")["reason"].to_list() == [
        "invisible or bidi control characters removed: screened as displayed"] * 2


def test_a_long_name_is_a_data_issue() -> None:
    long = " ".join(["filler"] * 300)
    result = normalise_accounts(pl.DataFrame({"account_id": ["a"], "subject_type": ["person"], "name": [long]}))
    assert result.accounts["name"][0] == long  # kept whole: the run screens it in windows
    reason = result.issues.row(0, named=True)["reason"]
    assert reason.startswith(f"name of {len(long)} characters / 300 words is longer than {NAME_MAX_CHARS} characters")


def test_impossible_and_future_birth_dates_are_dropped() -> None:
    raw = pl.DataFrame({"account_id": ["a", "b", "c"], "subject_type": ["person"] * 3, "name": ["X Y"] * 3,
                        "birth_date": ["1984-02-30", "2999-01-01", "1984-02-29"]})
    result = normalise_accounts(raw)
    assert result.accounts["birth_date"].cast(pl.String).to_list() == [None, None, "1984-02-29"]
    assert [r["reason"] for r in result.issues.to_dicts()] == [
        "unparseable birth_date '1984-02-30': dropped", "birth_date '2999-01-01' is in the future: dropped"]


def test_hmac_in_duckdb_equals_python_hmac() -> None:
    few = pl.Series("v", ["CNID|11010519491231002X", None, "USCC|91110000600037341L", "é漢"])
    many = pl.Series("v", few.to_list() * HMAC_IN_PYTHON_BELOW)  # computed in DuckDB; `few` in Python
    long_key = b"k" * 100  # keys longer than the block are hashed first (RFC 2104)
    for key in (KEY, long_key):
        want = [hmac.new(key, v.encode(), hashlib.sha256).hexdigest() if v else None for v in many.to_list()]
        assert hmac_column(duckdb.connect(), many, key).to_list() == want
        assert hmac_column(duckdb.connect(), few, key).to_list() == want[:few.len()]


def test_store_import_tracks_changes_and_never_stores_clear_ids(db_path: Path) -> None:
    con = store_connect(str(db_path))
    first = store_import(con, read_accounts(FIXTURES / "mixed.csv"), key=KEY)
    second = store_import(con, read_accounts(FIXTURES / "next_import.csv"), key=KEY)
    imports = con.sql("SELECT import_id, account_count, quarantined, added, changed, identity_changed FROM account_imports ORDER BY 1").fetchall()
    assert imports == [(first, 10, 0, 10, 0, 0), (second, 6, 0, 1, 5, 2)]  # 11 rows, 10 accounts
    changes = con.sql(
        "SELECT account_id, id_changed, name_changed, birth_date_changed, old_id_masked, new_id_masked "
        "FROM account_identity_changes ORDER BY account_id"
    ).fetchall()
    assert changes == [
        ("A002", True, False, False, "**************341L", "**************082Q"),
        ("A011", True, True, True, "**************1236", "**************4563"),
    ]
    dump = " ".join(str(v) for row in con.sql("SELECT * FROM accounts").fetchall() for v in row)
    assert "11010519491231002X" not in dump and "**************002X" in dump
    assert "110105" not in dump and "19491231" not in dump  # neither region nor birth digits of the ID
    same_subject = con.sql("SELECT count(DISTINCT id_hash) FROM accounts WHERE account_id IN ('A001')").fetchall()
    assert same_subject == [(1,)]
    assert con.sql("SELECT count(*) FROM account_quarantine").fetchall() == [(0,)]
    issues = con.sql("SELECT import_id, line, field FROM account_data_issues ORDER BY import_id, line").fetchall()
    assert issues[:6] == [(first, 4, "name"), (first, 5, "account_id"), (first, 6, "subject_type"),
                          (first, 7, "birth_date"), (first, 8, "account_id"), (first, 10, "self_supporting")]
