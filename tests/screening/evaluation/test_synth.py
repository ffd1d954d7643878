"""Synthetic account base: canonical columns, determinism, valid numbers, planted oddities."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from screening.accounts import ACCOUNT_SCHEMA, read_accounts
from screening.cli import main
from screening.evaluation.synth import REFERENCE_DATE, RESOURCES, synth_accounts, synth_base, synth_update
from screening.ids import check_ids, ric_check_char, uscc_check_char


@pytest.fixture(scope="module")
def base():
    return synth_base(20_000, seed=7)


def test_columns_and_determinism(base) -> None:
    assert dict(base.accounts.schema) == ACCOUNT_SCHEMA
    assert base.accounts.equals(synth_accounts(20_000, seed=7))
    assert not base.accounts.equals(synth_accounts(20_000, seed=8))
    assert base.accounts["account_id"].n_unique() == 20_000


def test_mix_is_realistic(base) -> None:
    acc = base.accounts
    persons = acc.filter(pl.col("subject_type") == "person")
    assert 0.85 < persons.height / acc.height < 0.91
    cn = persons.filter(pl.col("country") == "CN")
    assert cn["name"].str.contains(r"^\p{Han}{2,4}$").mean() > 0.99
    assert cn["name_latin"].drop_nulls().str.contains(r"^[A-Z][a-z]+ [A-Z][a-z]+$").mean() > 0.99
    surnames = cn["name"].str.slice(0, 1).value_counts().sort("count", descending=True)["name"].head(3).to_list()
    assert set(surnames) <= {"王", "李", "张", "刘", "陈"}
    assert set(acc["id_type"].drop_nulls().unique()) >= {"RIC", "USCC", "passport", "HK_MO_PERMIT", "TW_PERMIT", "FOREIGN_PR", "OTHER"}
    assert acc.filter(pl.col("subject_type") != "person")["birth_date"].null_count() == acc.filter(pl.col("subject_type") != "person").height


def test_numbers_validate_except_planted_typos(base) -> None:
    checked = check_ids(base.accounts).join(base.truth, on="account_id")
    typo = checked["planted"].list.contains("id_typo")
    assert checked.filter(~typo & pl.col("id_error").is_not_null()).height == 0
    assert checked.filter(typo)["id_error"].to_list() == ["id_checksum"] * int(typo.sum())
    assert checked.filter(pl.col("id_warnings").list.len() > 0).height == 0
    uscc = base.accounts.filter(pl.col("id_type") == "USCC")["id_number"]
    assert uscc.str.contains(r"^[A-Z]").sum() > 0  # letter-initial codes present
    # the generators agree with the scalar reference
    for number in uscc.head(50).to_list():
        assert uscc_check_char(number[:17]) == number[17]
    ric = base.accounts.filter((pl.col("id_type") == "RIC") & (pl.col("id_number").str.len_chars() == 18))
    for number in ric["id_number"].head(50).to_list():
        if number not in checked.filter(typo)["id_number"].to_list():
            assert ric_check_char(number[:17]) == number[17]


def test_embedded_birth_date_is_declared_except_planted(base) -> None:
    checked = check_ids(base.accounts).join(base.truth, on="account_id")
    persons = checked.filter(pl.col("id_birth_date").is_not_null())
    differs = persons["id_birth_date"] != persons["birth_date"]
    planted = persons["planted"].list.contains("dob_mismatch")
    assert (differs == planted).all()
    assert 0.01 < planted.mean() < 0.03


def test_planted_oddities_present(base) -> None:
    tags = base.truth.explode("planted")["planted"].drop_nulls()
    for tag in ["legacy_ric", "minor_with_guardian", "minor_no_guardian", "duplicate_v0", "letter_initial_uscc"]:
        assert (tags == tag).sum() > 0, tag
    dup = base.truth.filter(pl.col("duplicate_of").is_not_null())
    assert 50 < dup.height < 200
    guardians = base.accounts["guardian_account_id"].drop_nulls()
    assert guardians.is_in(base.accounts["account_id"].implode()).all()
    age = REFERENCE_DATE.year - base.accounts["birth_date"].dt.year()
    assert base.accounts.filter(pl.col("self_supporting").fill_null(False))["birth_date"].dt.year().min() >= REFERENCE_DATE.year - 18
    assert (age < 18).sum() > 0


def test_update_moves_some_identities(base) -> None:
    nxt = synth_update(base.accounts, seed=3)
    assert nxt.height == base.accounts.height
    moved = base.accounts.join(nxt, on="account_id", suffix="_new").filter(pl.col("id_number") != pl.col("id_number_new"))
    assert 5 <= moved.height <= 40


def test_cli_writes_file(tmp_path: Path) -> None:
    out = tmp_path / "a.parquet"
    # through the root registry: `screening accounts synth` stays where users know it
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "db.duckdb"), "accounts", "synth", "--n", "500",
                                       "--seed", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    imported = read_accounts(out)
    assert imported.accounts.height == 500 and imported.unscreenable().height == 0 and imported.bad_lines.height == 0


# ---- foreign name tables and their diversity ---------------------------------------------------

_RESOURCES = RESOURCES
_NATIVE_SCRIPT = {"russian": r"^[А-ЯЁ][а-яё]+$", "korean": r"^[\x{AC00}-\x{D7A3}]{1,3}$", "japanese": r"^[\p{Han}\p{Hiragana}]{1,3}$"}


@pytest.mark.parametrize("table, low", [("foreign_given.csv", 50), ("foreign_surnames.csv", 50)])
def test_foreign_name_tables(table: str, low: int) -> None:
    names = pl.read_csv(_RESOURCES / table, infer_schema=False)
    cultures = pl.read_csv(_RESOURCES / "foreign_cultures.csv", infer_schema=False)["culture"].to_list()
    assert sorted(names["culture"].unique().to_list()) == sorted(cultures)
    assert (names["weight"].cast(pl.Float64) > 0).all()
    assert names.select("culture", "native", "latin", *(["gender"] if "gender" in names.columns else [])).is_duplicated().sum() == 0
    assert names["latin"].str.contains(r"^\p{Latin}+(?:[ '-]\p{Latin}+)*$").all()
    counts = dict(names["culture"].value_counts().iter_rows())
    assert all(low <= counts[c] <= 80 for c in cultures), counts
    if "gender" in names.columns:
        per_gender = names.group_by("culture", "gender").len()
        assert set(names["gender"].unique()) == {"m", "f"} and per_gender["len"].min() >= 25
    for culture, pattern in _NATIVE_SCRIPT.items():
        native = names.filter(pl.col("culture") == culture)["native"]
        assert native.null_count() == 0 and native.str.contains(pattern).all(), culture


def test_foreign_given_names_follow_popularity() -> None:
    given = pl.read_csv(_RESOURCES / "foreign_given.csv", infer_schema=False).with_columns(pl.col("weight").cast(pl.Float64))
    top = given.sort("weight", descending=True).group_by("culture", "gender", maintain_order=True).first()
    first = {(c, g): w for c, g, w in top.select("culture", "gender", "weight").iter_rows()}
    last = {(c, g): w for c, g, w in given.group_by("culture", "gender").agg(pl.col("weight").min()).iter_rows()}
    assert all(w > 5 * last[k] for k, w in first.items())  # long-tailed
    arabic = given.filter(pl.col("culture") == "arabic", pl.col("gender") == "m").sort("weight", descending=True)
    assert arabic["latin"][0] == "Mohammed"


def _segment(base, segment: str) -> pl.DataFrame:
    """One segment's accounts, without the planted duplicate subjects."""
    truth = base.truth.filter(pl.col("segment") == segment, pl.col("duplicate_of").is_null())
    return base.accounts.join(truth, on="account_id")


def test_foreign_company_names_are_diverse(base) -> None:
    orgs = _segment(base, "foreign_org")
    assert orgs.height > 400
    assert orgs["name"].n_unique() / orgs.height >= 0.97
    assert orgs["name"].value_counts()["count"].max() <= 2
    assert (orgs["name"].str.starts_with(orgs["display_name"] + " ")).all()
    assert orgs["name"].str.contains(" & ").sum() > 0  # partnership-style names
    assert orgs.filter(pl.col("name").str.ends_with("GmbH"))["country"].unique().to_list() == ["DE"]


def test_foreign_person_names_are_diverse(base) -> None:
    people = _segment(base, "foreign_person")
    assert people.height > 1000
    latin = people["name_latin"]
    assert latin.n_unique() / people.height >= 0.9
    assert latin.value_counts()["count"].max() <= 6
    # common names stay common: the real leaders of each population lead here too
    surname = latin.str.split(" ").list.last()
    for country, leader in [("KR", "Kim"), ("VN", "Nguyen")]:
        assert surname.filter(people["country"] == country).value_counts().sort("count", descending=True)["name_latin"][0] == leader, country
    # native-script names where the culture has a script
    korean = people.filter(pl.col("country") == "KR", ~pl.col("name").str.contains(r"\p{Latin}"))["name"]
    assert korean.len() > 0 and korean.str.contains(r"^[\x{AC00}-\x{D7A3}]{2,5}$").all()
    # Russian women carry the feminine surname form
    russian = people.filter(pl.col("country") == "RU", pl.col("name").str.contains(r"\p{Cyrillic}"))["name"]
    assert russian.str.contains(r"(ова|ева|ёва|ина|ына)$").mean() > 0.3
