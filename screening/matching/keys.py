"""Blocking keys: the equi-join rules of candidate generation (docs/architecture.md §4).

A key is "<rule>:<value>". Each rule is one equi-join between account-side and list-side keys; the
candidates of a name are the union over rules. Rules:

| rule | key of each token / form | finds |
|---|---|---|
| `t` token | every token (also read past OCR digits, y as i, and its nickname / romanisation equivalents), and every two adjacent tokens joined | exact tokens, concatenation / split |
| `d` deletion | a long token and each of its one-letter deletions | one typo or transposition per token |
| `p` phonetic | the token's phonetic key | transliteration variants (Mohammed / Muhammad) |
| `w` word pair | two tokens (or adjacent tokens joined) of the name, sorted | names of common tokens (cut from `t`); Han-derived names, keyed only so |
| `c` compact | the whole name without spaces | exact and spacing variants of whole names |

Keys shared by more than `max_key_postings` list names are cut when the index is loaded (common
tokens such as "ltd" or "mohammad"); the word-pair rule keeps such names reachable.

The per-token part is one cached function; assembling a name's keys has a vectorised (polars) form
for batches and a plain form for one name, which a test keeps equal.
"""

from __future__ import annotations

import functools
import itertools
from typing import Sequence

import numpy as np
import polars as pl

from screening.matching.tokens import (
    has_cjk, is_particle, is_pinyin, nickname_pairs, ocr_fold, phonetic_key, variant_pairs, vowel_fold,
)

RULES: dict[str, str] = {
    "t": "token",
    "d": "deletion",
    "p": "phonetic",
    "w": "word_pair",
    "c": "compact",
    "i": "identifier",
    "f": "fallback",
}
RULE_BITS: dict[str, int] = {rule: 1 << i for i, rule in enumerate(RULES)}
PAIR_MAX_TOKENS = 6  # names with more tokens get word-pair keys for adjacent tokens only
KEYING_VERSION = "7"


PHONETIC_MIN_LEN = 6  # shorter tokens get no phonetic key (five letters do unless they are pinyin: too
                      # many Chinese syllables share one)


@functools.lru_cache(maxsize=500_000)
def token_keys(token: str, deletion_min_len: int) -> tuple[str, ...]:
    """The keys of one token (rules t, d, p); Han / Kana / Hangul tokens get token keys only."""
    keys = [f"t:{token}"]
    if has_cjk(token):
        return tuple(keys)
    read = ocr_fold(token)
    if read != token:  # M0HAMMAD: key it as the name it shows
        keys.append(f"t:{read}")
        token = read
    folded = vowel_fold(token)
    if folded != token:
        keys.append(f"t:{folded}")
    if len(token) >= deletion_min_len - 1 and not any(ch.isdigit() for ch in token):
        keys.append(f"d:{token}")  # also meets the one-letter deletions of a token one letter longer
        if len(token) >= deletion_min_len:
            keys.extend(f"d:{token[:i]}{token[i + 1:]}" for i in range(len(token)))
    long_enough = len(token) >= PHONETIC_MIN_LEN or (len(token) == PHONETIC_MIN_LEN - 1 and not is_pinyin(token))
    phon = phonetic_key(token) if long_enough else None
    if phon:
        keys.append(f"p:{phon}")
    if len(token) >= 3 and not is_particle(token):
        keys.extend(f"t:{other}" for other in equivalent_names(token))
    return tuple(dict.fromkeys(keys))


@functools.cache
def _equivalents() -> dict[str, tuple[str, ...]]:
    table: dict[str, set[str]] = {}
    for a, b in nickname_pairs() | variant_pairs():
        table.setdefault(a, set()).add(b)
    return {k: tuple(sorted(v)) for k, v in table.items()}


def equivalent_names(token: str) -> tuple[str, ...]:
    """Names related to `token` by the nickname or name-variant tables (Bill → William, Mehmet →
    Mohammed): extra token keys."""
    return _equivalents().get(token, ())


def _elements(toks: Sequence[str]) -> list[tuple[str, int]]:
    """Pair elements of a name: its tokens and two adjacent tokens joined, with the token positions
    each covers."""
    out = [(t, 1 << i) for i, t in enumerate(toks)]
    out += [(a + b, 3 << i) for i, (a, b) in enumerate(zip(toks, toks[1:]))]
    return out


def form_keys(toks: Sequence[str], deletion_min_len: int, strict: bool = False) -> dict[str, int]:
    """All keys of one name form given its tokens, each with the bit set of token positions it covers.

    `strict` (a Han-derived romanisation): its pinyin syllables align only exactly, so they are keyed
    only in pairs, never one by one; the pair keys of a two-syllable name are few and selective
    where "t:wang" would fetch every Wang.
    """
    keys: dict[str, int] = {}

    def add(key: str, mask: int) -> None:
        keys[key] = keys.get(key, 0) | mask

    single = len(toks) == 1
    for i, t in enumerate(toks):
        if strict and not single and is_pinyin(t):
            continue
        for k in token_keys(t, deletion_min_len):
            add(k, 1 << i)
    if not strict:
        for i, (a, b) in enumerate(zip(toks, toks[1:])):
            add(f"t:{a}{b}", 3 << i)
    elements = _elements(toks)
    for (a, ma), (b, mb) in itertools.combinations(elements, 2):
        if ma & mb or a == b:
            continue
        if len(toks) > PAIR_MAX_TOKENS and not _adjacent(ma, mb):
            continue
        add(f"w:{min(a, b)} {max(a, b)}", ma | mb)
    if toks:  # the whole form: an exact name is always a candidate, however common its tokens
        add(f"c:{''.join(toks)}", (1 << len(toks)) - 1)
    return keys


def _adjacent(ma: int, mb: int) -> bool:
    """Two elements touch (used for long names, where only neighbours are paired)."""
    hi_a, hi_b = ma.bit_length() - 1, mb.bit_length() - 1
    lo_a, lo_b = (ma & -ma).bit_length() - 1, (mb & -mb).bit_length() - 1
    return hi_a + 1 == lo_b or hi_b + 1 == lo_a


def forms_keys_frame(unit_tokens: pl.DataFrame, deletion_min_len: int) -> pl.DataFrame:
    """Keys of many forms at once: `unit_tokens` has columns unit (u32), pos (u16), token and
    optionally strict (bool). Returns distinct (unit, key, mask): the same keys and position masks
    as `form_keys` gives per unit."""
    ut = _with_counts(unit_tokens)
    bit = pl.lit(2, dtype=pl.Int64).pow(pl.col("pos").cast(pl.UInt32))
    single = (single_key_rows(ut).join(token_keys_frame(ut["token"].unique().to_list(), deletion_min_len), on="token")
              .select("unit", "key", mask=bit))
    return (pl.concat([single, name_keys_frame(ut)]).group_by("unit", "key")
            .agg(pl.col("mask").bitwise_or()))


def _with_counts(unit_tokens: pl.DataFrame) -> pl.DataFrame:
    ut = unit_tokens
    if "strict" not in ut.columns:
        ut = ut.with_columns(strict=pl.lit(False))
    if "n" not in ut.columns:
        ut = ut.join(ut.group_by("unit").agg(pl.len().alias("n")), on="unit")
    return ut


def token_keys_frame(tokens: Sequence[str], deletion_min_len: int) -> pl.DataFrame:
    """(token, key) of the single-token rules (t, d, p) of each token."""
    flat_tok, flat_key = [], []
    for t in tokens:
        ks = token_keys(t, deletion_min_len)
        flat_tok.extend([t] * len(ks))
        flat_key.extend(ks)
    return pl.DataFrame({"token": flat_tok, "key": flat_key}, schema={"token": pl.String, "key": pl.String})


def single_key_rows(unit_tokens: pl.DataFrame) -> pl.DataFrame:
    """The rows (unit, pos, token, …) keyed token by token: all but the pinyin syllables of a strict
    (Han-derived) form of two tokens or more, which are keyed only in pairs."""
    ut = _with_counts(unit_tokens)
    strict = ut.filter(pl.col("strict") & (pl.col("n") > 1))
    if strict.height == 0:
        return ut
    tokens = strict["token"].unique().to_list()
    syllables = pl.DataFrame({"token": [t for t in tokens if is_pinyin(t)]}, schema={"token": pl.String})
    dropped = strict.join(syllables, on="token").select("unit", "pos")
    return ut.join(dropped, on=["unit", "pos"], how="anti")


def name_keys_frame(unit_tokens: pl.DataFrame, pair_elements: pl.Series | None = None) -> pl.DataFrame:
    """(unit, key, mask) of the keys of a whole name rather than of one token: adjacent tokens joined
    (rule t), word pairs (w) and the compact form (c).

    `pair_elements` (the elements of every listed word-pair key, kept or cut): word pairs are made only of
    these, as a pair holding any other element meets no listed key; most pairs of a batch of new names
    are such, and building their strings was most of the cost."""
    ut = _with_counts(unit_tokens).select("unit", "pos", "token", "strict", "n")
    bit = pl.lit(2, dtype=pl.Int64).pow(pl.col("pos").cast(pl.UInt32))
    nxt = ut.select("unit", pl.col("pos") - 1, pl.col("token").alias("next"))
    joined = ut.join(nxt, on=["unit", "pos"]).select(
        "unit", "n", "strict", text=pl.col("token") + pl.col("next"), mask=bit * 3)
    adjacent = joined.filter(~pl.col("strict")).select("unit", key=pl.lit("t:") + pl.col("text"), mask="mask")
    elements = pl.concat([
        ut.select("unit", "n", "strict", text=pl.col("token"), mask=bit),
        joined,
    ])
    if pair_elements is not None:
        elements = elements.filter(pl.col("text").is_in(pair_elements.implode()))
    lo = pl.col("mask") & -pl.col("mask")
    elements = elements.with_columns(
        lo=lo, hi=pl.lit(2, dtype=pl.Int64).pow((pl.col("mask").log(2).floor()).cast(pl.UInt32)))
    pairs = (
        elements.join(elements.select("unit", pl.col("text").alias("text2"), pl.col("mask").alias("mask2"),
                                      pl.col("lo").alias("lo2"), pl.col("hi").alias("hi2")), on="unit")
        .filter(((pl.col("mask") & pl.col("mask2")) == 0) & (pl.col("text") < pl.col("text2"))
                & ((pl.col("n") <= PAIR_MAX_TOKENS) | (pl.col("hi") * 2 == pl.col("lo2"))
                   | (pl.col("hi2") * 2 == pl.col("lo"))))
        .select("unit", key=pl.lit("w:") + pl.col("text") + pl.lit(" ") + pl.col("text2"),
                mask=pl.col("mask") | pl.col("mask2"))
    )
    compact = (
        ut.sort("unit", "pos").group_by("unit").agg(pl.col("token").str.join(""), pl.len().alias("n"))
        .select("unit", key=pl.lit("c:") + pl.col("token"),
                mask=pl.lit(2, dtype=pl.Int64).pow(pl.col("n").cast(pl.UInt32)) - 1)
    )
    return pl.concat([adjacent, pairs, compact])


def adjacent_keys(tok: np.ndarray, text: np.ndarray) -> pl.DataFrame:
    """(key, unit) of two adjacent tokens joined ("abdul rahman" holds t:abdulrahman), for a token-id matrix
    (-1 pads) and the tokens' texts: the list side of an account token meeting a listed name written apart."""
    parts = []
    for j in range(tok.shape[1] - 1):
        rows = np.flatnonzero((tok[:, j] >= 0) & (tok[:, j + 1] >= 0))
        if len(rows):
            parts.append(pl.DataFrame({"key": ["t:" + a + b for a, b in zip(text[tok[rows, j]].tolist(),
                                                                              text[tok[rows, j + 1]].tolist())],
                                       "unit": rows.astype(np.int32)}))
    return pl.concat(parts) if parts else pl.DataFrame(schema={"key": pl.String, "unit": pl.Int32})
