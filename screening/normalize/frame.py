"""name_forms_frame(): forms for many names at once, each distinct (name, type) computed once.

Why the split: 1,000,000 account names must normalise in seconds, and pure Python costs ~10 µs a name.
Chinese person names (most account names here) take a vectorised path: one OpenCC call for the whole
batch, Han -> pinyin by a polars Aho-Corasick replace over phrase overrides and distinct characters.
Every other distinct name goes through name_forms() (in worker processes when there are many). The
vectorised path gives exactly what name_forms() gives; tests check that on real and generated names.
"""
from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Sequence

import polars as pl

from screening.normalize import affixes, chinese, chinese_org
from screening.normalize.forms import hanja_spellings, name_forms, subject_class

FRAME_SCHEMA = {"idx": pl.UInt32, "form": pl.String, "kind": pl.String, "legal_form": pl.String}
_PAIR_SCHEMA = {"name": pl.String, "subject_type": pl.String}
# `pos` keeps each name's forms in name_forms() order through the join.
_FORM_SCHEMA = _PAIR_SCHEMA | {"pos": pl.UInt8, "form": pl.String, "kind": pl.String, "legal_form": pl.String}
# Plain 2-4 character Han names: no spaces, dots, compatibility ideographs or invisible characters.
_HAN_PERSON_RE = "^[\u4e00-\u9fff]{2,4}$"
_HAN_ORG_RE = "^[\u4e00-\u9fff]+$"
# Below this many names the worker processes cost more than they save.
PARALLEL_MIN = 60_000


def tokens(form: str) -> list[str]:
    """Tokens of a normalised form (a Han 'original' form is one token: it has no spaces)."""
    return form.split()


def _as_series(values: Sequence[str | None] | pl.Series | None, name: str, length: int) -> pl.Series:
    if values is None:
        return pl.Series(name, [None] * length, dtype=pl.String)
    if isinstance(values, pl.Series):
        return values.rename(name).cast(pl.String)
    return pl.Series(name, list(values), dtype=pl.String)


def _han_person_forms(pairs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Vectorised forms for plain Han person names; returns (form rows, pairs left for name_forms)."""
    klass = {t: subject_class(t) for t in pairs["subject_type"].unique().to_list()}
    person_types = [t for t, k in klass.items() if k == "person" and t is not None]
    unknown_types = [t for t, k in klass.items() if k is None and t is not None]
    _, _, _, han_legal = affixes.legal_form_tables()
    han_titles = affixes.title_tables()[4]
    legal_re = "(?:" + "|".join(re.escape(a) for a, _ in han_legal) + ")$"
    type_ok = pl.col("subject_type").is_in(person_types) | (
        (pl.col("subject_type").is_null() | pl.col("subject_type").is_in(unknown_types))
        & ~pl.col("name").str.contains(legal_re)
    )
    mask = (pl.col("name").str.contains(_HAN_PERSON_RE) & type_ok).fill_null(False)
    cand = pairs.filter(mask)
    if cand.height == 0:
        return pl.DataFrame(schema=_FORM_SCHEMA), pairs
    simplified = chinese.to_simplified("\n".join(cand["name"].to_list())).split("\n")
    cand = cand.with_columns(simp=pl.Series(simplified, dtype=pl.String))
    title_re = "(?:" + "|".join(re.escape(t) for t in han_titles) + ")$"
    unknown_legal = ~pl.col("subject_type").is_in(person_types).fill_null(False) & pl.col("simp").str.contains(legal_re)
    ok = (pl.col("simp").str.contains(_HAN_PERSON_RE) & ~pl.col("simp").str.contains(title_re) & ~unknown_legal)
    ok = ok.fill_null(False)
    done = cand.filter(ok)
    left = pl.concat([pairs.filter(~mask), cand.filter(~ok).select("name", "subject_type")])

    readings, _ = chinese.surname_table()
    compound = [s for s in readings if len(s) == 2]
    done = done.with_columns(
        compound=(pl.col("simp").str.len_chars() >= 3) & pl.col("simp").str.slice(0, 2).is_in(compound)
    ).with_columns(
        surname=pl.when("compound").then(pl.col("simp").str.slice(0, 2)).otherwise(pl.col("simp").str.slice(0, 1)),
        given=pl.when("compound").then(pl.col("simp").str.slice(2)).otherwise(pl.col("simp").str.slice(1)),
    )
    patterns, replacements = _pinyin_patterns(pl.concat([done["given"], done["surname"]]), separator="")
    done = done.with_columns(
        surname_py=pl.col("surname").replace_strict(readings, default=None, return_dtype=pl.String).fill_null(
            pl.col("surname").str.replace_many(patterns, replacements, leftmost=True)
        ),
        given_py=pl.col("given").str.replace_many(patterns, replacements, leftmost=True),
        # a heteronym surname read as an ordinary character (朴 pu, not piao): chinese.common_surname_reading
        common_py=pl.col("surname").str.replace_many(patterns, replacements, leftmost=True),
        listed_surname=pl.col("surname").is_in(list(readings)),
    ).with_columns(
        pinyin=pl.concat_str(["surname_py", "given_py"], separator=" ").str.strip_chars(" "),
        common=pl.when(pl.col("listed_surname") & (pl.col("common_py") != pl.col("surname_py")))
        .then(pl.concat_str(["common_py", "given_py"], separator=" ").str.strip_chars(" ")).otherwise(pl.lit("")),
    )
    # Korean readings of names that can be Korean (forms.hanja_spellings), per distinct name
    korean = {s: [" ".join(t) for t in hanja_spellings(s)] for s in done["simp"].unique().to_list()}
    korean = {s: k for s, k in korean.items() if k}
    done = done.with_columns(korean=pl.col("simp").replace_strict(korean, default=[], return_dtype=pl.List(pl.String)))
    kr = (done.select("name", "subject_type", "korean").explode("korean").drop_nulls("korean")
          .with_columns(pos=(3 + pl.int_range(pl.len()).over("name", "subject_type")).cast(pl.UInt8)))
    forms = pl.concat([
        done.select("name", "subject_type", pos=pl.lit(0, pl.UInt8), form=pl.col("simp"), kind=pl.lit("original")),
        done.select("name", "subject_type", pos=pl.lit(1, pl.UInt8), form=pl.col("pinyin"), kind=pl.lit("pinyin")),
        done.select("name", "subject_type", pos=pl.lit(2, pl.UInt8), form=pl.col("common"), kind=pl.lit("variant")),
        kr.select("name", "subject_type", "pos", form=pl.col("korean"), kind=pl.lit("variant")),
    ]).filter(pl.col("form") != "").with_columns(legal_form=pl.lit(None, dtype=pl.String))
    return forms, left


def _han_org_forms(pairs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Vectorised forms for organisation names written only in Han: legal form at the end removed and
    kept, one pinyin syllable per character; returns (form rows, pairs left for name_forms)."""
    org_types = [t for t in pairs["subject_type"].unique().to_list() if t is not None and subject_class(t) == "org"]
    mask = (pl.col("name").str.contains(_HAN_ORG_RE) & pl.col("subject_type").is_in(org_types)).fill_null(False)
    cand = pairs.filter(mask)
    if cand.height == 0:
        return pl.DataFrame(schema=_FORM_SCHEMA), pairs
    simplified = chinese.to_simplified("\n".join(cand["name"].to_list())).split("\n")
    cand = cand.with_columns(simp=pl.Series(simplified, dtype=pl.String))
    ok = pl.col("simp").str.contains(_HAN_ORG_RE).fill_null(False)
    done = cand.filter(ok)
    left = pl.concat([pairs.filter(~mask), cand.filter(~ok).select("name", "subject_type")])
    han_legal = affixes.legal_form_tables()[3]
    codes = dict(han_legal)
    # Lazy prefix = longest alias at the end, and the name keeps at least one character (as in Python).
    legal_re = "^(.+?)(" + "|".join(re.escape(a) for a, _ in han_legal) + ")$"
    done = done.with_columns(
        stem=pl.col("simp").str.extract(legal_re, 1).fill_null(pl.col("simp")),
        legal_form=pl.col("simp").str.extract(legal_re, 2).replace_strict(codes, default=None, return_dtype=pl.String),
    )
    patterns, replacements = _pinyin_patterns(done["stem"], separator=" ")
    done = done.with_columns(
        pinyin=pl.col("stem").str.replace_many(patterns, replacements, leftmost=True)
        .str.replace_all(" +", " ").str.strip_chars(" ")
    )
    # the English-listing readings (chinese_org), per distinct stem: a dictionary scan, not per name
    stems = done["stem"].unique().to_list()
    readings = {s: [" ".join(r) for r in chinese_org.readings([s])] for s in stems}
    most = max((len(r) for r in readings.values()), default=0)
    reading = [pl.col("stem").replace_strict({s: r[k] if len(r) > k else "" for s, r in readings.items()},
                                             return_dtype=pl.String) for k in range(most)]
    done = done.with_columns(pl.when(r == pl.col("pinyin")).then(pl.lit("")).otherwise(r).alias(f"reading{k}")
                             for k, r in enumerate(reading))
    forms = pl.concat([
        done.select("name", "subject_type", pos=pl.lit(0, pl.UInt8), form=pl.col("stem"), kind=pl.lit("original"),
                    legal_form="legal_form"),
        done.select("name", "subject_type", pos=pl.lit(1, pl.UInt8), form=pl.col("pinyin"), kind=pl.lit("pinyin"),
                    legal_form="legal_form"),
    ] + [done.select("name", "subject_type", pos=pl.lit(2 + k, pl.UInt8), form=pl.col(f"reading{k}"),
                     kind=pl.lit("pinyin"), legal_form="legal_form") for k in range(most)]
    ).filter(pl.col("form") != "")
    return forms, left


def _pinyin_patterns(texts: pl.Series, separator: str) -> tuple[list[str], list[str]]:
    """Aho-Corasick patterns for Han -> pinyin: phrase overrides (longest first) then every distinct
    character of `texts`; with leftmost matching this is the same greedy scan as chinese.syllables()."""
    overrides, _ = chinese.phrase_overrides()
    chars = sorted(set("".join(texts.unique().to_list())))
    phrases = sorted(overrides, key=len, reverse=True)
    patterns = phrases + chars
    replacements = [separator.join(overrides[p]) + separator for p in phrases]
    replacements += [chinese.READINGS[c] + separator for c in chars]
    return patterns, replacements


def _python_forms(chunk: list[tuple[str | None, str | None]]) -> dict[str, list]:
    """name_forms() over (name, type) pairs, as columns (cheap to send back from a worker)."""
    cols: dict[str, list] = {"name": [], "subject_type": [], "pos": [], "form": [], "kind": [], "legal_form": []}
    for name, subject_type in chunk:
        for pos, f in enumerate(name_forms(name or "", subject_type)):
            cols["name"].append(name)
            cols["subject_type"].append(subject_type)
            cols["pos"].append(pos)
            cols["form"].append(f.text)
            cols["kind"].append(f.kind)
            cols["legal_form"].append(f.legal_form)
    return cols


def _python_frame(pairs: pl.DataFrame) -> pl.DataFrame:
    rows = list(pairs.iter_rows())
    # A worker process (one per core, screen.screen_chunks) normalises its own chunk: no pool of its own.
    workers = min(os.cpu_count() or 1, 8) if multiprocessing.parent_process() is None else 1
    if len(rows) < PARALLEL_MIN or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return pl.DataFrame(_python_forms(rows), schema=_FORM_SCHEMA)
    # Warm the lazily built tables once here; forked workers inherit them instead of rebuilding.
    name_forms("中国银行重庆", "organization")
    name_forms("صدام Путин 김정은 Chang", None)
    size = -(-len(rows) // (workers * 4))
    chunks = [rows[i:i + size] for i in range(0, len(rows), size)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.map(_python_forms, chunks)
    return pl.concat([pl.DataFrame(p, schema=_FORM_SCHEMA) for p in parts])


def name_forms_frame(
    names: Sequence[str | None] | pl.Series,
    subject_types: Sequence[str | None] | pl.Series | None = None,
) -> pl.DataFrame:
    """Columns idx (UInt32, position in the input), form, kind, legal_form; one or more rows per name
    that has any letter or digit (none for empty names). Distinct (name, type) pairs are normalised once."""
    name_s = _as_series(names, "name", 0)
    type_s = _as_series(subject_types, "subject_type", len(name_s))
    if len(type_s) != len(name_s):
        raise ValueError(f"{len(name_s)} names but {len(type_s)} subject types")
    frame = pl.DataFrame([name_s, type_s]).with_row_index("idx")
    pairs = frame.select("name", "subject_type").unique(maintain_order=True)
    persons, rest = _han_person_forms(pairs)
    orgs, rest = _han_org_forms(rest)
    forms = pl.concat([persons.select(list(_FORM_SCHEMA)), orgs.select(list(_FORM_SCHEMA)), _python_frame(rest)])
    out = frame.join(forms, on=["name", "subject_type"], how="inner", nulls_equal=True)
    return out.sort("idx", "pos").select(pl.col("idx").cast(pl.UInt32), "form", "kind", "legal_form")
