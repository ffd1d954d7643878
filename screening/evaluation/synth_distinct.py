"""The `distinct` synthetic profile: an account base where almost every name is different, in mixed scripts.

The platform profile (evaluation/synth.py) draws names by their real frequency, so a million accounts
hold about 420,000 distinct names and the batch path scores each of them once; that flatters its speed.
Here every part of a name is drawn uniformly from the bundled tables and names have three parts
(given, middle or patronymic or father's name, surname; Han and Korean given names of two syllables),
so nearly every name is new. Scripts: Latin of many languages, Cyrillic, Arabic, Han, Hangul, kanji and
katakana (Japanese given names made of random syllables), each next to a Latin name as a registrant
would give it. Organisations: two words, a field
and a legal form, or a Han trade name, industry and legal form. Deterministic for a seed; no
sanctions-list data.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from screening.accounts import ACCOUNT_SCHEMA
from screening.evaluation.synth import _table

ORG_SHARE = 0.12
# culture → share of persons; native-script share of that culture's names
CULTURES = {"anglo": (0.12, 0.0), "german": (0.07, 0.0), "french": (0.07, 0.0), "indian": (0.07, 0.0),
            "vietnamese": (0.06, 0.0), "russian": (0.13, 0.6), "arabic": (0.12, 0.6), "korean": (0.10, 0.6),
            "japanese": (0.10, 0.6), "han": (0.16, 0.6)}
_KANA = {  # Hepburn syllable → katakana (what a registrant types for a Japanese given name in kana)
    "kya": "キャ", "kyu": "キュ", "kyo": "キョ", "sha": "シャ", "shu": "シュ", "sho": "ショ", "cha": "チャ", "chu": "チュ",
    "cho": "チョ", "ryu": "リュ", "ryo": "リョ", "shi": "シ", "chi": "チ", "tsu": "ツ", "ka": "カ", "ki": "キ", "ku": "ク",
    "ke": "ケ", "ko": "コ", "sa": "サ", "su": "ス", "se": "セ", "so": "ソ", "ta": "タ", "te": "テ", "to": "ト", "na": "ナ",
    "ni": "ニ", "nu": "ヌ", "ne": "ネ", "no": "ノ", "ha": "ハ", "hi": "ヒ", "fu": "フ", "he": "ヘ", "ho": "ホ", "ma": "マ",
    "mi": "ミ", "mu": "ム", "me": "メ", "mo": "モ", "ya": "ヤ", "yu": "ユ", "yo": "ヨ", "ra": "ラ", "ri": "リ", "ru": "ル",
    "re": "レ", "ro": "ロ", "wa": "ワ", "ga": "ガ", "gi": "ギ", "gu": "グ", "ge": "ゲ", "go": "ゴ", "za": "ザ", "ji": "ジ",
    "zu": "ズ", "ze": "ゼ", "zo": "ゾ", "da": "ダ", "de": "デ", "do": "ド", "ba": "バ", "bi": "ビ", "bu": "ブ", "be": "ベ",
    "bo": "ボ", "pa": "パ", "pi": "ピ", "pu": "プ", "pe": "ペ", "po": "ポ", "a": "ア", "i": "イ", "u": "ウ", "e": "エ",
    "o": "オ", "n": "ン",
}


def katakana(latin: str) -> str | None:
    """A Hepburn-romanised Japanese name in katakana (None when a letter does not fit the syllables)."""
    text, out = latin.lower().replace("-", ""), []
    i = 0
    while i < len(text):
        if i + 1 < len(text) and text[i] == text[i + 1] and text[i] not in "aeioun":
            out.append("ッ")  # a doubled consonant: small tsu
            i += 1
            continue
        for size in (3, 2, 1):
            kana = _KANA.get(text[i:i + size])
            if kana:
                out.append(kana)
                i += size
                break
        else:
            return None
    return "".join(out)


def distinct_accounts(n: int, seed: int) -> pl.DataFrame:
    """`n` accounts in the canonical columns, almost all with a name of their own."""
    rng = np.random.default_rng(seed)
    is_org = rng.random(n) < ORG_SHARE
    people = _persons(rng, int((~is_org).sum()))
    orgs = _orgs(rng, int(is_org.sum()))
    pos = np.concatenate([np.flatnonzero(~is_org), np.flatnonzero(is_org)])
    df = pl.concat([people, orgs], how="diagonal_relaxed").with_columns(_pos=pl.Series(pos)).sort("_pos")
    days = rng.integers(-18_000, 11_000, size=n)  # 1920 … 2000
    df = df.with_columns(
        account_id=pl.format("D{}", pl.col("_pos").cast(pl.Utf8).str.zfill(8)),
        birth_date=pl.when(pl.col("subject_type") == "person").then(pl.Series(days).cast(pl.Date)),
        nationality=pl.when(pl.col("subject_type") == "person").then(pl.col("country")),
        status=pl.lit("active"),
    )
    return df.select([pl.col(c).cast(t) if c in df.columns else pl.lit(None, dtype=t).alias(c)
                      for c, t in ACCOUNT_SCHEMA.items()])


def _uniform(rng: np.random.Generator, table: pl.DataFrame, column: str, k: int) -> pl.Series:
    return table[column].gather(pl.Series(rng.integers(0, table.height, size=k), dtype=pl.UInt32))


def _persons(rng: np.random.Generator, n: int) -> pl.DataFrame:
    given, surnames = _table("foreign_given.csv"), _table("foreign_surnames.csv")
    cultures = list(CULTURES)
    shares = np.asarray([CULTURES[c][0] for c in cultures])
    culture = rng.choice(len(cultures), size=n, p=shares / shares.sum())
    frames = []
    for ci, name in enumerate(cultures):
        rows = np.flatnonzero(culture == ci)
        if rows.size:
            build = _han if name == "han" else _korean if name == "korean" else _foreign
            latin, native, country = build(rng, name, rows.size, given, surnames)
            use_native = pl.Series(rng.random(rows.size) < CULTURES[name][1]) & native.is_not_null()
            frames.append(pl.DataFrame({"_row": rows, "name": pl.select(pl.when(use_native).then(native)
                                                                          .otherwise(latin)).to_series(),
                                        "name_latin": latin, "country": country}))
    out = pl.concat(frames).sort("_row").drop("_row")
    return out.with_columns(subject_type=pl.lit("person"))


def _foreign(rng: np.random.Generator, culture: str, k: int, given: pl.DataFrame,
             surnames: pl.DataFrame) -> tuple[pl.Series, pl.Series, pl.Series]:
    g = given.filter(pl.col("culture") == culture)
    s = surnames.filter(pl.col("culture") == culture)
    first, middle = rng.integers(0, g.height, size=k), rng.integers(0, g.height, size=k)
    last = rng.integers(0, s.height, size=k)
    pick = lambda t, col, i: t[col].gather(pl.Series(i, dtype=pl.UInt32))  # noqa: E731
    if culture == "russian":  # given, patronymic (from a man's name), surname
        men = np.flatnonzero((g["gender"] == "m").to_numpy())
        father = men[rng.integers(0, len(men), size=k)]
        female = (pick(g, "gender", first) == "f").to_numpy()
        stem_l = pick(g, "latin", father).str.replace(r"(iy|y|i)$", "ye").str.replace(r"([^e])$", "${1}o")
        stem_n = pick(g, "native", father).str.replace(r"[ийь]$", "е").str.replace(r"([^е])$", "${1}о")
        latin = (pick(g, "latin", first) + " " + stem_l + pl.Series(np.where(female, "vna", "vich")) + " "
                 + pick(s, "latin", last))
        native = (pick(g, "native", first) + " " + stem_n + pl.Series(np.where(female, "вна", "вич")) + " "
                  + pick(s, "native", last))
    elif culture == "japanese":  # surname, given (kanji, or a new name in katakana)
        syl = [k_ for k_ in _KANA if len(k_) == 2 and k_ != "n"]
        made = [[syl[j] for j in rng.integers(0, len(syl), size=rng.integers(2, 4))] for _ in range(k)]
        new = rng.random(k) < 0.8
        given_l = pl.select(pl.when(pl.Series(new)).then(pl.Series(["".join(m).capitalize() for m in made]))
                            .otherwise(pick(g, "latin", first))).to_series()
        given_n = pl.select(pl.when(pl.Series(new)).then(pl.Series(["".join(_KANA[x] for x in m) for m in made]))
                            .otherwise(pick(g, "native", first))).to_series()
        latin = pick(s, "latin", last) + " " + given_l
        native = pick(s, "native", last) + given_n
    else:  # given, one or two middle names (or the father's), surname
        second = rng.integers(0, g.height, size=k)
        two = pl.Series(rng.random(k) < 0.5)
        middle_l = pl.select(pl.when(two).then(pick(g, "latin", middle) + " " + pick(g, "latin", second))
                             .otherwise(pick(g, "latin", middle))).to_series()
        middle_n = pl.select(pl.when(two).then(pick(g, "native", middle) + " " + pick(g, "native", second))
                             .otherwise(pick(g, "native", middle))).to_series()
        latin = pick(g, "latin", first) + " " + middle_l + " " + pick(s, "latin", last)
        native = pick(g, "native", first) + " " + middle_n + " " + pick(s, "native", last)
    countries = _table("foreign_cultures.csv").filter(pl.col("culture") == culture)["countries"][0]
    codes = [p.split(":")[0] for p in countries.split("|")]
    return latin, native, pl.Series(codes).gather(pl.Series(rng.integers(0, len(codes), size=k), dtype=pl.UInt32))


def _korean(rng: np.random.Generator, culture: str, k: int, given: pl.DataFrame,
            surnames: pl.DataFrame) -> tuple[pl.Series, pl.Series, pl.Series]:
    """Surname and two given-name syllables drawn apart (민 + 서 …), in Hangul and as romanised."""
    g = given.filter((pl.col("culture") == "korean") & pl.col("latin").str.contains("-"))
    syllables = {}
    for native, latin in zip(g["native"].to_list(), g["latin"].to_list()):
        parts = latin.split("-")
        if len(native) == len(parts):
            syllables.update(zip(native, (p.lower() for p in parts)))
    hangul, roman = list(syllables), list(syllables.values())
    s = surnames.filter(pl.col("culture") == "korean")
    last = rng.integers(0, s.height, size=k)
    a, b = rng.integers(0, len(hangul), size=k), rng.integers(0, len(hangul), size=k)
    native = s["native"].gather(pl.Series(last, dtype=pl.UInt32)) + pl.Series([hangul[i] + hangul[j] for i, j in zip(a, b)])
    latin = (s["latin"].gather(pl.Series(last, dtype=pl.UInt32)) + " "
             + pl.Series([(roman[i] + "-" + roman[j]).capitalize() for i, j in zip(a, b)]))
    return latin, native, pl.Series(["KR"] * k)


def _han(rng: np.random.Generator, culture: str, k: int, given: pl.DataFrame,
         surnames: pl.DataFrame) -> tuple[pl.Series, pl.Series, pl.Series]:
    """A Chinese surname and two given characters drawn apart, in Han and in pinyin."""
    s, c = _table("cn_surnames.csv"), _table("cn_given_chars.csv")
    si, a, b = (rng.integers(0, t.height, size=k) for t in (s, c, c))
    take = lambda t, col, i: t[col].gather(pl.Series(i, dtype=pl.UInt32))  # noqa: E731
    native = take(s, "han", si) + take(c, "han", a) + take(c, "han", b)
    latin = take(s, "pinyin", si).str.to_titlecase() + " " + (take(c, "pinyin", a) + take(c, "pinyin", b)).str.to_titlecase()
    return latin, native, pl.Series(["CN"] * k)


def _orgs(rng: np.random.Generator, k: int) -> pl.DataFrame:
    parts, cn = _table("foreign_company_parts.csv"), _table("cn_company_parts.csv")
    word, field, legal = (parts.filter(pl.col("part") == p) for p in ("word", "field", "legal"))
    trade, industry, cn_legal = (cn.filter(pl.col("part") == p) for p in ("trade", "industry", "legal"))
    han = rng.random(k) < 0.4
    latin = (_uniform(rng, word, "text", k) + " " + _uniform(rng, word, "text", k) + " "
             + _uniform(rng, field, "text", k) + " " + _uniform(rng, legal, "text", k))
    ti, ti2, ii, li = (rng.integers(0, t.height, size=k) for t in (trade, trade, industry, cn_legal))
    take = lambda t, col, i: t[col].gather(pl.Series(i, dtype=pl.UInt32))  # noqa: E731
    han_name = take(trade, "han", ti) + take(trade, "han", ti2) + take(industry, "han", ii) + take(cn_legal, "han", li)
    han_latin = (take(trade, "latin", ti) + take(trade, "latin", ti2).str.to_lowercase() + " "
                 + take(industry, "latin", ii) + " " + take(cn_legal, "latin", li))
    han_s = pl.Series(han)
    return pl.DataFrame({
        "subject_type": pl.Series(["organization"] * k),
        "name": pl.select(pl.when(han_s).then(han_name).otherwise(latin)).to_series(),
        "name_latin": pl.select(pl.when(han_s).then(han_latin).otherwise(latin)).to_series(),
        "country": pl.select(pl.when(han_s).then(pl.lit("CN")).otherwise(pl.lit("US"))).to_series(),
    })
