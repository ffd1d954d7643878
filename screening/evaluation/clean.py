"""The hard part of the clean base: names a screening system alerts on most, none of them listed.

The synthetic base (screening.evaluation.synth) draws names the way a Chinese platform sees them. On names the
matcher was not tuned to, clean alerts run several times higher, from three kinds of names the base
holds too few of (issue 13 §3): common Chinese names (the most frequent surnames and given names, in
Han and in pinyin, one or two given characters), English company names of one common word plus a
legal form ("Johnson PLC", "Ward Ltd"), and common Arabic names. Drawn by frequency from the
synthesiser's own tables (screening/resources/synth), so every figure is reproducible from the seed.
Exact namesakes of listed names among them still must alert; eval_clean counts them apart.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from screening.evaluation.synth import RESOURCES

# legal forms of one-word English company names, as written
_LEGAL = ["Ltd", "Limited", "PLC", "LLC", "Inc.", "Corp.", "Co., Ltd.", "Holdings Ltd", "Group"]
_ARABIC_COUNTRIES = ["EG", "SA", "AE", "JO", "IQ", "SY", "LB", "MA"]


def _table(name: str) -> pl.DataFrame:
    return pl.read_csv(RESOURCES / name, infer_schema=False)


def _pick(rng: np.random.Generator, values: list[str], weights: list[float], size: int) -> list[str]:
    p = np.asarray(weights, dtype=float)
    return [values[i] for i in rng.choice(len(values), size=size, p=p / p.sum())]


def _dobs(rng: np.random.Generator, n: int) -> list[dt.date]:
    start = dt.date(1950, 1, 1).toordinal()
    return [dt.date.fromordinal(int(d)) for d in rng.integers(start, dt.date(2004, 1, 1).toordinal(), n)]


def hard_clean_accounts(n: int, seed: int) -> pl.DataFrame:
    """`n` accounts (columns of synth.synth_accounts that screening reads): 40 % common Chinese
    persons (half with a pinyin Latin name, a tenth in pinyin only), 30 % one-word English companies,
    30 % common Arabic persons. Account ids start with "H"."""
    rng = np.random.default_rng(seed + 13)
    n_cn, n_org = int(n * 0.4), int(n * 0.3)
    n_ar = n - n_cn - n_org
    surnames = _table("cn_surnames.csv").head(20)  # the most frequent, as listed by frequency
    given = _table("cn_given_chars.csv").sort(pl.col("weight").cast(pl.Float64), descending=True).head(40)
    s_idx = rng.choice(surnames.height, n_cn, p=_norm(surnames["frequency"])).tolist()
    g1 = rng.choice(given.height, n_cn, p=_norm(given["weight"])).tolist()
    g2 = rng.choice(given.height, n_cn, p=_norm(given["weight"])).tolist()
    two = rng.random(n_cn) < 0.5
    han = [surnames["han"][s] + given["han"][a] + (given["han"][b] if t else "") for s, a, b, t in zip(s_idx, g1, g2, two)]
    pinyin = [surnames["pinyin"][s].title() + " " + (given["pinyin"][a] + (given["pinyin"][b] if t else "")).title()
              for s, a, b, t in zip(s_idx, g1, g2, two)]
    form = rng.random(n_cn)
    cn = pl.DataFrame({
        "subject_type": "person",
        "name": [p if f < 0.1 else h for h, p, f in zip(han, pinyin, form)],
        "name_latin": [p if 0.1 <= f < 0.55 else None for p, f in zip(pinyin, form)],
        "birth_date": _dobs(rng, n_cn), "country": "CN", "nationality": "CN",
    })
    surn = _table("foreign_surnames.csv").filter(pl.col("culture") == "anglo")
    words = _table("foreign_company_parts.csv").filter(pl.col("part") == "word")
    # a common surname or a common word, then a legal form
    heads = _pick(rng, surn["latin"].to_list(), [float(w) for w in surn["weight"]], n_org)
    heads = [w if rng.random() < 0.6 else words["text"][int(rng.integers(words.height))] for w in heads]
    org = pl.DataFrame({
        "subject_type": "organization",
        "name": [f"{h} {_LEGAL[int(rng.integers(len(_LEGAL)))]}" for h in heads],
        "name_latin": None, "birth_date": None, "country": _pick(rng, ["GB", "US", "AU", "CA"], [3, 4, 1, 1], n_org),
        "nationality": None,
    }, schema_overrides={"name_latin": pl.String, "birth_date": pl.Date, "nationality": pl.String})
    ar_given = _table("foreign_given.csv").filter((pl.col("culture") == "arabic") & (pl.col("gender") == "m"))
    ar_sur = _table("foreign_surnames.csv").filter(pl.col("culture") == "arabic")
    first = _pick(rng, ar_given["latin"].to_list(), [float(w) for w in ar_given["weight"]], n_ar)
    middle = _pick(rng, ar_given["latin"].to_list(), [float(w) for w in ar_given["weight"]], n_ar)
    last = _pick(rng, ar_sur["latin"].to_list(), [float(w) for w in ar_sur["weight"]], n_ar)
    shape = rng.random(n_ar)
    ar_names = [f"{a} {c}" if s < 0.5 else f"{a} {b} {c}" if s < 0.8 else f"{a} {b}"
                for a, b, c, s in zip(first, middle, last, shape)]
    countries = _pick(rng, _ARABIC_COUNTRIES, [1.0] * len(_ARABIC_COUNTRIES), n_ar)
    ar = pl.DataFrame({"subject_type": "person", "name": ar_names, "name_latin": None,
                       "birth_date": _dobs(rng, n_ar), "country": countries, "nationality": countries},
                      schema_overrides={"name_latin": pl.String})
    out = pl.concat([cn, org, ar], how="vertical_relaxed")
    return out.with_columns(
        account_id=pl.format("H{}", pl.int_range(pl.len()).cast(pl.String).str.zfill(7)),
        id_type=pl.lit(None, pl.String), id_number=pl.lit(None, pl.String), display_name=pl.lit(None, pl.String),
    ).select("account_id", "subject_type", "name", "name_latin", "birth_date", "country", "nationality", "id_type",
             "id_number", "display_name")


def _norm(column: pl.Series) -> np.ndarray:
    w = np.asarray(column.cast(pl.Float64).fill_null(1.0).to_numpy(), dtype=float)
    return w / w.sum()
