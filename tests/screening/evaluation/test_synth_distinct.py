"""The distinct synthetic profile: nearly every name new, in the scripts a speed measure must face."""

from __future__ import annotations

import re

import polars as pl

from screening.accounts import ACCOUNT_SCHEMA
from screening.evaluation.synth_distinct import distinct_accounts, katakana

SCRIPTS = {"cyrillic": r"[\u0400-\u04FF]", "arabic": r"[\u0600-\u06FF]", "han": r"[\u4E00-\u9FFF]",
           "hangul": r"[\uAC00-\uD7AF]", "katakana": r"[\u30A0-\u30FF]", "latin": r"^[A-Za-z .'&-]+$"}


def test_names_are_almost_all_distinct_and_in_mixed_scripts() -> None:
    df = distinct_accounts(50_000, 0)
    assert df.columns == list(ACCOUNT_SCHEMA)
    assert df["account_id"].n_unique() == df.height
    assert df["name"].n_unique() / df.height > 0.97
    names = df["name"].to_list()
    for script, pattern in SCRIPTS.items():
        share = sum(1 for n in names if re.search(pattern, n)) / len(names)
        assert share > 0.01, script
    # every non-Latin name comes with a Latin one, as a registrant would give it
    assert df.filter(pl.col("name_latin").is_null()).height == 0
    assert set(df["subject_type"].unique()) == {"person", "organization"}


def test_deterministic_for_a_seed() -> None:
    assert distinct_accounts(2_000, 3).equals(distinct_accounts(2_000, 3))
    assert not distinct_accounts(2_000, 3)["name"].equals(distinct_accounts(2_000, 4)["name"])


def test_katakana() -> None:
    assert katakana("Hiroshi") == "ヒロシ"
    assert katakana("Kenta") == "ケンタ"
    assert katakana("Shinnosuke") == "シンノスケ"
    assert katakana("Xavier") is None
