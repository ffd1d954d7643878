"""Batch screening on the snapshot store: runs and hits in DuckDB, docs/architecture.md §3.3 columns, subsets, IDs."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from screening.exc import UsageError
from screening.store import fetch_one
from screening.matching.config import DEFAULT_CONFIG as C
from screening.runs import HITS_COLUMNS, run_hits, screen_accounts, write_hits

HIT_COLUMNS_33 = ["run_id", "account_id", "source", "source_id", "entry_name", "matched_name", "query_name", "score",
                  "name_score", "band", "alias_quality", "regime", "programs", "reasons"]


def _accounts() -> pl.DataFrame:
    return pl.DataFrame({
        "account_id": ["a1", "a2", "a3", "a4", "a5"],
        "subject_type": ["person", "person", "organization", "natural_person", "person"],
        "name": ["Igor Ivanovich Sechin", "王小明", "Bank Melli Iran", "Zhang Xiuying", "Ivan Ivanovich Ivanov"],
        "name_latin": [None, "Wang Xiaoming", None, None, None],
        "birth_date": [dt.date(1960, 9, 7), dt.date(1990, 1, 1), None, dt.date(1985, 3, 3), None],
        "country": ["RU", "CN", "IR", "CN", "RU"],
        "nationality": ["RU", "CN", None, "CN", "RU"],
        "id_type": [None, "RIC", None, "RIC", None],
        "id_number": [None, "110101199001011234", None, "110101198503031234", None],
    })


def test_screen_records_the_run_and_its_hits(con) -> None:
    result = screen_accounts(con, _accounts(), kind="onboarding")
    assert result.run_id is not None
    hits = result.hits
    assert hits.columns == HIT_COLUMNS_33
    assert (hits["score"] >= C.review).all()
    sechin = hits.filter(pl.col("account_id") == "a1").sort("score", descending=True).row(0, named=True)
    assert "SECHIN" in sechin["entry_name"].upper() and sechin["band"] == "block_review"
    reasons = json.loads(sechin["reasons"])
    assert {"feature": "dob", "level": "exact", "weight": C.w_dob_exact} in reasons["features"]
    assert reasons["name"]["alignment"]
    assert hits.filter(pl.col("account_id") == "a3").height > 0  # Bank Melli
    assert hits.filter(pl.col("account_id") == "a4").height == 0  # clean

    run = con.sql("SELECT * FROM screening_runs WHERE run_id = ?", params=[result.run_id]).pl().row(0, named=True)
    assert run["kind"] == "onboarding" and run["status"] == "finished"
    assert run["config_hash"] == C.hash and run["population"] == 5
    assert {v["source"] for v in json.loads(run["list_versions"])} == {"un_sc", "us_ofac_sdn", "cn_sanctions", "gb_ofsi"}
    assert run["block_review"] + run["review"] + run["low"] == run["hits"]
    assert fetch_one(con, "SELECT config_hash FROM match_configs WHERE config_hash = ?", [C.hash])
    versions = fetch_one(con, "SELECT count(*) FROM screening_run_versions WHERE run_id = ?", [result.run_id])[0]
    assert versions == 4
    stored = run_hits(con, result.run_id)
    assert stored.height == run["hits"] >= hits.height  # the low band is stored too
    assert stored["score"].min() >= C.low


def test_min_score_lowers_the_floor(con) -> None:
    default = screen_accounts(con, _accounts(), store=False)
    lower = screen_accounts(con, _accounts(), min_score=C.low, store=False)
    assert lower.hits.height >= default.hits.height
    assert lower.hits["score"].min() >= C.low
    assert default.run_id is None


def test_delta_screens_only_the_given_entries(con) -> None:
    full = screen_accounts(con, _accounts(), store=False)
    target = full.hits.filter(pl.col("account_id") == "a1").select("source", "source_id").unique()
    one = target.head(1)
    delta = screen_accounts(con, _accounts(), kind="delta", entries=one)
    assert set(zip(delta.hits["source"], delta.hits["source_id"])) == set(zip(one["source"], one["source_id"]))
    run = fetch_one(con, "SELECT entries_filter FROM screening_runs WHERE run_id = ?", [delta.run_id])
    assert run[0] == 1


def _full_width(text: str) -> str:
    """ASCII letters and digits as the full-width forms a Chinese input method types (Ａ, １)."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and ch.isalnum() else ch for ch in text)


@pytest.mark.parametrize("typed", [str.lower, _full_width], ids=["lower-case", "full-width"])
def test_identifier_match_is_decisive_whatever_the_name(con, typed) -> None:
    listed = con.sql("""SELECT source, source_id, number FROM current_identifiers
                        WHERE id_type = 'passport' AND length(number) >= 7 AND regexp_full_match(number, '[A-Z0-9]+')
                        ORDER BY source, source_id LIMIT 1""").pl()
    row = listed.row(0, named=True)
    number = typed(row["number"])
    assert number != row["number"]
    accounts = pl.DataFrame({"account_id": ["x"], "subject_type": ["person"], "name": ["Zhang Xiuying"],
                             "id_type": ["passport"], "id_number": [number]})
    hits = screen_accounts(con, accounts, store=False).hits
    own = hits.filter((pl.col("source") == row["source"]) & (pl.col("source_id") == row["source_id"]))
    assert own.height == 1 and own["score"][0] == 1.0
    assert any(f["feature"] == "identifier" for f in json.loads(own["reasons"][0])["features"])


def test_write_hits_csv_and_parquet(con, tmp_path) -> None:
    hits = screen_accounts(con, _accounts(), store=False).hits
    write_hits(hits, tmp_path / "h.csv")
    write_hits(hits, tmp_path / "h.parquet")
    assert pl.read_csv(tmp_path / "h.csv").columns == HIT_COLUMNS_33
    assert pl.read_parquet(tmp_path / "h.parquet").height == hits.height
    assert tuple(HIT_COLUMNS_33) == HITS_COLUMNS


def test_unknown_run_kind_is_refused(con) -> None:
    with pytest.raises(UsageError, match="run kind"):
        screen_accounts(con, _accounts(), kind="weekly")


def test_chunks_give_the_same_hits(con) -> None:
    whole = screen_accounts(con, _accounts(), store=False, min_score=C.low).hits
    chunked = screen_accounts(con, _accounts(), store=False, min_score=C.low, config=C.replace(chunk_size=2)).hits
    key = ["account_id", "source", "source_id", "score"]
    assert whole.select(key).sort(key).equals(chunked.select(key).sort(key))


def test_hits_follow_the_order_of_the_accounts_given(con) -> None:
    """Chunks are cut from the accounts sorted by name (a name's accounts share a chunk); the hits
    still come back in the caller's order, each account's best first, whatever order that is."""
    accounts = _accounts()
    for order in ([0, 1, 2, 3, 4], [4, 2, 0, 3, 1]):
        given = accounts[order]
        hits = screen_accounts(con, given, store=False, min_score=C.low, config=C.replace(chunk_size=2)).hits
        assert hits.height > 3
        expected = [a for a in given["account_id"].to_list() if a in set(hits["account_id"].to_list())]
        assert hits["account_id"].unique(maintain_order=True).to_list() == expected
        for _, group in hits.group_by("account_id"):
            assert group["score"].to_list() == sorted(group["score"].to_list(), reverse=True)


@pytest.mark.parametrize(("source", "source_id", "name"), [
    ("gb_ofsi", "13647", "M/V CHON MYONG 1"),  # a vessel: the prefix stays in an organisation's name
    ("us_ofac_sdn", "15741", "YK-AND"),  # an aircraft: "and" is an organisation stop word
])
def test_an_organisation_named_like_a_listed_vessel_meets_it_exactly(con, source, source_id, name) -> None:
    accounts = pl.DataFrame({"account_id": ["o1"], "subject_type": ["organization"], "name": [name]})
    hits = screen_accounts(con, accounts, store=False).hits
    own = hits.filter((pl.col("source") == source) & (pl.col("source_id") == source_id))
    assert own.height == 1 and own["name_score"][0] == 1.0
    assert own["score"][0] == hits["score"].max()
