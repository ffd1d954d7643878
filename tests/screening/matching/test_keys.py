"""Blocking keys: the one-name assembly equals the vectorised one, on real list names and random ones."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.matching.config import DEFAULT_CONFIG
from screening.matching.arrays import form_tokens
from screening.matching.keys import form_keys, forms_keys_frame


def _frame_keys(names: list[list[str]], strict: list[bool]) -> list[dict[str, int]]:
    rows = [(u, i, t, s) for u, (toks, s) in enumerate(zip(names, strict)) for i, t in enumerate(toks)]
    ut = pl.DataFrame(rows, schema={"unit": pl.UInt32, "pos": pl.UInt16, "token": pl.String, "strict": pl.Boolean},
                      orient="row")
    keys = forms_keys_frame(ut, DEFAULT_CONFIG.deletion_min_len)
    out: list[dict[str, int]] = [{} for _ in names]
    for u, k, m in keys.iter_rows():
        out[u][k] = m
    return out


def test_plain_and_vectorised_keys_agree_on_list_names(ro_con) -> None:
    forms = ro_con.sql("SELECT DISTINCT form FROM match_index_forms ORDER BY form LIMIT 3000").pl()["form"].to_list()
    names = [form_tokens(f) for f in forms]
    strict = [i % 3 == 0 for i in range(len(names))]
    framed = _frame_keys(names, strict)
    for toks, s, got in zip(names, strict, framed):
        assert got == form_keys(toks, DEFAULT_CONFIG.deletion_min_len, s), toks


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["wang", "jian", "hua", "al", "mohammed", "smith", "j", "ab", "x1", "li"]),
                         min_size=1, max_size=8), min_size=1, max_size=6), st.booleans())
def test_plain_and_vectorised_keys_agree(names: list[list[str]], strict: bool) -> None:
    framed = _frame_keys(names, [strict] * len(names))
    for toks, got in zip(names, framed):
        assert got == form_keys(toks, DEFAULT_CONFIG.deletion_min_len, strict)


def test_keys_cover_typos_merges_and_pairs() -> None:
    keys = form_keys(["mohammed", "hassan"], DEFAULT_CONFIG.deletion_min_len)
    typo = form_keys(["mohammed", "hasan"], DEFAULT_CONFIG.deletion_min_len)
    assert "d:hasan" in keys and "d:hasan" in typo  # one deletion apart
    assert "t:mohammedhassan" in keys  # adjacent tokens joined (merge)
    assert keys["w:hassan mohammed"] == 0b11


def test_han_derived_names_are_keyed_in_pairs_only() -> None:
    strict = form_keys(["wang", "wei"], DEFAULT_CONFIG.deletion_min_len, strict=True)
    assert "t:wang" not in strict and "w:wang wei" in strict
    assert "t:wang" in form_keys(["wang", "wei"], DEFAULT_CONFIG.deletion_min_len)
