"""lookup(): decisions, fail-closed on stale lists, reload on a new version, many threads, batch parity."""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
import pytest

from lists import get_spec
from lists.store import load_version
from screening.matching.config import DEFAULT_CONFIG as C
from screening.indexing import build_match_index
from screening.settings import LOOKUP_REFRESH_ENV as REFRESH_ENV
from screening.registration import Screener, lookup
from screening.runs import screen_accounts
from screening.store import connect as store_connect
from tests.conftest import un_xml_dated

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "lists"
CLEAN = "Zhang Xiuying"
LISTED = "Igor Ivanovich Sechin"


def _mark_checked(path: Path, when: dt.datetime | None = None) -> None:
    """Record a successful publisher check of every source and publish the freshness (what a refresh does)."""
    con = store_connect(str(path))
    con.execute(
        """INSERT INTO list_fetches (fetch_id, source, checked_at, status, version_id, from_publisher)
           SELECT nextval('list_fetch_seq'), source, ?, 'unchanged', version_id, true FROM current_versions""",
        [when or dt.datetime.now()])
    build_match_index(con)
    con.close()


def test_snapshot_lists_are_stale_so_lookups_fail_closed(store: Path) -> None:
    screener = Screener(store)
    clean = screener.lookup(CLEAN, subject_type="person")
    assert clean.decision == "review" and clean.hits == []
    [stale] = [r for r in clean.reasons if r.startswith("lists stale")]
    assert "un_sc (bundled snapshot" in stale
    assert {"un_sc", "us_ofac_sdn", "cn_sanctions"} <= set(clean.stale_sources)
    listed = screener.lookup(LISTED, subject_type="person", birth_date="1960-09-07")
    assert listed.decision == "block"  # a hit is never softened by staleness


def test_fresh_lists_clear_a_clean_name(fresh: Path) -> None:
    screener = Screener(fresh)
    clean = screener.lookup(CLEAN, subject_type="person", birth_date="1985-03-03", nationality="CN")
    assert clean.decision == "clear" and clean.hits == [] and clean.stale_sources == [] and clean.reasons == []
    assert {v["source"] for v in clean.list_versions} == {"un_sc", "us_ofac_sdn", "cn_sanctions", "gb_ofsi"}
    assert clean.config_hash == C.hash
    listed = screener.lookup(LISTED, subject_type="person")
    assert listed.decision == "block" and listed.hits and "reasons" in listed.hits[0]


def test_old_checks_are_stale(fresh: Path) -> None:
    con = store_connect(str(fresh))
    # three days without a check, from now (not from when the fixture store was built: on a loaded machine
    # that can be half an hour earlier, and the reason would say 73 h)
    three_days_ago = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=3)
    con.execute("UPDATE list_fetches SET checked_at = ?", [three_days_ago])
    build_match_index(con)  # republishes the freshness readers see
    con.close()
    result = Screener(fresh).lookup(CLEAN, subject_type="person")
    assert result.decision == "review" and "un_sc" in result.stale_sources
    assert "un_sc (last checked 72 h ago (max 48 h))" in result.reasons[-1]


def test_an_old_publication_is_stale_however_recently_loaded(fresh: Path, tmp_path: Path) -> None:
    con = store_connect(str(fresh))
    old = un_xml_dated(tmp_path, dt.date.today() - dt.timedelta(days=10))
    load_version(con, get_spec("un_sc"), old, force_reason="test: an operator rolls UN back to a 10-day-old file")
    build_match_index(con)
    con.close()
    result = Screener(fresh).lookup(CLEAN, subject_type="person")
    assert result.decision == "review" and result.stale_sources == ["un_sc"]
    assert result.reasons == ["lists stale: un_sc (published 10 days ago (max 7))"]


def test_missing_store_fails_closed(tmp_path: Path) -> None:
    result = Screener(tmp_path / "none.duckdb").lookup(CLEAN)
    assert result.decision == "review"
    assert result.reasons[0].startswith("lists unavailable: no screening store at")


def test_a_store_without_lists_fails_closed_with_a_clear_reason(tmp_path: Path) -> None:
    store_connect(str(tmp_path / "empty.duckdb")).close()  # migrated, no list loaded
    result = Screener(tmp_path / "empty.duckdb").lookup(LISTED)
    assert (result.decision, result.hits) == ("review", [])
    assert result.reasons == ["lists unavailable: no list version in force (run `screening lists refresh`)"]


def test_public_lookup_reads_the_store_given(fresh: Path) -> None:
    result = lookup(LISTED, subject_type="person", db=fresh)
    assert result.decision == "block"


def test_many_threads_get_the_same_answers(fresh: Path) -> None:
    screener = Screener(fresh).warm()
    names = [LISTED, CLEAN, "Bank Melli Iran", "Kim Jong Un", "王小明", "Vladimir Putin", "Ali Mohammed", "Nobody Here"]
    expected = {n: screener.lookup(n) for n in names}
    work = names * 12
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(screener.lookup, work))
    for name, result in zip(work, results):
        want = expected[name]
        assert result.decision == want.decision
        assert [(h["source"], h["source_id"], h["score"]) for h in result.hits] == \
               [(h["source"], h["source_id"], h["score"]) for h in want.hits]


def test_a_new_list_version_is_picked_up(store: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(REFRESH_ENV, "0")
    screener = Screener(store)
    before = {v["source"]: v["version_id"] for v in screener.lookup(CLEAN).list_versions}
    con = store_connect(str(store))
    spec = dataclasses.replace(get_spec("un_sc"), min_entries=1)
    excerpt = un_xml_dated(tmp_path, dt.date.today(), FIXTURES / "un_sc" / "consolidated_2024-11-30_excerpt.xml")
    loaded = load_version(con, spec, excerpt, check_shrink=False)
    build_match_index(con)  # what every loader calls: builds the index, publishes the snapshot
    con.close()
    screener.lookup(CLEAN)  # notices the new snapshot, loads it in the background
    if screener.reader._loading is not None:
        screener.reader._loading.join(timeout=120)
    after = {v["source"]: v["version_id"] for v in screener.lookup(CLEAN).list_versions}
    assert after["un_sc"] == loaded.version_id != before["un_sc"]


def test_lookup_equals_the_batch_screen(fresh: Path) -> None:
    screener = Screener(fresh)
    record = {"subject_type": "person", "name": "Igor Sechin", "birth_date": "1960-09-07", "nationality": "RU"}
    one = screener.lookup(record["name"], subject_type="person", birth_date=record["birth_date"], nationality="RU")
    con = store_connect(str(fresh))
    accounts = pl.DataFrame({"account_id": ["x"], "subject_type": ["person"], "name": [record["name"]],
                             "birth_date": [dt.date(1960, 9, 7)], "nationality": ["RU"]})
    batch = screen_accounts(con, accounts, store=False).hits
    con.close()
    assert sorted((h["source"], h["source_id"], h["score"]) for h in one.hits) == \
           sorted(zip(batch["source"], batch["source_id"], batch["score"]))
