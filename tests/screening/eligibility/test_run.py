"""Whole-base run with storage and export (CLI), and the single-subject registration check."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb

from screening.store import connect as store_connect
import polars as pl
from click.testing import CliRunner

from screening.cli import Context
from screening.eligibility.cli import eligibility_group
from screening.eligibility.run import check_subject, evaluate, prepare
from screening.evaluation.synth import REFERENCE_DATE, synth_base

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "accounts"


def invoke(db: Path, *args: str):
    result = CliRunner().invoke(eligibility_group, list(args), obj=Context(db))
    assert result.exit_code == 0, result.output
    return result


def test_cli_runs_stores_and_exports(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    out = tmp_path / "first.csv"
    invoke(db, "--accounts", str(FIXTURES / "mixed.csv"), "--out", str(out), "--as-of", "2026-06-30")
    exported = pl.read_csv(out)
    assert exported.columns == ["account_id", "status", "capacity", "reasons"]
    a011 = exported.filter(pl.col("account_id") == "A011").row(0, named=True)
    assert a011["status"] == "eligible" and a011["capacity"] == "adult" and json.loads(a011["reasons"]) == []
    a001 = exported.filter(pl.col("account_id") == "A001").row(0, named=True)  # two rows in the file
    assert a001["status"] == "review" and [r["code"] for r in json.loads(a001["reasons"])] == ["data_account_id"]
    assert exported.height == 10  # every account of the file (11 rows, one account twice)
    result = invoke(db, "--accounts", str(FIXTURES / "next_import.csv"), "--out", str(tmp_path / "second.parquet"), "--json")
    data = json.loads(result.output[result.output.index("{"):])
    assert data["run_id"] == 2
    second = pl.read_parquet(tmp_path / "second.parquet")
    transfer = [r for r in second.filter(pl.col("account_id") == "A011")["reasons"][0] if r["code"] == "possible_transfer"]
    assert transfer and "ID number changed from **************1236 to **************4563" in transfer[0]["detail"]
    con = store_connect(str(db))
    runs = con.sql("SELECT run_id, import_id, accounts FROM eligibility_runs ORDER BY 1").fetchall()
    assert runs == [(1, 1, 10), (2, 2, 6)]
    stored = con.sql("SELECT count(*) FROM eligibility_reasons WHERE run_id = 2 AND code = 'possible_transfer'").fetchall()
    assert stored == [(2,)]  # A002 (credit code changed) and A011
    clear = con.sql("SELECT count(*) FROM eligibility_reasons WHERE detail LIKE '%11010519491231002X%'").fetchall()
    assert clear == [(0,)]


def test_single_subject_uses_the_store(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    invoke(db, "--accounts", str(FIXTURES / "mixed.csv"), "--out", str(tmp_path / "r.csv"), "--as-of", "2026-06-30")
    con = store_connect(str(db))
    con.execute("UPDATE accounts SET status = 'suspended' WHERE account_id = 'A001'")
    # The same person registering again with the legacy form of the suspended account's number.
    result = check_subject(
        {"subject_type": "person", "name": "张伟", "birth_date": "1949-12-31", "id_type": "RIC", "id_number": "110105491231002"},
        con=con, as_of=dt.date(2026, 6, 30),
    )
    assert result.status == "ineligible"
    assert [r.code for r in result.reasons] == ["linked_to_blocked_subject"]
    assert "A001 (suspended)" in result.reasons[0].detail
    minor = check_subject({"subject_type": "person", "name": "小明", "birth_date": "2013-05-05"}, as_of=dt.date(2026, 6, 30))
    assert (minor.status, minor.capacity) == ("ineligible", "minor_under_14")
    bad = check_subject({"subject_type": "alien", "name": "x"})
    assert bad.status == "review" and "data_subject_type" in [r.code for r in bad.reasons]


def test_single_subject_agrees_with_batch() -> None:
    synth = synth_base(3_000, seed=11)
    con = duckdb.connect()
    batch = evaluate(prepare(con, synth.accounts, b"k"), as_of=REFERENCE_DATE).results
    # Accounts with no cross-account finding: the single check must give the same answer.
    solo = batch.filter(pl.col("group_id").is_null()).sample(40, seed=1)
    records = synth.accounts.filter(pl.col("account_id").is_in(solo["account_id"].implode()))
    guardians = set(records["guardian_account_id"].drop_nulls())
    for record in records.filter(~pl.col("account_id").is_in(pl.Series(list(guardians), dtype=pl.Utf8).implode())).to_dicts():
        if record["guardian_account_id"]:
            continue  # the guardian lives in the base, not in the single record
        single = check_subject(record, as_of=REFERENCE_DATE, key=b"k")
        row = batch.filter(pl.col("account_id") == record["account_id"]).row(0, named=True)
        assert (single.status, single.capacity) == (row["status"], row["capacity"]), record["account_id"]


def test_turned_adult_is_reported(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    path = tmp_path / "a.csv"
    path.write_text("account_id,subject_type,name,birth_date\nM1,person,小红,2008-07-01\n", encoding="utf-8")
    invoke(db, "--accounts", str(path), "--out", str(tmp_path / "1.csv"), "--as-of", "2026-06-30")
    invoke(db, "--accounts", str(path), "--out", str(tmp_path / "2.csv"), "--as-of", "2026-07-01")
    second = pl.read_csv(tmp_path / "2.csv").row(0, named=True)
    assert second["capacity"] == "adult"
    assert "turned_adult" in second["reasons"]


def test_synthetic_base_findings_match_what_was_planted() -> None:
    synth = synth_base(20_000, seed=5)
    ev = evaluate(prepare(duckdb.connect(), synth.accounts, b"k"), as_of=REFERENCE_DATE)
    reasons = ev.reasons.join(synth.truth, on="account_id")
    brand_planted = set(synth.truth.filter(pl.col("planted").list.eval(pl.element().str.starts_with("brand_")).list.any())["account_id"])
    brand_found = set(reasons.filter(pl.col("check") == "brand")["account_id"])
    assert brand_planted and brand_planted <= brand_found
    assert len(brand_found - brand_planted) <= 2  # generated display names rarely look like the brand
    with_valid_ric = synth.truth.join(synth.accounts, on="account_id").filter(
        (pl.col("id_type") == "RIC") & ~pl.col("planted").list.contains("id_typo")
    )  # a duplicate may carry the declared date over to a passport: no embedded date to compare
    mismatch_planted = set(with_valid_ric.filter(pl.col("planted").list.contains("dob_mismatch"))["account_id"])
    mismatch_found = set(reasons.filter(pl.col("code") == "dob_mismatch")["account_id"])
    assert mismatch_planted <= mismatch_found
    assert mismatch_found <= set(synth.truth.filter(pl.col("planted").list.contains("dob_mismatch"))["account_id"])
    dups = synth.truth.filter(pl.col("duplicate_of").is_not_null() & pl.col("planted").list.contains("duplicate_v0"))
    grouped = ev.results.join(dups, on="account_id")["group_id"].null_count()
    assert grouped == 0  # every same-ID duplicate is in a group


def test_every_account_is_in_the_output_and_a_bad_birth_date_is_review_or_proven_by_the_id(tmp_path: Path) -> None:
    """Issue 10 §1: an impossible birth date never drops an account; the ID can still prove a minor."""
    from screening.ids import ric_check_char

    minor = "11010520150101123"
    minor += ric_check_char(minor)
    accounts = tmp_path / "a.csv"
    accounts.write_text(
        "account_id,subject_type,name,birth_date,id_type,id_number\n"
        "bad-dob,person,李娜,1984-02-30,,\n"
        f"minor-id,person,王小明,1984-02-30,RIC,{minor}\n"
        "no-name,person,,1990-01-01,,\n"
        "odd-type,persons,张伟,1990-01-01,,\n"
        "bad-dob,person,李娜,1985-01-01,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.parquet"
    invoke(tmp_path / "s.duckdb", "--accounts", str(accounts), "--out", str(out), "--as-of", "2026-06-30")
    results = {r["account_id"]: r for r in pl.read_parquet(out).to_dicts()}
    assert set(results) == {"bad-dob", "minor-id", "no-name", "odd-type"}
    codes = {k: {reason["code"] for reason in r["reasons"]} for k, r in results.items()}
    assert results["bad-dob"]["status"] == "review" and {"data_birth_date", "data_account_id"} <= codes["bad-dob"]
    assert results["minor-id"]["status"] == "ineligible" and results["minor-id"]["capacity"] == "minor_under_14"
    assert "data_birth_date" in codes["minor-id"]
    assert results["no-name"]["status"] == "review" and "data_name" in codes["no-name"]
    assert results["odd-type"]["status"] == "review" and "data_subject_type" in codes["odd-type"]


def test_stored_run_rederives_what_time_and_other_accounts_change_and_keeps_what_needs_the_id(tmp_path: Path) -> None:
    """The nightly re-evaluation over the stored accounts (no clear ID numbers there)."""
    from screening.eligibility.run import run_stored_eligibility
    from screening.ids import ric_check_char

    minor = "11010520150101123"
    minor += ric_check_char(minor)
    valid = "11010519800101123"
    valid += ric_check_char(valid)
    bad_check = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    accounts = tmp_path / "a.csv"
    accounts.write_text(
        "account_id,subject_type,name,birth_date,id_type,id_number,status\n"
        "teen,person,小红,2008-07-01,,,active\n"
        f"minor-id,person,王小明,1984-02-30,RIC,{minor},active\n"  # only the ID tells the age
        f"bad-id,person,李雷,1980-01-01,RIC,{bad_check},active\n"
        f"first,person,赵六,1980-01-01,RIC,{valid},active\n"
        f"second,person,钱七,1975-05-05,RIC,{valid},active\n",  # the same ID number as `first`
        encoding="utf-8",
    )
    db = tmp_path / "s.duckdb"
    invoke(db, "--accounts", str(accounts), "--out", str(tmp_path / "1.csv"), "--as-of", "2026-06-30")
    con = store_connect(str(db))
    assert "11010519800101" not in str(con.sql("SELECT * FROM accounts").fetchall())  # nothing clear to re-check
    con.execute("UPDATE accounts SET status = 'suspended' WHERE account_id = 'first'")  # the platform suspended it

    run_id, evaluation = run_stored_eligibility(con, as_of=dt.date(2026, 7, 1))
    results = {r["account_id"]: r for r in evaluation.results.to_dicts()}
    codes = {k: {reason["code"] for reason in r["reasons"]} for k, r in results.items()}
    assert set(results) == {"teen", "minor-id", "bad-id", "first", "second"}
    # re-derived: the birthday, and the suspension of an account sharing the subject
    assert results["teen"]["capacity"] == "adult" and "turned_adult" in codes["teen"]
    assert results["second"]["status"] == "ineligible" and "linked_to_blocked_subject" in codes["second"]
    # carried from the file evaluation: the ID check and the age only the ID number gave
    assert results["bad-id"]["status"] == "ineligible" and "id_checksum" in codes["bad-id"]
    assert results["minor-id"]["capacity"] == "minor_under_14" and results["minor-id"]["status"] == "ineligible"
    assert "data_birth_date" in codes["minor-id"]
    stored = con.execute("SELECT basis, import_id, accounts, ineligible FROM eligibility_runs WHERE run_id = ?",
                         [run_id]).fetchall()
    assert stored == [("stored", None, 5, 3)]
    reasons = con.execute("SELECT count(*) FROM eligibility_reasons WHERE run_id = ?", [run_id]).fetchall()[0][0]
    assert reasons == evaluation.reasons.height
    # a second nightly run still carries from the file evaluation, not from the previous nightly run
    _, again = run_stored_eligibility(con, as_of=dt.date(2026, 7, 2))
    assert again.results.filter(pl.col("account_id") == "bad-id")["status"].to_list() == ["ineligible"]


def test_stored_run_without_accounts_is_none(tmp_path: Path) -> None:
    from screening.eligibility.run import run_stored_eligibility

    assert run_stored_eligibility(store_connect(str(tmp_path / "s.duckdb"))) is None
