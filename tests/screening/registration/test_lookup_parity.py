"""lookup() and the batch screen give the same hits, name by name.

The one-name path (`Screener.lookup`: `query.prepare_record`, dict key lookups, `screen.screen_one`)
and the batch path (`screen_accounts`: `query.prepare_queries`, the DuckDB key joins) share the
scoring code but not the candidate generation or the preparation of the names; a difference in
either would make a registration answer disagree with the nightly rescreen. Names: the distinct
profile's synthetic accounts (Latin of many languages, Cyrillic, Arabic, Han, Hangul, kana), the
platform profile's, and variants of real entries of the bundled lists (`plant_matches`), so that
many of them hit.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from screening.accounts import normalise_accounts
from screening.evaluation.planting import plant_matches
from screening.evaluation.synth import synth_accounts
from screening.evaluation.synth_distinct import distinct_accounts
from screening.matching.config import DEFAULT_CONFIG as C
from screening.registration import Screener
from screening.runs import screen_accounts
from screening.store import connect as store_connect


def _accounts(con) -> pl.DataFrame:  # type: ignore[no-untyped-def]
    distinct = normalise_accounts(distinct_accounts(180, seed=5)).accounts
    platform = normalise_accounts(synth_accounts(120, seed=6)).accounts
    distinct = plant_matches(distinct, con, n=60, seed=5)  # real list entries, varied as registrants type them
    platform = plant_matches(platform, con, n=40, seed=6)
    accounts = pl.concat([distinct, platform], how="diagonal_relaxed")
    return accounts.with_columns(account_id=pl.format("A{}", pl.int_range(pl.len()).cast(pl.String)))


def _hits(rows) -> set[tuple[str, str, float]]:  # type: ignore[no-untyped-def]
    return {(h["source"], h["source_id"], round(float(h["score"]), 9)) for h in rows}


def test_lookup_gives_the_batch_screens_hits(fresh: Path) -> None:
    con = store_connect(str(fresh))
    accounts = _accounts(con)
    batch = screen_accounts(con, accounts, store=False, min_score=C.low).hits
    con.close()
    screener = Screener(fresh)
    by_account = {a: _hits(g.to_dicts()) for (a,), g in batch.group_by("account_id")}
    differ, hit = [], 0
    for row in accounts.select("account_id", "subject_type", "name", "birth_date", "country",
                               "nationality").to_dicts():
        one = screener.lookup(row["name"], subject_type=row["subject_type"], birth_date=row["birth_date"],
                              country=row["country"], nationality=row["nationality"], min_score=C.low)
        found = _hits(one.hits)
        hit += bool(found)
        if found != by_account.get(row["account_id"], set()):
            differ.append((row["name"], sorted(found), sorted(by_account.get(row["account_id"], set()))))
    assert differ == []
    assert accounts.height == 300 and hit >= 60, hit  # the planted names and some namesakes hit
