"""One account = one legal subject: shared IDs, probable duplicates, suspended groups, transfers."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from screening.accounts import normalise_accounts
from screening.eligibility.run import evaluate, prepare

KEY = b"k"
AS_OF = dt.date(2026, 6, 30)

ROWS = [
    # account_id, subject_type, name, name_latin, birth_date, id_type, id_number, status, country
    ("P1", "person", "张伟", "Zhang Wei", "1949-12-31", "RIC", "11010519491231002X", "suspended", "CN"),
    ("P2", "person", "张伟", None, "1949-12-31", "RIC", "110105491231002", "active", "CN"),  # legacy form, same person
    ("P3", "person", "張偉", None, "1949-12-31", "passport", "E12345678", "active", "CN"),  # traditional, other ID
    ("P4", "person", "Wei ZHANG", None, "1949-12-31", None, None, "active", "US"),  # Latin, no ID
    ("Q1", "person", "李娜", "Li Na", "1990-02-01", "RIC", "440305199002010028", "active", "CN"),
    ("Q2", "person", "李娜", "Li Na", "1990-02-01", "RIC", "310104199002010048", "active", "CN"),  # namesake, other RIC
    ("Q3", "person", "黎娜", "Li Na", "1990-02-01", None, None, "active", "CN"),  # other Han name, same pinyin
    ("O1", "organization", "北京华信科技有限公司", None, None, "USCC", "91110000600037341L", "active", "CN"),
    ("O2", "organization", "北京华信科技有限公司", None, None, None, None, "active", "CN"),
    ("O3", "organization", "Atlas Trading Co., Ltd.", None, None, None, None, "active", "DE"),
    ("O4", "organization", "ATLAS TRADING COMPANY LIMITED", None, None, None, None, "active", "DE"),
    ("O5", "organization", "Atlas Trading Company Limited", None, None, None, None, "active", "GB"),  # other country
]
COLUMNS = ["account_id", "subject_type", "name", "name_latin", "birth_date", "id_type", "id_number", "status", "country"]


def evaluation(rows=ROWS, **kwargs):
    accounts = normalise_accounts(pl.DataFrame(rows, schema=COLUMNS, orient="row")).accounts
    return evaluate(prepare(duckdb.connect(), accounts, KEY), as_of=AS_OF, **kwargs)


def codes(ev) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for r in ev.reasons.filter(pl.col("check") == "subject").to_dicts():
        out.setdefault(r["account_id"], set()).add((r["code"], r["severity"]))
    return out


def test_groups_and_suspended_subject() -> None:
    ev = evaluation()
    groups = dict(zip(ev.results["account_id"], ev.results["group_id"], strict=True))
    assert groups["P1"] == groups["P2"] == groups["P3"] == groups["P4"] == "P1"
    assert groups["O1"] == groups["O2"] and groups["O3"] == groups["O4"]
    assert groups["Q1"] is None and groups["Q2"] is None  # different valid RICs: two people
    assert groups["Q3"] is None  # 黎娜 ≠ 李娜 in Han, though both "Li Na"
    assert groups["O5"] is None
    found = codes(ev)
    assert found["P2"] == {("linked_to_blocked_subject", "ineligible")}  # same ID as the suspended P1
    assert found["P3"] == {("linked_to_blocked_subject", "review")}  # name + birth date only
    assert found["P4"] == {("linked_to_blocked_subject", "review")}
    assert "P1" not in found
    assert found["O1"] == {("shared_subject", "review")}
    detail = ev.reasons.filter((pl.col("account_id") == "P2") & (pl.col("check") == "subject"))["detail"][0]
    assert "P1 (suspended)" in detail and "11010519491231002X" not in detail


def test_sanctions_block_and_allow_multiple() -> None:
    ev = evaluation(blocked=pl.DataFrame({"account_id": ["O2"], "why": ["sanctions: un_sc QDe.001"]}), allow_multiple=True)
    found = codes(ev)
    assert found["O1"] == {("linked_to_blocked_subject", "review")}
    assert found["O3"] == {("shared_subject", "info")}
    status = dict(zip(ev.results["account_id"], ev.results["status"], strict=True))
    assert status["O1"] == "review"  # O3 is review too, but for its missing ID only
    assert set(ev.reasons.filter(pl.col("account_id") == "O3")["code"]) == {"shared_subject", "id_missing"}


def test_transfer_reasons() -> None:
    changes = pl.DataFrame(
        {
            "import_id": [2], "account_id": ["Q1"], "previous_import_id": [1], "id_changed": [True],
            "name_changed": [True], "birth_date_changed": [True], "old_id_masked": ["310104********0025"],
            "new_id_masked": ["440305********0025"], "old_name": ["赵六"], "new_name": ["李娜"],
            "old_birth_date": [dt.date(1992, 7, 7)], "new_birth_date": [dt.date(1990, 2, 1)],
        }
    )
    ev = evaluation(changes=changes)
    row = ev.reasons.filter(pl.col("code") == "possible_transfer").row(0, named=True)
    assert row["account_id"] == "Q1" and row["severity"] == "review"
    assert row["detail"].startswith("ID number changed from 310104********0025 to 440305********0025; legal name changed from 赵六 to 李娜")
