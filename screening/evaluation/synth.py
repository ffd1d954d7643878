"""A synthetic account base for a Chinese platform (docs/architecture.md §3.2 columns), for demos and benchmarks.

Mostly Chinese persons (Han names drawn from surname frequency tables, pinyin Latin names, valid
RIC numbers with real region codes whose embedded birth date is the declared one), HK / Macao /
Taiwan permit holders, Chinese organisations with valid credit codes (some letter-initial),
foreign persons and companies, plus the oddities eligibility must find: mismatching declared birth
dates, legacy 15-digit numbers, typos, minors with and without guardians, duplicate subjects, brand
look-alike display names. Everything is drawn with numpy from one seed (deterministic), ages
relative to `REFERENCE_DATE` so a seed gives the same base on any day. Name tables are data files
in `screening/resources/synth/` (origins in its README). No sanctions-list data here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from screening.accounts import ACCOUNT_SCHEMA
from screening.ids import RIC_WEIGHTS, USCC_ALPHABET, USCC_WEIGHTS

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "synth"
REFERENCE_DATE = dt.date(2026, 6, 30)
SEGMENTS = ("cn_person", "permit_person", "foreign_person", "cn_org", "foreign_org")
SEGMENT_SHARES = (0.80, 0.02, 0.06, 0.09, 0.03)
# Shares of planted oddities (of the rows they apply to).
DOB_MISMATCH_RATE = 0.02  # CN persons whose declared birth date differs from the ID's
LEGACY_RIC_RATE = 0.03  # CN persons born before 1985 registering with a 15-digit number
ID_TYPO_RATE = 0.001  # one digit mistyped (fails the checksum)
MINOR_RATE = 0.025  # of persons
DUPLICATE_RATE = 0.006  # of all rows: another account of an existing subject
BRAND_RATE = 0.0005  # display names imitating the brand
STATUS_SHARES = {"active": 0.97, "dormant": 0.02, "suspended": 0.007, "cancelled": 0.003}


@dataclass
class SynthBase:
    accounts: pl.DataFrame  # ACCOUNT_SCHEMA
    truth: pl.DataFrame  # account_id, segment, planted (list of tags), duplicate_of


def synth_accounts(n: int, seed: int) -> pl.DataFrame:
    """`n` synthetic accounts in the canonical columns, deterministic for `seed` (the same rows as
    `synth_base(n, seed).accounts`, without assembling the truth table, a quarter of the time)."""
    df, _ = _synth_frame(n, seed)
    return _accounts(df)


def synth_base(n: int, seed: int) -> SynthBase:
    """Accounts plus what was planted in them (for tests and evaluation)."""
    df, duplicate_of = _synth_frame(n, seed)
    truth = df.select(
        "account_id",
        pl.col("_segment").alias("segment"),
        pl.concat_list(pl.col("^_t_.*$")).list.drop_nulls().alias("planted"),
        duplicate_of.alias("duplicate_of"),
    )
    return SynthBase(accounts=_accounts(df), truth=truth)


def _accounts(df: pl.DataFrame) -> pl.DataFrame:
    return df.select([pl.col(c).cast(t) for c, t in ACCOUNT_SCHEMA.items()])


def _synth_frame(n: int, seed: int) -> tuple[pl.DataFrame, pl.Series]:
    """Every row with its internal columns (segment, planted tags) and the duplicate links."""
    rng = np.random.default_rng(seed)
    segment = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARES)
    parts = []
    builders = (_cn_persons, _permit_persons, _foreign_persons, _cn_orgs, _foreign_orgs)
    for code, build in enumerate(builders):
        position = np.flatnonzero(segment == code)
        if position.size:
            parts.append(build(rng, position.size).with_columns(_pos=pl.Series(position, dtype=pl.Int64)))
    df = pl.concat(parts, how="diagonal_relaxed").sort("_pos")
    df = df.with_columns(account_id=pl.format("U{}", pl.col("_pos").cast(pl.Utf8).str.zfill(8)))
    df = _common_columns(rng, df)
    df = _link_guardians(rng, df)
    df, duplicate_of = _plant_duplicates(rng, df)
    df = _plant_brand_names(rng, df)
    return df, duplicate_of


def synth_update(accounts: pl.DataFrame, seed: int, *, change_rate: float = 0.02, transfer_rate: float = 0.001) -> pl.DataFrame:
    """The next import of a base: some benign changes (display name, phone, status) and a few
    transfer-looking ones (the account now carries another subject's name, birth date and ID)."""
    rng = np.random.default_rng(seed)
    n = accounts.height
    persons = np.flatnonzero((accounts["subject_type"] == "person").to_numpy())
    moved = rng.choice(persons, size=min(persons.size, max(1, int(n * transfer_rate))), replace=False)
    changed = rng.choice(n, size=int(n * change_rate), replace=False)
    others = synth_accounts(moved.size * 3 + 10, seed + 7919).filter(pl.col("subject_type") == "person")
    others = others.filter(pl.col("id_type") == "RIC").head(moved.size)
    moved = moved[: others.height]
    identity = ["name", "name_latin", "birth_date", "id_type", "id_number", "country", "nationality"]
    out = accounts.with_row_index("_i")
    replacement = others.select(identity).with_columns(_i=pl.Series(moved, dtype=pl.UInt32))
    out = out.update(replacement, on="_i", how="left")
    new_display = pl.format("{}_{}", pl.col("display_name").fill_null("user"), pl.col("_i") % 97)
    out = out.with_columns(
        display_name=pl.when(pl.col("_i").is_in(pl.Series(changed, dtype=pl.UInt32).implode()))
        .then(new_display)
        .otherwise(pl.col("display_name")),
        updated_at=pl.when(pl.col("_i").is_in(pl.Series(np.concatenate([changed, moved]), dtype=pl.UInt32).implode()))
        .then(pl.lit(dt.datetime.combine(REFERENCE_DATE, dt.time(12))))
        .otherwise(pl.col("updated_at")),
    )
    return out.drop("_i")


# ---- tables -----------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _table(name: str) -> pl.DataFrame:
    return pl.read_csv(RESOURCES / name, infer_schema=False)


def _weights(table: pl.DataFrame, column: str = "weight") -> np.ndarray:
    w = table[column].cast(pl.Float64).to_numpy()
    return w / w.sum()


def _pick(rng: np.random.Generator, table: pl.DataFrame, size: int, column: str = "weight") -> np.ndarray:
    return rng.choice(table.height, size=size, p=_weights(table, column))


def _take(table: pl.DataFrame, column: str, index: np.ndarray) -> pl.Series:
    return table[column].gather(pl.Series(index, dtype=pl.UInt32))


# ---- numbers ----------------------------------------------------------------------------------


def _gather(values: list[str], index: np.ndarray) -> pl.Series:
    """values[index] as a string Series (faster than numpy string arrays)."""
    return pl.Series(values, dtype=pl.Utf8).gather(pl.Series(index, dtype=pl.UInt32))


def _digits_to_str(matrix: np.ndarray) -> pl.Series:
    """Rows of ASCII codes → strings (vectorised)."""
    width = matrix.shape[1]
    raw = np.ascontiguousarray(matrix.astype(np.uint8)).view(f"S{width}").ravel()
    return pl.Series(raw).cast(pl.Utf8)


def _date_digits(dates: np.ndarray, century: bool = True) -> np.ndarray:
    """datetime64[D] → (n, 8) digit matrix YYYYMMDD (or (n, 6) YYMMDD)."""
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    months = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    value = years * 10000 + months * 100 + days
    width = 8 if century else 6
    value = value if century else value % 1_000_000
    return _int_digits(value, width)


def _int_digits(values: np.ndarray, width: int) -> np.ndarray:
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values[:, None] // powers) % 10


def ric_numbers(region: np.ndarray, dob: np.ndarray, sequence: np.ndarray) -> pl.Series:
    """18-digit numbers with MOD 11-2 check: region code (int), birth date, 3-digit sequence."""
    digits = np.concatenate([_int_digits(region, 6), _date_digits(dob), _int_digits(sequence, 3)], axis=1)
    check = (12 - (digits @ np.array(RIC_WEIGHTS)) % 11) % 11
    codes = np.concatenate([digits + 48, np.where(check == 10, 88, check + 48)[:, None]], axis=1)
    return _digits_to_str(codes)


def legacy_ric_numbers(region: np.ndarray, dob: np.ndarray, sequence: np.ndarray) -> pl.Series:
    """15-digit numbers (before 1999): region, YYMMDD, sequence; no check digit."""
    digits = np.concatenate([_int_digits(region, 6), _date_digits(dob, century=False), _int_digits(sequence, 3)], axis=1)
    return _digits_to_str(digits + 48)


_ALPHABET_CODES = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)


def uscc_numbers(rng: np.random.Generator, prefix: pl.Series, region: np.ndarray) -> pl.Series:
    """Valid GB 32100 codes: 2-char prefix (registration authority + type), region, organisation
    code (GB 11714, with its own check char; half of them new-style `MA…`), weighted mod-31 check."""
    n = region.size
    value = {c: i for i, c in enumerate(USCC_ALPHABET)}
    lookup = np.zeros(128, dtype=np.int64)
    lookup[_ALPHABET_CODES] = np.arange(len(USCC_ALPHABET))
    head_codes = np.frombuffer("".join(prefix.to_list()).encode("ascii"), dtype=np.uint8).reshape(n, 2)
    head = lookup[head_codes]
    org = rng.integers(0, 10, size=(n, 8))
    new_style = rng.random(n) < 0.5
    org[new_style, 0] = value["M"]
    org[new_style, 1] = value["A"]
    org[new_style, 2:] = rng.integers(0, 31, size=(int(new_style.sum()), 6))
    # GB 11714 check: values 0-9 / A=10 … Z=35, weights 3 7 9 10 5 8 4 2, C = 11 - Σ mod 11.
    org_chars = _ALPHABET_CODES[org]
    org_values = np.where(org_chars >= 65, org_chars - 55, org_chars - 48)
    c = 11 - (org_values @ np.array([3, 7, 9, 10, 5, 8, 4, 2])) % 11
    org_check = np.where(c == 10, value["X"], np.where(c == 11, 0, c))
    body = np.concatenate([head, _int_digits(region, 6), org, org_check[:, None]], axis=1)
    check = (31 - (body @ np.array(USCC_WEIGHTS)) % 31) % 31
    return _digits_to_str(_ALPHABET_CODES[np.concatenate([body, check[:, None]], axis=1)])


def _choose(mask: np.ndarray | pl.Series, yes: pl.Series | pl.Expr | None, no: pl.Series | pl.Expr | None = None) -> pl.Series:
    """Element-wise `yes if mask else no` as a Series."""
    mask = mask if isinstance(mask, pl.Series) else pl.Series(mask)
    yes = pl.lit(None, dtype=pl.Utf8) if yes is None else yes
    no = pl.lit(None, dtype=pl.Utf8) if no is None else no
    return pl.select(pl.when(mask).then(yes).otherwise(no)).to_series()


def _mistype(rng: np.random.Generator, numbers: pl.Series, mask: np.ndarray) -> pl.Series:
    """Change one digit (among the first 17) of the selected numbers."""
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return numbers
    values = numbers.to_numpy().astype("U18")
    raw = values[rows].astype("S18").view(np.uint8).reshape(rows.size, 18).copy()
    pos = rng.integers(6, 17, size=rows.size)
    old = raw[np.arange(rows.size), pos] - 48
    raw[np.arange(rows.size), pos] = (old + rng.integers(1, 10, size=rows.size)) % 10 + 48
    values[rows] = raw.view("S18").ravel().astype("U18")
    return pl.Series(values)


# ---- persons ----------------------------------------------------------------------------------


def _ages_to_dob(rng: np.random.Generator, n: int, minor_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Birth dates (datetime64[D]) and a minor flag: adults ~18–95 (mean ≈ 38), minors 10–17, and a
    few born exactly around the 18th birthday on the reference date."""
    ref = np.datetime64(REFERENCE_DATE, "D")
    minor = rng.random(n) < minor_rate
    adult_years = 18 + np.minimum(rng.gamma(2.2, 9.0, size=n), 77)
    minor_years = rng.choice([10, 12, 13, 14, 15, 16, 17], size=n, p=[0.05, 0.07, 0.08, 0.15, 0.15, 0.25, 0.25])
    years = np.where(minor, minor_years + rng.random(n), adult_years)
    dob = ref - (years * 365.2425).astype(np.int64).astype("timedelta64[D]")
    edge = rng.random(n) < 0.0005  # 18th birthday within ±2 days of the reference date
    ref_year = REFERENCE_DATE.year - 18
    edge_dob = np.datetime64(REFERENCE_DATE.replace(year=ref_year), "D") + rng.integers(-2, 3, size=n).astype("timedelta64[D]")
    dob = np.where(edge, edge_dob, dob)
    return dob, minor & ~edge


def _regions_for(rng: np.random.Generator, dob: np.ndarray) -> np.ndarray:
    """A real region code valid in the birth year (codes created later are replaced by older ones)."""
    regions = _table("cn_regions.csv")
    codes = regions["code"].cast(pl.Int64).to_numpy()
    start = regions["valid_from"].cast(pl.Int64).to_numpy()
    end = regions["valid_to"].cast(pl.Int64, strict=False).fill_null(9999).to_numpy()
    pick = rng.integers(0, codes.size, size=dob.size)
    year = dob.astype("datetime64[Y]").astype(np.int64) + 1970
    fallback = np.flatnonzero((start <= 1950) & (end >= 2030))
    bad = (start[pick] > year) | (end[pick] < year)
    pick[bad] = rng.choice(fallback, size=int(bad.sum()))
    return codes[pick]


def _han_names(
    rng: np.random.Generator, n: int, male: np.ndarray
) -> tuple[pl.Series, pl.Series, pl.Series, pl.Series, pl.Series]:
    """Han legal names from the frequency tables: surname, given name, their pinyin (title case),
    and the surname's Cantonese romanisation."""
    surnames = _table("cn_surnames.csv")
    given = _table("cn_given_chars.csv")
    s = _pick(rng, surnames, n, "frequency")
    male_tab = given.filter(pl.col("gender") != "f")
    female_tab = given.filter(pl.col("gender") != "m")
    g1 = np.where(male, _pick(rng, male_tab, n), _pick(rng, female_tab, n))
    g2 = np.where(male, _pick(rng, male_tab, n), _pick(rng, female_tab, n))
    two = rng.random(n) < 0.65
    m1 = _take(male_tab, "han", g1 % male_tab.height)
    f1 = _take(female_tab, "han", g1 % female_tab.height)
    m2 = _take(male_tab, "han", g2 % male_tab.height)
    f2 = _take(female_tab, "han", g2 % female_tab.height)
    pm1 = _take(male_tab, "pinyin", g1 % male_tab.height)
    pf1 = _take(female_tab, "pinyin", g1 % female_tab.height)
    pm2 = _take(male_tab, "pinyin", g2 % male_tab.height)
    pf2 = _take(female_tab, "pinyin", g2 % female_tab.height)
    frame = pl.DataFrame(
        {
            "male": male, "two": two, "s": _take(surnames, "han", s), "sp": _take(surnames, "pinyin", s),
            "sc": _take(surnames, "cantonese", s), "m1": m1, "f1": f1, "m2": m2, "f2": f2,
            "pm1": pm1, "pf1": pf1, "pm2": pm2, "pf2": pf2,
        }
    )
    out = frame.select(
        surname=pl.col("s"),
        given=pl.when("male").then("m1").otherwise("f1")
        + pl.when("two").then(pl.when("male").then("m2").otherwise("f2")).otherwise(pl.lit("")),
        surname_pinyin=pl.col("sp"),
        surname_cantonese=pl.col("sc"),
        given_pinyin=pl.when("male").then("pm1").otherwise("pf1")
        + pl.when("two").then(pl.when("male").then("pm2").otherwise("pf2")).otherwise(pl.lit("")),
    )
    return out["surname"], out["given"], out["surname_pinyin"].str.to_titlecase(), out["given_pinyin"].str.to_titlecase(), out[
        "surname_cantonese"
    ].str.to_titlecase()


def _cn_persons(rng: np.random.Generator, n: int) -> pl.DataFrame:
    male = rng.random(n) < 0.51
    dob, minor = _ages_to_dob(rng, n, MINOR_RATE)
    surname, given, sp, gp, _ = _han_names(rng, n, male)
    region = _regions_for(rng, dob)
    seq = rng.integers(0, 500, size=n) * 2 + male.astype(np.int64)  # odd = male
    ric = ric_numbers(region, dob, seq)
    year = dob.astype("datetime64[Y]").astype(np.int64) + 1970
    legacy = (year < 1985) & (rng.random(n) < LEGACY_RIC_RATE)
    legacy_numbers = legacy_ric_numbers(region, dob, seq)
    typo = rng.random(n) < ID_TYPO_RATE
    number = _mistype(rng, ric, typo & ~legacy)
    number = _choose(legacy, legacy_numbers, number)
    mismatch = rng.random(n) < DOB_MISMATCH_RATE
    shift = rng.choice([-365, 365, -1, 1, 30, -30, 3650], size=n).astype("timedelta64[D]")
    declared = np.where(mismatch, dob + shift, dob)
    frame = pl.DataFrame(
        {
            "subject_type": "person",
            "name": surname + given,
            "name_latin": _choose(rng.random(n) < 0.8, sp + " " + gp),
            "birth_date": pl.Series(declared).cast(pl.Date),
            "country": "CN",
            "nationality": "CN",
            "id_type": _choose(rng.random(n) < 0.995, pl.lit("RIC")),
            "id_number": number,
            "_male": male,
            "_minor": minor,
            "_handle": gp.str.to_lowercase(),
            "_given": given,
            "_segment": "cn_person",
        }
    )
    return frame.with_columns(
        _t_dob_mismatch=_choose(mismatch, pl.lit("dob_mismatch")),
        _t_legacy_ric=_choose(legacy, pl.lit("legacy_ric")),
        _t_id_typo=_choose(typo & ~legacy, pl.lit("id_typo")),
    )


def _permit_persons(rng: np.random.Generator, n: int) -> pl.DataFrame:
    import opencc

    s2t = opencc.OpenCC("s2t")
    male = rng.random(n) < 0.5
    dob, minor = _ages_to_dob(rng, n, MINOR_RATE)
    surname, given, sp, gp, sc = _han_names(rng, n, male)
    # Traditional characters, as HK / Macao / Taiwan residents write their names (per unique value).
    surname = surname.replace_strict({v: s2t.convert(v) for v in surname.unique().to_list()})
    given = given.replace_strict({v: s2t.convert(v) for v in given.unique().to_list()})
    where = rng.choice(3, size=n, p=[0.5, 0.15, 0.35])
    prefix = np.array([810000, 820000, 830000])[where]
    seq = rng.integers(0, 500, size=n) * 2 + male.astype(np.int64)
    country = pl.Series(np.array(["HK", "MO", "TW"])[where])
    latin_surname = _choose(where < 2, sc, sp)
    return pl.DataFrame(
        {
            "subject_type": "person",
            "name": surname + given,
            "name_latin": latin_surname + " " + gp,
            "birth_date": pl.Series(dob).cast(pl.Date),
            "country": country,
            "nationality": country,
            "id_type": pl.Series(np.array(["HK_MO_PERMIT", "HK_MO_PERMIT", "TW_PERMIT"])[where]),
            "id_number": ric_numbers(prefix, dob, seq),
            "_male": male,
            "_minor": minor,
            "_handle": gp.str.to_lowercase(),
            "_given": given,
            "_segment": "permit_person",
        }
    )


def _foreign_persons(rng: np.random.Generator, n: int) -> pl.DataFrame:
    cultures = _table("foreign_cultures.csv")
    given_tab = _table("foreign_given.csv")
    surname_tab = _table("foreign_surnames.csv")
    countries = _table("country_codes.csv")
    culture = _pick(rng, cultures, n)
    dob, minor = _ages_to_dob(rng, n, MINOR_RATE / 2)
    male = rng.random(n) < 0.5
    frames = []
    for ci, row in enumerate(cultures.iter_rows(named=True)):
        rows = np.flatnonzero(culture == ci)
        if rows.size == 0:
            continue
        k = rows.size
        g = given_tab.filter(pl.col("culture") == row["culture"])
        s = surname_tab.filter(pl.col("culture") == row["culture"])
        # given names by popularity within the person's gender
        is_male = male[rows]
        gi = np.empty(k, dtype=np.int64)
        for gender, mask in (("m", is_male), ("f", ~is_male)):
            of_gender = np.flatnonzero((g["gender"] == gender).to_numpy())
            gi[mask] = of_gender[_pick(rng, g[of_gender], int(mask.sum()))]
        si = _pick(rng, s, k)
        pairs = [p.split(":") for p in row["countries"].split("|")]
        cw = np.array([float(w) for _, w in pairs])
        country = np.array([c for c, _ in pairs])[rng.choice(len(pairs), size=k, p=cw / cw.sum())]
        g_latin, s_latin = _take(g, "latin", gi), _take(s, "latin", si)
        g_native, s_native = _take(g, "native", gi), _take(s, "native", si)
        # Russian surnames take the feminine form for women (Иванов → Иванова, Ivanov → Ivanova)
        feminine = pl.Series(~is_male) & s_native.str.contains("(ов|ев|ёв|ин|ын)$").fill_null(False)
        if feminine.any():
            s_native = _choose(feminine, s_native + "а", s_native)
            s_latin = _choose(feminine, s_latin + "a", s_latin)
        latin = g_latin + " " + s_latin
        if row["native_script"]:
            separator = "" if row["culture"] == "korean" else " "
            native = (s_native + separator + g_native) if row["name_order"] == "family_first" else (g_native + " " + s_native)
            use_native = pl.Series(rng.random(k) < 0.5) & native.is_not_null()
            name = _choose(use_native, native, latin)
        else:
            name = latin
        frames.append(
            pl.DataFrame({"_row": rows, "name": name, "name_latin": latin, "country": country, "_handle": g_latin.str.to_lowercase().str.replace_all(r"[^a-z]", "")})
        )
    people = pl.concat(frames).sort("_row")
    numeric = dict(zip(countries["iso2"].to_list(), countries["iso_numeric"].cast(pl.Int64).to_list(), strict=True))
    nat_numeric = people["country"].replace_strict(numeric, return_dtype=pl.Int64).to_numpy()
    kind = rng.choice(3, size=n, p=[0.83, 0.12, 0.05])  # passport / permanent residence / none
    letters = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ", dtype=np.uint8)
    passport = _digits_to_str(np.concatenate([letters[rng.integers(0, letters.size, size=(n, 1))], rng.integers(0, 10, size=(n, 8)) + 48], axis=1))
    province = np.array([11, 31, 44, 32, 33, 51])[rng.integers(0, 6, size=n)]
    fpr = ric_numbers(900000 + province * 1000 + nat_numeric, dob, rng.integers(0, 1000, size=n))
    id_number = _choose(kind == 0, passport, _choose(kind == 1, fpr))
    id_type = pl.Series(["passport", "FOREIGN_PR", None], dtype=pl.Utf8).gather(pl.Series(kind, dtype=pl.UInt32))
    return people.drop("_row").with_columns(
        subject_type=pl.lit("person"),
        birth_date=pl.Series(dob).cast(pl.Date),
        nationality=pl.col("country"),
        id_type=id_type,
        id_number=id_number,
        _male=pl.Series(male),
        _minor=pl.Series(minor),
        _given=pl.lit(None, dtype=pl.Utf8),
        _segment=pl.lit("foreign_person"),
    )


# ---- organisations ----------------------------------------------------------------------------


def _cn_orgs(rng: np.random.Generator, n: int) -> pl.DataFrame:
    parts = _table("cn_company_parts.csv")
    kinds = _table("cn_org_kinds.csv")
    regions = _table("cn_regions.csv").filter(pl.col("valid_to").is_null())
    trade = parts.filter(pl.col("part") == "trade")
    industry = parts.filter(pl.col("part") == "industry")
    legal = parts.filter(pl.col("part") == "legal")
    ti, ii, li = _pick(rng, trade, n), _pick(rng, industry, n), _pick(rng, legal, n)
    ki = _pick(rng, kinds, n)
    ri = rng.integers(0, regions.height, size=n)
    city = _take(regions, "city", ri)
    city_py = _take(regions, "city_pinyin", ri).str.to_titlecase()
    enterprise = pl.Series(_take(kinds, "kind", ki) == "enterprise")
    suffix = _take(kinds, "suffix_han", ki)
    name_ent = city + _take(trade, "han", ti) + _take(industry, "han", ii) + _take(legal, "han", li)
    name_other = city + _take(trade, "han", ti) + suffix
    latin_ent = city_py + " " + _take(trade, "latin", ti) + " " + _take(industry, "latin", ii) + " " + _take(legal, "latin", li)
    latin_other = city_py + " " + _take(trade, "latin", ti) + " " + _take(kinds, "suffix_latin", ki)
    prefix = _take(kinds, "uscc_prefix", ki)
    region = _take(regions, "code", ri).cast(pl.Int64).to_numpy()
    codes = uscc_numbers(rng, prefix, region)
    short = _take(trade, "han", ti) + _take(industry, "han", ii)
    flagship = pl.Series(rng.random(n) < 0.05)  # "…官方旗舰店": a legitimate use of 官方
    display = _choose(flagship, _take(trade, "han", ti) + "官方旗舰店", short)
    frame = pl.DataFrame(
        {
            "subject_type": pl.Series(rng.choice(["organization", "legal_person", "other_organization"], size=n, p=[0.8, 0.15, 0.05])),
            "name": _choose(enterprise, name_ent, name_other),
            "name_latin": _choose(rng.random(n) < 0.6, _choose(enterprise, latin_ent, latin_other)),
            "country": "CN",
            "id_type": "USCC",
            "id_number": codes,
            "display_name": display,
            "_segment": "cn_org",
        }
    )
    return frame.with_columns(
        _t_letter_initial_uscc=pl.when(pl.col("id_number").str.contains(r"^[A-Z]")).then(pl.lit("letter_initial_uscc"))
    )


def _foreign_orgs(rng: np.random.Generator, n: int) -> pl.DataFrame:
    parts = _table("foreign_company_parts.csv")
    word = parts.filter(pl.col("part") == "word")
    field = parts.filter(pl.col("part") == "field")
    legal = parts.filter(pl.col("part") == "legal")
    wi, fi, li = _pick(rng, word, n), _pick(rng, field, n), _pick(rng, legal, n)
    w2 = _pick(rng, word, n)
    w2 = np.where(w2 == wi, (w2 + 1) % word.height, w2)
    country = _take(legal, "country", li)
    # Founders' surnames from the culture most tied to the registration country (anglo where none is).
    cultures = _table("foreign_cultures.csv")
    surname_tab = _table("foreign_surnames.csv")
    home: dict[str, tuple[float, str]] = {}
    for row in cultures.iter_rows(named=True):
        for pair in row["countries"].split("|"):
            code, share = pair.split(":")
            if float(share) > home.get(code, (0.0, ""))[0]:
                home[code] = (float(share), row["culture"])
    culture = country.replace_strict({c: v[1] for c, v in home.items()}, default="anglo").to_numpy()
    s1, s2 = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    for home_culture in np.unique(culture):
        rows = np.flatnonzero(culture == home_culture)
        of_culture = np.flatnonzero((surname_tab["culture"] == home_culture).to_numpy())
        sub = surname_tab[of_culture]
        s1[rows] = of_culture[_pick(rng, sub, rows.size)]
        s2[rows] = of_culture[_pick(rng, sub, rows.size)]
    # Name shapes: word field | word word field | surname field | surname & surname | word |
    # word & surname | word field Group (each followed by the legal form).
    shape = rng.choice(7, size=n, p=[0.38, 0.10, 0.24, 0.08, 0.10, 0.04, 0.06])
    shape = np.where((shape == 3) & (s1 == s2), 2, shape)  # no "Kim & Kim"
    w, f = _take(word, "text", wi), _take(field, "text", fi)
    s = _take(surname_tab, "latin", s1)
    pieces = pl.DataFrame({"shape": shape, "w": w, "w2": _take(word, "text", w2), "f": f, "s": s, "s2": _take(surname_tab, "latin", s2)})
    stem = pieces.select(
        pl.when(pl.col("shape") == 0).then(pl.format("{} {}", "w", "f"))
        .when(pl.col("shape") == 1).then(pl.format("{} {} {}", "w", "w2", "f"))
        .when(pl.col("shape") == 2).then(pl.format("{} {}", "s", "f"))
        .when(pl.col("shape") == 3).then(pl.format("{} & {}", "s", "s2"))
        .when(pl.col("shape") == 4).then(pl.col("w"))
        .when(pl.col("shape") == 5).then(pl.format("{} & {}", "w", "s"))
        .otherwise(pl.format("{} {} Group", "w", "f"))
    ).to_series()
    name = stem + " " + _take(legal, "text", li)
    number = _digits_to_str(rng.integers(0, 10, size=(n, 9)) + 48)
    return pl.DataFrame(
        {
            "subject_type": pl.Series(rng.choice(["organization", "company"], size=n, p=[0.7, 0.3])),
            "name": name,
            "name_latin": name,
            "country": country,
            "id_type": pl.Series(["OTHER"] * n),
            "id_number": _choose(rng.random(n) < 0.9, number),
            "display_name": stem,
            "_segment": "foreign_org",
        }
    ).with_columns(
        id_type=pl.when(pl.col("id_number").is_not_null()).then(pl.col("id_type")),
    )


# ---- columns common to all --------------------------------------------------------------------


def _common_columns(rng: np.random.Generator, df: pl.DataFrame) -> pl.DataFrame:
    n = df.height
    words = _table("display_words.csv")
    han_words = words.filter(pl.col("script") == "han")["word"]
    latin_words = words.filter(pl.col("script") == "latin")["word"]
    digits = pl.Series(rng.integers(1, 2000, size=n)).cast(pl.Utf8)
    handle = pl.col("_handle").fill_null(_take(pl.DataFrame({"w": latin_words}), "w", rng.integers(0, latin_words.len(), size=n)))
    style = pl.Series(rng.choice(5, size=n, p=[0.25, 0.2, 0.25, 0.2, 0.1]))
    han_word = han_words.gather(pl.Series(rng.integers(0, han_words.len(), size=n), dtype=pl.UInt32))
    latin_word = latin_words.gather(pl.Series(rng.integers(0, latin_words.len(), size=n), dtype=pl.UInt32))
    person_display = (
        pl.when(style == 0).then(han_word)
        .when(style == 1).then(pl.lit("小") + pl.col("_given").str.slice(-1, 1))
        .when(style == 2).then(handle + digits)
        .when(style == 3).then(latin_word + "_" + digits)
        .otherwise(None)
    )
    domains = np.array(["qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "foxmail.com"])
    domain = _gather(list(domains), rng.choice(domains.size, size=n, p=[0.35, 0.2, 0.1, 0.05, 0.12, 0.1, 0.08]))
    mobile = pl.Series(rng.integers(3, 10, size=n)).cast(pl.Utf8) + _digits_to_str(rng.integers(0, 10, size=(n, 9)) + 48)
    ref = np.datetime64(dt.datetime.combine(REFERENCE_DATE, dt.time()), "s")
    registered = ref - rng.integers(0, 10 * 365 * 86400, size=n).astype("timedelta64[s]")
    updated = registered + ((ref - registered).astype(np.int64) * rng.random(n)).astype(np.int64).astype("timedelta64[s]")
    statuses = list(STATUS_SHARES)
    status = _gather(statuses, rng.choice(len(statuses), size=n, p=list(STATUS_SHARES.values())))
    is_person = pl.col("subject_type") == "person"
    return df.with_columns(
        display_name=pl.when(is_person).then(person_display).otherwise(pl.col("display_name")),
        phone=pl.when(pl.col("country") == "CN").then(pl.lit("1") + mobile).otherwise(pl.lit("+") + digits + mobile),
        email=pl.when(pl.Series(rng.random(n) < 0.7)).then(handle + digits + "@" + domain),
        registered_at=pl.Series(registered.astype("datetime64[us]")),
        updated_at=pl.Series(updated.astype("datetime64[us]")),
        status=status,
        _u=pl.Series(rng.random(n)),
    )


def _link_guardians(rng: np.random.Generator, df: pl.DataFrame) -> pl.DataFrame:
    """Minors: 70 % linked to an adult person's account, 16–17-year-olds self-supporting in 15 %."""
    ref = pl.lit(REFERENCE_DATE)
    age = (ref.dt.year() - pl.col("birth_date").dt.year()).cast(pl.Int32)
    adults = df.filter((pl.col("subject_type") == "person") & (age >= 30))["account_id"]
    minor = pl.col("_minor").fill_null(False)
    guardian_pick = adults.gather(pl.Series(rng.integers(0, max(adults.len(), 1), size=df.height), dtype=pl.UInt32)) if adults.len() else None
    self_supporting = minor & (age >= 17) & (pl.col("_u") < 0.15)
    guarded = minor & ~self_supporting & (pl.Series(rng.random(df.height)) < 0.7)
    return df.with_columns(
        guardian_account_id=pl.when(guarded).then(guardian_pick) if guardian_pick is not None else pl.lit(None, dtype=pl.Utf8),
        self_supporting=pl.when(self_supporting).then(True),
        _t_minor=pl.when(self_supporting)
        .then(pl.lit("minor_self_supporting"))
        .when(guarded)
        .then(pl.lit("minor_with_guardian"))
        .when(minor)
        .then(pl.lit("minor_no_guardian")),
    )


_SUBJECT = ["subject_type", "name", "name_latin", "birth_date", "country", "nationality", "id_type", "id_number", "_segment",
            "_t_dob_mismatch", "_t_legacy_ric", "_t_id_typo", "_t_letter_initial_uscc"]


def _plant_duplicates(rng: np.random.Generator, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """Other accounts of existing subjects: same ID (also reformatted, or in its legacy 15-digit
    form), or same name and birth date with another or no ID; a fifth of the originals suspended
    (re-registration after suspension). Only the k copied rows are computed and scattered in."""
    n = df.height
    k = int(n * DUPLICATE_RATE)
    duplicate_of = pl.Series("duplicate_of", [None] * n, dtype=pl.Utf8)
    if k < 1:
        return df, duplicate_of
    chosen = rng.choice(n, size=2 * k, replace=False)
    source, target = chosen[:k], chosen[k:]
    source_idx = pl.Series(source, dtype=pl.UInt32)
    copied = df.select(_SUBJECT).gather(source_idx)
    v = pl.Series(rng.choice(4, size=k, p=[0.5, 0.15, 0.2, 0.15]))
    number = copied["id_number"]
    born_19xx = copied["birth_date"].dt.year().is_between(1900, 1999)
    legacy = number.str.slice(0, 6) + number.str.slice(8, 9)
    # drawn for every row (and read on the copies) so a seed gives the same base as before
    passport = pl.lit("E") + pl.Series(rng.integers(10_000_000, 99_999_999, size=n)[target]).cast(pl.Utf8)
    new_number = (
        pl.when(v == 1).then(number.str.slice(0, 6) + " " + number.str.slice(6, 8) + " " + number.str.slice(14).str.to_lowercase())
        .when((v == 2) & (copied["id_type"] == "RIC") & born_19xx & (number.str.len_chars() == 18)).then(legacy)
        .when((v == 3) & (copied["subject_type"] == "person")).then(passport)
        .when(v == 3).then(None)
        .otherwise(number)
    )
    new_type = pl.when((v == 3) & (copied["subject_type"] == "person")).then(pl.lit("passport")).when(v == 3).then(None).otherwise(copied["id_type"])
    replaced = copied.with_columns(id_number=new_number, id_type=new_type)
    at = pl.Series(target, dtype=pl.UInt32)

    def put(column: str, values: pl.Series | None) -> pl.Series:
        base = df[column]
        values = pl.Series([None] * k, dtype=base.dtype) if values is None else values.cast(base.dtype)
        return base.clone().scatter(at, values)

    out = df.with_columns([put(c, replaced[c]) for c in _SUBJECT])
    suspend = np.zeros(n, dtype=bool)
    suspend[source[rng.random(k) < 0.2]] = True
    out = out.with_columns(
        status=pl.when(pl.Series(suspend)).then(pl.lit("suspended")).otherwise(pl.col("status")),
        _minor=put("_minor", df["_minor"].gather(source_idx)),
        _t_duplicate=pl.Series([None] * n, dtype=pl.Utf8).scatter(at, "duplicate_v" + v.cast(pl.Utf8)),
        _t_minor=put("_t_minor", None),
        guardian_account_id=put("guardian_account_id", None),
        self_supporting=put("self_supporting", None),
    )
    duplicate_of = pl.Series("duplicate_of", [None] * n, dtype=pl.Utf8).scatter(at, df["account_id"].gather(source_idx))
    return out, duplicate_of


def _plant_brand_names(rng: np.random.Generator, df: pl.DataFrame) -> pl.DataFrame:
    templates = _table("brand_imitations.csv")
    n = df.height
    planted = rng.random(n) < BRAND_RATE
    pick = rng.integers(0, templates.height, size=n)
    mask = pl.Series(planted)
    return df.with_columns(
        display_name=pl.when(mask).then(_take(templates, "display_name", pick)).otherwise(pl.col("display_name")),
        _t_brand=pl.when(mask).then(pl.lit("brand_") + _take(templates, "technique", pick)),
    )
