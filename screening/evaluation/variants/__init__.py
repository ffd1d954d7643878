"""Labelled name variants of real list names, one small generator per variation type (domain.md §8).

Why: the matcher is calibrated and regression-tested on manipulated copies of the names it must find
(control, manipulated and negative records, AML Analytics / EBA GL/2024/14 style). Each generator takes
one list-side name and returns a variant, or None when the type does not apply to that name; the table
`VARIATIONS` says which §8 item it covers and whether the matcher must hit it (`must_hit`), should hit it
(`should_hit`) or must stay below the review threshold (`must_not_hit`). Generation is deterministic for a
seed: candidates are read from the store in a fixed order and drawn with a seeded RNG per type.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

import duckdb
import polars as pl
import yaml

Expected = Literal["must_hit", "should_hit", "must_not_hit"]
Script = Literal["Latn", "Han", "Cyrl", "Arab", "Other"]


@dataclass(frozen=True)
class Listed:
    """One list-side name with what the generators may use from its entry."""

    source: str
    source_id: str
    subject_type: str
    name: str
    name_type: str = "primary"
    quality: str = "strong"
    birth_date: dt.date | None = None
    birth_precision: str | None = None
    country: str | None = None
    passport: str | None = None
    common_name: bool = False  # every token is frequent across the lists ("Ali Hassan")

    @property
    def script(self) -> Script:
        return script_of(self.name)

    @property
    def is_person(self) -> bool:
        return self.subject_type == "person"


@dataclass(frozen=True)
class Variant:
    """What an account would carry: a name and, for some types, secondary data."""

    name: str
    birth_date: dt.date | None = None
    country: str | None = None
    id_type: str | None = None
    id_number: str | None = None
    subject_type: str | None = None  # the query's type when it differs from the entry's


Generator = Callable[[Listed, random.Random], "Variant | str | None"]


@dataclass(frozen=True)
class VariationType:
    key: str
    section: str  # domain.md §8 item
    expected: Expected
    strength: str  # exact / strong / moderate / weak (expected match strength)
    generate: Generator
    description: str


# ---------------------------------------------------------------------------------------------
# data tables and small text helpers

RESOURCES = "screening.resources.eval"
# Name tables shared with the matcher (one copy, kept under screening/resources/matching/).
MATCHING_RESOURCES = "screening.resources.matching"


@lru_cache(maxsize=1)
def tables() -> dict[str, Any]:
    """The substitution tables (variation_tables.yml)."""
    text = resources.files(RESOURCES).joinpath("variation_tables.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@cache
def _variant_table(name: str) -> dict[str, Any]:
    text = resources.files(MATCHING_RESOURCES).joinpath("name_variants").joinpath(f"{name}.json").read_text(encoding="utf-8")
    (body,) = json.loads(text).values()
    return body


@lru_cache(maxsize=1)
def form_groups() -> dict[str, tuple[str, ...]]:
    """Latin given-name/surname spelling groups (Arabic given names, Russian surnames): form → group."""
    groups: dict[str, tuple[str, ...]] = {}
    for table in ("arabic_names", "russian_surnames"):
        for entry in _variant_table(table).values():
            forms = tuple(dict.fromkeys(f.lower() for f in entry["forms"] if f.isascii()))
            for f in forms:
                groups.setdefault(f, forms)
    return groups


@lru_cache(maxsize=1)
def cantonese_surnames() -> dict[str, str]:
    """Han surname (simplified and traditional) → its Cantonese romanisation."""
    out: dict[str, str] = {}
    table = _variant_table("chinese_surnames")
    for han, entry in sorted(table.items(), key=lambda kv: -(kv[1].get("frequency") or 0)):
        canto = [f for f, d in (entry.get("dialects") or {}).items() if d == "cantonese"]
        if not canto:
            continue
        for form in {han, _opencc("t2s").convert(han), _opencc("s2t").convert(han)}:
            out.setdefault(form, sorted(canto)[0])
    return out


@lru_cache(maxsize=1)
def nicknames() -> dict[str, tuple[str, ...]]:
    """Given name → its nicknames (William → Bill), lower case."""
    pairs: dict[str, set[str]] = {}
    with resources.files(MATCHING_RESOURCES).joinpath("nicknames.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            a, b = row["name1"].strip().lower(), row["name2"].strip().lower()
            if a and b and a != b:
                pairs.setdefault(a, set()).add(b)
    return {k: tuple(sorted(v)) for k, v in pairs.items()}


@lru_cache(maxsize=4)
def _opencc(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


@lru_cache(maxsize=1)
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable pypinyin knows (for spotting pinyin names and segmenting them)."""
    from pypinyin import pinyin_dict

    out: set[str] = set()
    for readings in pinyin_dict.pinyin_dict.values():
        for reading in readings.split(","):
            plain = unicodedata.normalize("NFKD", reading)
            plain = "".join(c for c in plain if not unicodedata.combining(c)).replace("ü", "v")
            if plain.isascii() and plain.isalpha():
                out.add(plain.lower())
    return frozenset(out)


@lru_cache(maxsize=1)
def wade_giles_corrections() -> dict[str, str]:
    """Pinyin syllable → genuine Wade-Giles where pypinyin's WADEGILES style is wrong ("" = no standard form)."""
    with resources.files(RESOURCES).joinpath("wade_giles_corrections.csv").open(encoding="utf-8") as fh:
        return {row["pinyin"]: row["wade_giles"] for row in csv.DictReader(fh)}


@lru_cache(maxsize=1)
def wade_giles_of_pinyin() -> dict[str, str]:
    """Toneless pinyin syllable (ü as v) → Wade-Giles: pypinyin's style, corrected by our own table.

    Why a correction table: pypinyin writes -ai as -ei (爱 "ei", 赛 "sei"), ü as v, and garbles a few
    finals; the corrections come from a standard pinyin ↔ Wade-Giles table (see SOURCES.md), not from the
    normaliser's table, so the evaluation stays independent of what it measures. Syllables with no
    standard form are left out, and a name containing one is skipped.
    """
    from pypinyin import Style, lazy_pinyin, pinyin_dict

    out: dict[str, str] = {}
    for code in pinyin_dict.pinyin_dict:
        char = chr(code)
        py = lazy_pinyin(char)[0]
        if py in out or not py.isascii():
            continue
        out[py] = lazy_pinyin(char, style=Style.WADEGILES)[0]
    out.update(wade_giles_corrections())
    return {py: wg for py, wg in out.items() if wg}


def _wade_giles_syllables(syllables: Sequence[str]) -> list[str] | None:
    """Pinyin syllables → Wade-Giles as written on documents (ü and ê without their marks), or None."""
    wg = wade_giles_of_pinyin()
    out = [wg.get(s.lower()) for s in syllables]
    if not all(out):
        return None
    return [_strip_diacritics(w) for w in out if w]


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRL = re.compile(r"[\u0400-\u04ff]")
_ARAB = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_LETTER = re.compile(r"[^\W\d_]")
_PUNCT = re.compile(r"[.,'’\-/&()\"]")


def script_of(name: str) -> Script:
    """The dominant script of a name, enough to route it to the right generators."""
    if _HAN.search(name):
        return "Han"
    if _CYRL.search(name):
        return "Cyrl"
    if _ARAB.search(name):
        return "Arab"
    letters = _LETTER.findall(name)
    if letters and all(ord(c) < 0x0250 or 0x1E00 <= ord(c) <= 0x1EFF for c in letters):
        return "Latn"
    return "Other"


def _tokens(name: str) -> list[str]:
    return name.split()


def _letters(name: str) -> int:
    return len(_LETTER.findall(name))


def _word_positions(name: str, min_len: int = 1) -> list[tuple[int, int]]:
    """(start, end) of alphabetic runs of at least `min_len` letters."""
    return [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+", name) if m.end() - m.start() >= min_len]


def _surname_index(toks: Sequence[str]) -> int:
    """Where the surname is: the one all-capitals token of a mixed-case name (WANG Jianhua), else the last."""
    caps = [i for i, t in enumerate(toks) if len(t) > 1 and t.isupper()]
    if len(caps) == 1 and len(caps) < len(toks):
        return caps[0]
    return len(toks) - 1


def _initial(tok: str) -> str:
    """J. for John; particles written in lower case (bin, al, van) are kept as they are."""
    return tok if tok.islower() or not tok[:1].isalpha() else tok[0].upper() + "."


def _is_latin(item: Listed) -> bool:
    return item.script == "Latn"


def _han_chars(name: str) -> list[str]:
    return _HAN.findall(name)


def _strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _account_birth_date(item: Listed, rng: random.Random) -> dt.date | None:
    """A full date an account would declare that agrees with the listed DOB (any day in a year-only DOB)."""
    if item.birth_date is None:
        return None
    if item.birth_precision in (None, "exact"):
        return item.birth_date
    start = item.birth_date.replace(month=1, day=1) if item.birth_precision == "year" else item.birth_date
    return start + dt.timedelta(days=rng.randrange(28 if item.birth_precision == "month" else 365))


def _typo(name: str, rng: random.Random, edits: int) -> str | None:
    """`edits` random single-letter insertions, deletions or substitutions inside words of 4+ letters."""
    out = name
    for _ in range(edits):
        words = _word_positions(out, 4)
        if not words:
            return None
        start, end = rng.choice(words)
        pos = rng.randrange(start + 1, end)  # keep the first letter
        op = rng.choice(("insert", "delete", "substitute"))
        letter = rng.choice("abcdefghiklmnoprstuvy")
        if out[pos].isupper():
            letter = letter.upper()
        if op == "insert":
            out = out[:pos] + letter + out[pos:]
        elif op == "delete":
            out = out[:pos] + out[pos + 1 :]
        else:
            if out[pos].lower() == letter.lower():
                letter = "x" if letter.lower() != "x" else "q"
                letter = letter.upper() if out[pos].isupper() else letter
            out = out[:pos] + letter + out[pos + 1 :]
    return out


# ---------------------------------------------------------------------------------------------
# A. normalisation


def gen_exact(item: Listed, rng: random.Random) -> str | None:
    """§8.1 the list name as published (control)."""
    return item.name if _is_latin(item) else None


def gen_original_script(item: Listed, rng: random.Random) -> str | None:
    """§8.21 a non-Latin list name as published (Han, Cyrillic, Arabic …)."""
    return item.name if item.script in ("Han", "Cyrl", "Arab", "Other") else None


def gen_case(item: Listed, rng: random.Random) -> str | None:
    """§8.2 upper / lower / title case."""
    if not _is_latin(item):
        return None
    options = [f(item.name) for f in (str.upper, str.lower, str.title)]
    options = [o for o in options if o != item.name]
    return rng.choice(options) if options else None


def gen_punctuation(item: Listed, rng: random.Random) -> str | None:
    """§8.3 punctuation removed, replaced by spaces, or added; extra spaces."""
    if not _is_latin(item):
        return None
    name = item.name
    if _PUNCT.search(name):
        out = _PUNCT.sub("" if rng.random() < 0.5 else " ", name)
    else:
        toks = _tokens(name)
        if len(toks) < 2:
            return None
        i = rng.randrange(len(toks) - 1)
        sep = rng.choice(("-", ". ", ", ", "  "))
        out = " ".join(toks[:i]) + (" " if i else "") + toks[i] + sep + " ".join(toks[i + 1 :])
    out = out.strip()
    return out if out and out != name else None


def gen_diacritics(item: Listed, rng: random.Random) -> str | None:
    """§8.4 diacritics stripped, expanded (ü → ue) or added."""
    if not _is_latin(item):
        return None
    name = item.name
    expansions: dict[str, str] = tables()["diacritic_expansions"]
    if not name.isascii():
        if any(c in name for c in expansions) and rng.random() < 0.5:
            return "".join(expansions.get(c, c) for c in name)
        out = _strip_diacritics(name)
        return out if out != name else None
    adds: dict[str, str] = tables()["add_diacritics"]
    spots = [i for i, c in enumerate(name) if c in adds]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + adds[name[i]] + name[i + 1 :]


def gen_fullwidth(item: Listed, rng: random.Random) -> str | None:
    """§8.5 full-width forms (what a Chinese IME types), whole name or one word."""
    if not _is_latin(item) or not item.name.isascii():
        return None

    def wide(text: str) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)

    if rng.random() < 0.5:
        return wide(item.name)
    toks = _tokens(item.name)
    i = rng.randrange(len(toks))
    return " ".join(wide(t) if j == i else t for j, t in enumerate(toks))


def gen_zero_width(item: Listed, rng: random.Random) -> str | None:
    """§8.6 zero-width characters inside words and odd whitespace between them."""
    if not _is_latin(item):
        return None
    name = item.name
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, len(name)) if len(name) > 1 else 1
        name = name[:i] + rng.choice(tables()["zero_width"]) + name[i:]
    if " " in name and rng.random() < 0.6:
        name = name.replace(" ", rng.choice(tables()["odd_spaces"]), 1)
    return name


def _legal_form_swap(name: str, rng: random.Random) -> str | None:
    low = name.lower()
    for group in tables()["legal_forms"]:
        for form in sorted(group, key=len, reverse=True):
            if re.search(r"(^|[\s,])" + re.escape(form.lower()) + r"$", low):
                head = name[: len(name) - len(form)].rstrip(" ,")
                other = rng.choice([g for g in group if g.lower() != form.lower()])
                return f"{head} {other}"
    return None


def gen_legal_form(item: Listed, rng: random.Random) -> str | None:
    """§8.7 legal form spelled another way, added, or (Han) 有限公司 ↔ 股份有限公司; & ↔ and; leading The."""
    if item.is_person:
        return None
    name = item.name
    if item.script == "Han":
        forms = sorted(tables()["han_legal_forms"], key=len, reverse=True)
        for form in forms:
            if name.endswith(form):
                others = [f for f in forms if f != form]
                return name[: -len(form)] + rng.choice(others + [""]) or None
        return name + rng.choice(forms)
    if not _is_latin(item):
        return None
    swapped = _legal_form_swap(name, rng)
    if swapped:
        return swapped
    if " & " in name:
        return name.replace(" & ", " and ", 1)
    if re.search(r"\band\b", name, re.I):
        return re.sub(r"\band\b", "&", name, count=1, flags=re.I)
    if name.lower().startswith("the "):
        return name[4:]
    return f"{name} {rng.choice(tables()['legal_form_suffixes'])}"


# ---------------------------------------------------------------------------------------------
# B. typographic errors


def gen_typo_edit1(item: Listed, rng: random.Random) -> str | None:
    """§8.8 one insertion, deletion or substitution (names of 8+ letters)."""
    if not _is_latin(item) or _letters(item.name) < 8:
        return None
    return _typo(item.name, rng, 1)


def gen_typo_edit2(item: Listed, rng: random.Random) -> str | None:
    """§8.8 two edits (names of 14+ letters)."""
    if not _is_latin(item) or _letters(item.name) < 14:
        return None
    return _typo(item.name, rng, 2)


def gen_transposition(item: Listed, rng: random.Random) -> str | None:
    """§8.9 two adjacent letters swapped (Damerau)."""
    if not _is_latin(item) or _letters(item.name) < 6:
        return None
    spots = [i for s, e in _word_positions(item.name, 4) for i in range(s + 1, e - 1) if item.name[i] != item.name[i + 1]]
    if not spots:
        return None
    i = rng.choice(spots)
    n = item.name
    return n[:i] + n[i + 1] + n[i] + n[i + 2 :]


def gen_keyboard(item: Listed, rng: random.Random) -> str | None:
    """§8.9 one letter replaced by a QWERTY neighbour."""
    if not _is_latin(item) or _letters(item.name) < 6:
        return None
    near: dict[str, str] = tables()["keyboard_neighbours"]
    spots = [i for s, e in _word_positions(item.name, 4) for i in range(s + 1, e) if item.name[i].lower() in near]
    if not spots:
        return None
    i = rng.choice(spots)
    c = rng.choice(near[item.name[i].lower()])
    c = c.upper() if item.name[i].isupper() else c
    return item.name[:i] + c + item.name[i + 1 :]


def gen_ocr(item: Listed, rng: random.Random) -> str | None:
    """§8.10 visual confusions: 0↔O, 1↔l↔I, rn↔m, 5↔S."""
    if not _is_latin(item) or _letters(item.name) < 6:
        return None
    table: dict[str, str] = tables()["ocr_confusions"]
    spots = [(m.start(), k) for k in table for m in re.finditer(re.escape(k), item.name) if m.start() > 0]
    if not spots:
        return None
    i, k = rng.choice(sorted(spots))
    return item.name[:i] + table[k] + item.name[i + len(k) :]


def gen_double_letter(item: Listed, rng: random.Random) -> str | None:
    """§8.11 a doubled letter undoubled, or a consonant doubled (Hasan / Hassan)."""
    if not _is_latin(item) or _letters(item.name) < 6:
        return None
    n = item.name
    doubles = [m.start() for m in re.finditer(r"([A-Za-z])\1", n)]
    if doubles:
        i = rng.choice(doubles)
        return n[:i] + n[i + 1 :]
    spots = [i for s, e in _word_positions(n, 4) for i in range(s + 1, e - 1) if n[i].lower() in "bdfgklmnprst"]
    if not spots:
        return None
    i = rng.choice(spots)
    return n[: i + 1] + n[i] + n[i + 1 :]


# ---------------------------------------------------------------------------------------------
# C. structure


def gen_token_reorder(item: Listed, rng: random.Random) -> str | None:
    """§8.12 tokens in reverse order (given-first ↔ surname-first); "LAST, First" un-inverted."""
    if not _is_latin(item):
        return None
    if "," in item.name:
        head, _, rest = item.name.partition(",")
        return f"{rest.strip()} {head.strip()}" if head.strip() and rest.strip() else None
    toks = _tokens(item.name)
    return " ".join(reversed(toks)) if len(toks) >= 2 else None


def gen_comma_inverted(item: Listed, rng: random.Random) -> str | None:
    """§8.12 "LAST, First Middle" (persons)."""
    toks = _tokens(item.name)
    if not item.is_person or not _is_latin(item) or len(toks) < 2 or "," in item.name:
        return None
    k = _surname_index(toks)
    return f"{toks[k]}, {' '.join(toks[:k] + toks[k + 1:])}"


def gen_field_misalignment(item: Listed, rng: random.Random) -> str | None:
    """§8.18 name parts split differently: tokens rotated and a comma after another part (persons, 3+ tokens)."""
    toks = _tokens(item.name.replace(",", " "))
    if not item.is_person or not _is_latin(item) or len(toks) < 3:
        return None
    k = rng.randrange(1, len(toks) - 1)
    rotated = toks[k:] + toks[:k]
    cut = rng.randrange(1, len(rotated))
    return " ".join(rotated[:cut]) + ", " + " ".join(rotated[cut:])


def gen_drop_middle(item: Listed, rng: random.Random) -> str | None:
    """§8.13 a middle name or patronymic dropped (persons, 3+ tokens)."""
    toks = _tokens(item.name)
    if not item.is_person or not _is_latin(item) or len(toks) < 3:
        return None
    i = rng.randrange(1, len(toks) - 1)
    return " ".join(toks[:i] + toks[i + 1 :])


def gen_extra_token(item: Listed, rng: random.Random) -> str | None:
    """§8.14 an added middle name (persons) or an appended descriptor (organisations)."""
    toks = _tokens(item.name)
    if not _is_latin(item) or not toks:
        return None
    if item.is_person:
        if len(toks) < 2:
            return None
        i = rng.randrange(1, len(toks))
        return " ".join(toks[:i] + [rng.choice(tables()["extra_given_names"])] + toks[i:])
    return f"{item.name} {rng.choice(tables()['org_descriptors'])}"


def gen_token_merge(item: Listed, rng: random.Random) -> str | None:
    """§8.15 two adjacent tokens written as one (Jiang Tao → Jiangtao)."""
    toks = _tokens(item.name)
    if not _is_latin(item) or len(toks) < 2:
        return None
    spots = [i for i in range(len(toks) - 1) if toks[i].isalpha() and toks[i + 1].isalpha()]
    if not spots:
        return None
    i = rng.choice(spots)
    second = toks[i + 1] if toks[i].isupper() else toks[i + 1].lower()
    return " ".join(toks[:i] + [toks[i] + second] + toks[i + 2 :])


def gen_token_split(item: Listed, rng: random.Random) -> str | None:
    """§8.15 one long token written as two (Hanspeter → Hans Peter)."""
    if not _is_latin(item):
        return None
    words = [(s, e) for s, e in _word_positions(item.name, 8)]
    if not words:
        return None
    s, e = rng.choice(words)
    i = rng.randrange(s + 3, e - 3)
    return item.name[:i] + " " + item.name[i:]


def gen_initials_middle(item: Listed, rng: random.Random) -> str | None:
    """§8.16 middle names reduced to initials (Robert Gabriel Mugabe → Robert G. Mugabe)."""
    toks = _tokens(item.name)
    if not item.is_person or not _is_latin(item) or len(toks) < 3:
        return None
    k = _surname_index(toks)
    given = [t for i, t in enumerate(toks) if i != k]
    if len(given) < 2:
        return None
    out = [given[0], *(_initial(t) for t in given[1:])]
    return " ".join(out + [toks[k]] if k == len(toks) - 1 else [toks[k]] + out)


def gen_initials_given(item: Listed, rng: random.Random) -> str | None:
    """§8.16 all given names as initials (R.G. Mugabe); surname of 5+ letters kept."""
    toks = _tokens(item.name.replace(",", " "))
    if not item.is_person or not _is_latin(item) or len(toks) < 2:
        return None
    k = _surname_index(toks)
    if len(toks[k]) < 5:
        return None
    initials = "".join(_initial(t) for i, t in enumerate(toks) if i != k and not t.islower())
    return f"{initials} {toks[k]}" if initials else None


def gen_org_abbreviation(item: Listed, rng: random.Random) -> str | None:
    """§8.16 organisation words abbreviated (International → Intl, Corporation → Corp)."""
    if item.is_person or not _is_latin(item):
        return None
    abbr: dict[str, str] = tables()["org_abbreviations"]
    toks = _tokens(item.name)
    spots = [i for i, t in enumerate(toks) if t.lower().strip(".,") in abbr]
    if not spots:
        return None
    i = rng.choice(spots)
    toks[i] = abbr[toks[i].lower().strip(".,")]
    return " ".join(toks)


def gen_truncation(item: Listed, rng: random.Random) -> str | None:
    """§8.17 cut at 35 characters (a field-length limit); names of 41–60 characters keeping 2+ whole tokens."""
    if not _is_latin(item) or not 40 < len(item.name) <= 60:
        return None
    cut = item.name[:35].rstrip(" ,.-")
    whole = [t for t in _tokens(item.name) if t in _tokens(cut)]
    return cut if len(whole) >= 2 else None


# ---------------------------------------------------------------------------------------------
# D. linguistic / cultural


def gen_translit_arabic(item: Listed, rng: random.Random) -> str | None:
    """§8.19 another romanisation of an Arabic name (Mohammed / Muhammad / Mohamad)."""
    return _swap_form(item, rng, "arabic_names")


def gen_translit_cyrillic(item: Listed, rng: random.Random) -> str | None:
    """§8.19 a Cyrillic name in another romanisation scheme (BGN / ISO 9), or a Russian surname respelled."""
    if item.script == "Cyrl":
        import icu

        scheme = rng.choice(("Russian-Latin/BGN; Latin-ASCII", "Cyrillic-Latin; Latin-ASCII"))
        out = icu.Transliterator.createInstance(scheme).transliterate(item.name).replace("'", "")
        return out.replace("ʹ", "")
    return _swap_form(item, rng, "russian_surnames")


def _swap_form(item: Listed, rng: random.Random, table: str) -> str | None:
    if not _is_latin(item):
        return None
    groups = form_groups()
    members = {f.lower() for e in _variant_table(table).values() for f in e["forms"]}
    toks = _tokens(item.name)
    spots = [i for i, t in enumerate(toks) if t.lower() in members and len(groups.get(t.lower(), ())) > 1]
    if not spots:
        return None
    i = rng.choice(spots)
    other = rng.choice([f for f in groups[toks[i].lower()] if f != toks[i].lower()])
    toks[i] = other.upper() if toks[i].isupper() else other.capitalize()
    return " ".join(toks)


def _han_person_parts(name: str) -> list[str] | None:
    """Surname and given name of a Han person name (or the parts of a foreign name split at ·)."""
    if _LATIN_OR_DIGIT.search(name) or _KANA_HANGUL.search(name):
        return None  # a mixed-script person name has no one faithful romanisation
    chars = "".join(_han_chars(name))
    if _FOREIGN_SEPARATOR.search(name):
        parts = [p for p in _FOREIGN_SEPARATOR.split(name) if p]
        return parts if all(_han_chars(p) for p in parts) else None
    if 2 <= len(chars) <= 4:
        return [chars[0], chars[1:]]
    return None


def _pinyin(text: str, style: Any = None) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    out = lazy_pinyin(text, style=style or Style.NORMAL)
    return [s for s in out if s and s.isascii() and s.replace("'", "").isalpha()]


_FOREIGN_SEPARATOR = re.compile(r"[·•・—\-\s]+")  # between the parts of a transliterated foreign name
_LATIN_OR_DIGIT = re.compile(r"[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uac00-\ud7af\u1100-\u11ff]")
_HAN_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")


def _romanise(han: str, wade_giles: bool) -> list[str] | None:
    """The syllables of a run of Han characters in pinyin or Wade-Giles, None if one cannot be rendered."""
    syl = _pinyin(han)
    if len(syl) != len(han):  # a character pypinyin has no reading for
        return None
    return _wade_giles_syllables(syl) if wade_giles else _pinyin_ascii(syl)


def _pinyin_ascii(syl: list[str]) -> list[str]:
    """ü as a Latin keyboard and a passport write it: yu (吕 Lyu, 女 Nyu; GB/T 28039-2011), not pypinyin's v."""
    return [s.replace("v", "yu") for s in syl]


def _runs(name: str) -> list[tuple[bool, str]] | None:
    """(is_han, text) runs of a name; the non-Han text as a Latin keyboard writes it (NFKC, · and 、 as spaces)."""
    if _KANA_HANGUL.search(name):
        return None  # Japanese or Korean: a pinyin reading is not a name anyone would write
    out: list[tuple[bool, str]] = []
    for i, part in enumerate(_HAN_RUN.split(name)):
        if i % 2:
            out.append((True, part))
            continue
        text = re.sub(r"[·•、\s]+", " ", unicodedata.normalize("NFKC", part)).strip()
        if text:
            out.append((False, text))
    return out


def han_to_pinyin(item: Listed, split_given: bool = False, join_all: bool = False, wade_giles: bool = False) -> str | None:
    """Han name → pinyin (or Wade-Giles) as a person or company would write it (Wang Jianhua; Meiguo Guojia …).

    Latin letters, digits and punctuation in a mixed-script name are kept as they are (Teledyne FLIR公司 →
    Teledyne FLIR Gong Si); a name with a character that cannot be rendered faithfully gives None.
    """
    if item.script != "Han":
        return None
    parts = _han_person_parts(item.name) if item.is_person else None
    if item.is_person and not parts and _LATIN_OR_DIGIT.search(item.name):
        return None  # a mixed-script person name has no one faithful romanisation
    if parts:
        words = []
        for j, part in enumerate(parts):
            syl = _romanise("".join(_han_chars(part)), wade_giles)
            if not syl:
                return None
            if split_given and j > 0:
                words.extend(s.capitalize() for s in syl)
            else:
                words.append(("-" if wade_giles else "").join(syl).capitalize())
        return "".join(words).capitalize() if join_all else " ".join(words)
    runs = _runs(item.name)
    if not runs:
        return None
    out: list[str] = []
    for is_han, text in runs:
        if not is_han:
            out.append(text)
            continue
        syl = _romanise(text, wade_giles)
        if not syl:
            return None
        if join_all:
            words = _han_words(text, syl)
            if words is None:
                return None
            out.extend(words)
        else:
            out.extend(s.capitalize() for s in syl)
    result = re.sub(r"\s+", " ", " ".join(out)).strip()
    result = re.sub(r"([(\[])\s+", r"\1", re.sub(r"\s+([)\],.;:])", r"\1", result))
    return result if result and any(is_han for is_han, _ in runs) else None


# A Han stem of at most this many characters is written as one word (a brand: Aierkang, Huawei); longer
# stems need a word segmenter we do not have, so their joined form is not generated.
MAX_JOINED_STEM = 3


def _han_words(text: str, syl: list[str]) -> list[str] | None:
    """Pinyin words of a Han run: the legal-form suffix in two-syllable words, the short stem as one word."""
    suffix = next((f for f in sorted(tables()["han_word_suffixes"], key=len, reverse=True) if text.endswith(f)), "")
    stem = len(text) - len(suffix)
    if stem > MAX_JOINED_STEM:
        return None
    words = ["".join(syl[:stem]).capitalize()] if stem else []
    tail = syl[stem:]
    words += ["".join(tail[i : i + 2]).capitalize() for i in range(0, len(tail), 2)]
    return words


def gen_han_pinyin(item: Listed, rng: random.Random) -> str | None:
    """§8.21 Han name written in pinyin (surname + joined given name)."""
    return han_to_pinyin(item)


def gen_pinyin_segmentation(item: Listed, rng: random.Random) -> str | None:
    """§8.20 pinyin syllables split or joined differently (Wang Jian Hua / Wangjianhua; Xiao Ming / Xiaoming)."""
    if item.script == "Han":
        return han_to_pinyin(item, split_given=item.is_person, join_all=not item.is_person)
    toks = _pinyin_tokens(item)
    if toks is None:
        return None
    surname_first = toks[0].lower() in _pinyin_surnames()
    given_idx = list(range(1, len(toks))) if surname_first else list(range(0, len(toks) - 1))
    given = [toks[i] for i in given_idx]
    if len(given) >= 2:  # joined → "Xiaoming"
        joined = given[0] + "".join(g.lower() for g in given[1:])
        return " ".join([toks[0], joined] if surname_first else [joined, toks[-1]])
    segs = _segment(given[0].lower())
    if not segs or len(segs) < 2:
        return None
    split = [s.upper() if given[0].isupper() else s.capitalize() for s in segs]
    return " ".join([toks[0], *split] if surname_first else [*split, toks[-1]])


def gen_wade_giles(item: Listed, rng: random.Random) -> str | None:
    """§8.19 Wade-Giles romanisation of a Chinese person's Han or pinyin name (Zhou → Chou, Xiao → Hsiao).

    Only Chinese personal names (2–3 characters, no foreign-name separator): nobody writes a transliterated
    foreign name (托马斯·琼斯) or a company name in Wade-Giles, so those would not be variants an account carries.
    """
    if item.script == "Han":
        if not item.is_person or _FOREIGN_SEPARATOR.search(item.name) or not 2 <= len(_han_chars(item.name)) <= 3:
            return None
        return han_to_pinyin(item, wade_giles=True)
    toks = _pinyin_tokens(item)
    if toks is None:
        return None
    out = []
    for tok in toks:
        conv = _wade_giles_syllables(_segment(tok.lower()) or [])
        if not conv:
            return None
        word = "-".join(conv)
        out.append(word.upper() if tok.isupper() else word.capitalize())
    result = " ".join(out)
    return result if result.lower() != item.name.lower() else None


def gen_cantonese(item: Listed, rng: random.Random) -> str | None:
    """§8.19 Cantonese surname romanisation (王 Wong, 陈 Chan) with the given name in pinyin."""
    table = cantonese_surnames()
    if item.script == "Han":
        if not item.is_person:
            return None
        parts = _han_person_parts(item.name)
        if not parts or len(parts) != 2 or parts[0] not in table:
            return None
        return f"{table[parts[0]].capitalize()} {''.join(_pinyin_ascii(_pinyin(parts[1]))).capitalize()}"
    toks = _pinyin_tokens(item)
    if toks is None:
        return None
    by_pinyin = _cantonese_by_pinyin()
    for i in (0, len(toks) - 1):
        canto = by_pinyin.get(toks[i].lower())
        if canto and canto != toks[i].lower():
            toks = list(toks)
            toks[i] = canto.upper() if toks[i].isupper() else canto.capitalize()
            return " ".join(toks)
    return None


@lru_cache(maxsize=1)
def _cantonese_by_pinyin() -> dict[str, str]:
    out: dict[str, str] = {}
    for han, canto in cantonese_surnames().items():  # most frequent surname first
        py = _pinyin(han)
        if py:
            out.setdefault(py[0], canto)
    return out


@lru_cache(maxsize=1)
def _pinyin_surnames() -> frozenset[str]:
    return frozenset(p for han in cantonese_surnames() for p in _pinyin(han)) | frozenset(
        {"wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu",
         "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng", "cao", "peng"}
    )


def _segment(word: str) -> list[str] | None:
    """Split a pinyin word into syllables (longest match first, with backtracking)."""
    syl = pinyin_syllables()
    if not word:
        return []
    for n in range(min(6, len(word)), 0, -1):
        head = word[:n]
        if head in syl:
            rest = _segment(word[n:])
            if rest is not None:
                return [head, *rest]
    return None


def _pinyin_tokens(item: Listed) -> list[str] | None:
    """The tokens of a Latin name that reads as a Chinese person's pinyin name, else None."""
    if not item.is_person or not _is_latin(item):
        return None
    toks = _tokens(item.name.replace(",", " ").replace("-", ""))
    if not 2 <= len(toks) <= 4 or not all(t.isalpha() and t.isascii() for t in toks):
        return None
    if toks[0].lower() not in _pinyin_surnames() and toks[-1].lower() not in _pinyin_surnames():
        return None
    if not all(_segment(t.lower()) for t in toks):
        return None
    return toks


def gen_homoglyph(item: Listed, rng: random.Random) -> str | None:
    """§8.21 one or two Latin letters replaced by look-alike Cyrillic/Greek letters (mixed script)."""
    if not _is_latin(item):
        return None
    glyphs: dict[str, str] = tables()["homoglyphs"]
    spots = [i for i, c in enumerate(item.name) if c in glyphs]
    if not spots:
        return None
    chars = list(item.name)
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        chars[i] = glyphs[chars[i]]
    return "".join(chars)


def gen_han_simplified_traditional(item: Listed, rng: random.Random) -> str | None:
    """§8.22 simplified ↔ traditional characters (国/國, 东/東); surnames that keep their form stay (于 not 於)."""
    if item.script != "Han":
        return None
    keep = set(tables()["han_surnames_same_in_traditional"])
    name = item.name
    head = ""
    if item.is_person and not _FOREIGN_SEPARATOR.search(name) and 2 <= len(name) <= 3 and name[0] in keep:
        head, name = name[0], name[1:]  # character-level conversion would change the surname (于 → 於)
    for config in ("s2t", "t2s"):
        out = head + _opencc(config).convert(name)
        if out != item.name:
            return out
    return None


def gen_chinese_telegraph_code(item: Listed, rng: random.Random) -> str | None:
    """§8.23 Chinese Commercial Code: four digits per character (persons; as on passports and SWIFT)."""
    import zhtelecode

    if item.script != "Han" or not item.is_person:
        return None
    chars = _han_chars(item.name)
    if not 2 <= len(chars) <= 6:
        return None
    try:
        codes = zhtelecode.to_telecode("".join(chars))
    except (KeyError, LookupError, ValueError):
        return None
    if len(codes) != len(chars) or not all(codes):
        return None
    return " ".join(codes)


def gen_title_honorific(item: Listed, rng: random.Random) -> str | None:
    """§8.24 a title or honorific before, or a generational suffix after, a person's name."""
    if not item.is_person or not _is_latin(item):
        return None
    if rng.random() < 0.7:
        return f"{rng.choice(tables()['person_titles'])} {item.name}"
    return f"{item.name} {rng.choice(tables()['person_suffixes'])}"


def gen_arabic_particles(item: Listed, rng: random.Random) -> str | None:
    """§8.24 Arabic particles spelled another way (al-/el-, bin/ibn, abd/abdul)."""
    if not _is_latin(item):
        return None
    groups: list[list[str]] = tables()["arabic_particles"]
    toks = item.name.replace("-", "- ").split()
    for i, tok in enumerate(toks):
        for group in groups:
            if tok.lower() in group:
                other = rng.choice([g for g in group if g != tok.lower()])
                toks[i] = other.upper() if tok.isupper() else other.capitalize()
                return " ".join(toks).replace("- ", "-")
    return None


def gen_nickname(item: Listed, rng: random.Random) -> str | None:
    """§8.25 a given name replaced by a nickname or its full form (William ↔ Bill)."""
    if not item.is_person or not _is_latin(item):
        return None
    nick = nicknames()
    toks = _tokens(item.name)
    k = _surname_index(toks)
    spots = [i for i, t in enumerate(toks) if i != k and t.lower() in nick]
    if not spots:
        return None
    i = rng.choice(spots)
    other = rng.choice(nick[toks[i].lower()])
    toks[i] = other.upper() if toks[i].isupper() else other.capitalize()
    return " ".join(toks)


def gen_gendered_surname(item: Listed, rng: random.Random) -> str | None:
    """§8.26 a Slavic surname in the other gender (Ivanov ↔ Ivanova)."""
    if not item.is_person or not _is_latin(item):
        return None
    toks = _tokens(item.name.replace(",", " "))
    if len(toks) < 2:
        return None
    i = _surname_index(toks)
    if i == len(toks) - 1 and "," in item.name:
        i = 0  # "IVANOV, Ivan"
    tok = toks[i]
    low = tok.lower()
    for male, female in tables()["gendered_endings"]:
        for a, b in ((female, male), (male, female)):
            if low.endswith(a) and len(low) > len(a) + 2:
                new = low[: -len(a)] + b
                toks[i] = new.upper() if tok.isupper() else new.capitalize()
                return " ".join(toks) if "," not in item.name else f"{toks[0]}, {' '.join(toks[1:])}"
    return None


def gen_phonetic(item: Listed, rng: random.Random) -> str | None:
    """§8.27 a sound-alike respelling (Smith / Smyth, Catherine / Kathryn)."""
    if not _is_latin(item) or _letters(item.name) < 6:
        return None
    rules = tables()["phonetic"]
    options = []
    for src, dst in rules:
        for m in re.finditer(re.escape(src), item.name, re.I):
            if m.start() > 0 and item.name[m.start() - 1].isalpha():
                options.append((m.start(), src, dst))
    if not options:
        return None
    i, src, dst = rng.choice(options)
    seg = item.name[i : i + len(src)]
    dst = dst.upper() if seg.isupper() else dst
    return item.name[:i] + dst + item.name[i + len(src) :]


def gen_digits_to_words(item: Listed, rng: random.Random) -> str | None:
    """§8.28 a number written as a word (5 Batallion → Five Batallion)."""
    words: dict[str, str] = tables()["number_words"]
    if not _is_latin(item):
        return None
    m = next((m for m in re.finditer(r"\b\d{1,2}\b", item.name) if m.group() in words), None)
    if m is None:
        return None
    return item.name[: m.start()] + words[m.group()].capitalize() + item.name[m.end() :]


def gen_digit_changed(item: Listed, rng: random.Random) -> str | None:
    """§8.28 a different number (Plant No. 410 → No. 417): another entity, must not hit."""
    if not _is_latin(item):
        return None
    spots = [m.start() for m in re.finditer(r"\d", item.name)]
    if not spots:
        return None
    i = rng.choice(spots)
    d = rng.choice([c for c in "0123456789" if c != item.name[i]])
    return item.name[:i] + d + item.name[i + 1 :]


# ---------------------------------------------------------------------------------------------
# E. aliases, identifiers, entity type


def gen_weak_alias(item: Listed, rng: random.Random) -> str | None:
    """§8.29 a weak alias alone: corroborates only, so must stay below the review threshold."""
    return item.name if item.quality == "weak" else None


def gen_weak_alias_dob(item: Listed, rng: random.Random) -> Variant | None:
    """§8.29 a weak alias with the listed date of birth: corroborated, should hit."""
    if item.quality != "weak" or not item.is_person or item.birth_date is None:
        return None
    return Variant(item.name, birth_date=_account_birth_date(item, rng))


def _weakened(item: Listed, rng: random.Random) -> str | None:
    """A name two edits away (or one for 10–13 letters): a weak name match that a secondary factor lifts."""
    if not _is_latin(item) or _letters(item.name) < 10:
        return None
    return _typo(item.name, rng, 2 if _letters(item.name) >= 14 else 1)


def gen_dob_match(item: Listed, rng: random.Random) -> Variant | None:
    """§8.30 misspelt name with a DOB that agrees with the listed one (exact, or inside a year-only DOB)."""
    name = _weakened(item, rng) if item.is_person and item.birth_date else None
    return Variant(name, birth_date=_account_birth_date(item, rng), country=item.country) if name else None


def gen_dob_day_month_swapped(item: Listed, rng: random.Random) -> Variant | None:
    """§8.30 misspelt name with day and month of the DOB transposed."""
    if not item.is_person or item.birth_date is None or item.birth_precision != "exact":
        return None
    d = item.birth_date
    if d.day > 12 or d.day == d.month:
        return None
    name = _weakened(item, rng)
    return Variant(name, birth_date=dt.date(d.year, d.day, d.month)) if name else None


def gen_dob_off_by_one(item: Listed, rng: random.Random) -> Variant | None:
    """§8.30 misspelt name with the DOB one year off."""
    if not item.is_person or item.birth_date is None or item.birth_precision != "exact":
        return None
    name = _weakened(item, rng)
    return Variant(name, birth_date=_shift_date(item.birth_date, rng.choice((-1, 1)))) if name else None


def gen_id_number(item: Listed, rng: random.Random) -> Variant | None:
    """§8.30 misspelt name with the listed passport number, formatted differently: the ID is decisive."""
    if not item.passport or not item.is_person:
        return None
    name = _weakened(item, rng)
    if not name:
        return None
    num = re.sub(r"[\s\-./]", "", item.passport)
    if len(num) >= 6 and rng.random() < 0.5:
        num = f"{num[:3]} {num[3:]}"
    elif len(num) >= 6:
        num = f"{num[:2]}-{num[2:]}".lower()
    return Variant(name, id_type="passport", id_number=num, country=item.country)


def gen_entity_type_mismatch(item: Listed, rng: random.Random) -> Variant | None:
    """§8.31 the exact name on an account of the other subject type: must not auto-close, should hit."""
    if not _is_latin(item) or item.subject_type not in ("person", "organization"):
        return None
    return Variant(item.name, subject_type="organization" if item.is_person else "person")


# ---------------------------------------------------------------------------------------------
# F. negative controls


def gen_near_miss_contradicting(item: Listed, rng: random.Random) -> Variant | None:
    """§8.32 a short common-looking name, one edit off, with a DOB 15+ years away and another nationality."""
    if not item.is_person or not _is_latin(item) or item.birth_date is None or item.birth_precision != "exact":
        return None
    if not item.common_name or len(_tokens(item.name)) > 3 or not 8 <= _letters(item.name) <= 16:
        return None
    name = _typo(item.name, rng, 1)
    if not name:
        return None
    country = rng.choice([c for c in ("BR", "FR", "JP", "MX", "CA", "NZ") if c != item.country])
    return Variant(name, birth_date=_shift_date(item.birth_date, rng.choice((-1, 1)) * rng.randint(15, 30)), country=country)


def gen_substring_trap(item: Listed, rng: random.Random) -> str | None:
    """§8.33 a short list token hidden inside an ordinary word ("Ali" in "Khalil"), plus a common surname."""
    if not _is_latin(item):
        return None
    carriers: list[str] = tables()["trap_carriers"]
    toks = sorted({t.lower() for t in _tokens(item.name) if t.isalpha() and 3 <= len(t) <= 5})
    options = [(t, c) for t in toks for c in carriers if t in c.lower() and t != c.lower()]
    if not options:
        return None
    _, carrier = rng.choice(options)
    return f"{carrier} {rng.choice(tables()['trap_surnames'])}"


def gen_han_different_given(item: Listed, rng: random.Random) -> str | None:
    """§8.20/§8.34 same Han surname, a different common given name: another person, must not hit."""
    if item.script != "Han" or not item.is_person:
        return None
    parts = _han_person_parts(item.name)
    if not parts or len(parts) != 2 or len(parts[0]) != 1:
        return None
    own = set(_pinyin(parts[1]))
    pool = [g for g in _variant_table("chinese_given_names") if len(g) == 1 and not own & set(_pinyin(g))]
    given = "".join(rng.sample(sorted(pool), len(parts[1])))
    return parts[0] + given


# ---------------------------------------------------------------------------------------------
# the table: type → generator → class


def _v(key: str, section: str, expected: Expected, strength: str, fn: Generator) -> VariationType:
    return VariationType(key, section, expected, strength, fn, (fn.__doc__ or "").strip())


VARIATIONS: tuple[VariationType, ...] = (
    # A. normalisation
    _v("exact", "A1", "must_hit", "exact", gen_exact),
    _v("original_script", "D21", "must_hit", "exact", gen_original_script),
    _v("case", "A2", "must_hit", "exact", gen_case),
    _v("punctuation_spacing", "A3", "must_hit", "exact", gen_punctuation),
    _v("diacritics", "A4", "must_hit", "strong", gen_diacritics),
    _v("fullwidth", "A5", "must_hit", "exact", gen_fullwidth),
    _v("zero_width", "A6", "must_hit", "exact", gen_zero_width),
    _v("legal_form", "A7", "must_hit", "strong", gen_legal_form),
    # B. typographic errors
    _v("typo_edit1", "B8", "should_hit", "strong", gen_typo_edit1),
    _v("typo_edit2", "B8", "should_hit", "moderate", gen_typo_edit2),
    _v("transposition", "B9", "should_hit", "strong", gen_transposition),
    _v("keyboard", "B9", "should_hit", "strong", gen_keyboard),
    _v("ocr", "B10", "should_hit", "moderate", gen_ocr),
    _v("double_letter", "B11", "should_hit", "strong", gen_double_letter),
    # C. structure
    _v("token_reorder", "C12", "must_hit", "strong", gen_token_reorder),
    _v("comma_inverted", "C12", "must_hit", "strong", gen_comma_inverted),
    _v("field_misalignment", "C18", "must_hit", "strong", gen_field_misalignment),
    _v("drop_middle", "C13", "should_hit", "moderate", gen_drop_middle),
    _v("extra_token", "C14", "should_hit", "moderate", gen_extra_token),
    _v("token_merge", "C15", "should_hit", "strong", gen_token_merge),
    _v("token_split", "C15", "should_hit", "strong", gen_token_split),
    _v("initials_middle", "C16", "should_hit", "moderate", gen_initials_middle),
    _v("initials_given", "C16", "should_hit", "weak", gen_initials_given),
    _v("org_abbreviation", "C16", "should_hit", "strong", gen_org_abbreviation),
    _v("truncation", "C17", "should_hit", "moderate", gen_truncation),
    # D. linguistic / cultural
    _v("translit_arabic", "D19", "should_hit", "strong", gen_translit_arabic),
    _v("translit_cyrillic", "D19", "should_hit", "strong", gen_translit_cyrillic),
    _v("wade_giles", "D19", "should_hit", "strong", gen_wade_giles),
    _v("cantonese", "D19", "should_hit", "moderate", gen_cantonese),
    _v("pinyin_segmentation", "D20", "should_hit", "strong", gen_pinyin_segmentation),
    _v("han_pinyin", "D21", "must_hit", "strong", gen_han_pinyin),
    _v("homoglyph", "D21", "must_hit", "exact", gen_homoglyph),
    _v("han_simplified_traditional", "D22", "must_hit", "exact", gen_han_simplified_traditional),
    _v("chinese_telegraph_code", "D23", "should_hit", "strong", gen_chinese_telegraph_code),
    _v("title_honorific", "D24", "must_hit", "exact", gen_title_honorific),
    _v("arabic_particles", "D24", "should_hit", "strong", gen_arabic_particles),
    _v("nickname", "D25", "should_hit", "moderate", gen_nickname),
    _v("gendered_surname", "D26", "should_hit", "moderate", gen_gendered_surname),
    _v("phonetic", "D27", "should_hit", "strong", gen_phonetic),
    _v("digits_to_words", "D28", "should_hit", "moderate", gen_digits_to_words),
    # E. aliases and identifiers
    _v("weak_alias_dob", "E29", "should_hit", "moderate", gen_weak_alias_dob),
    _v("dob_match", "E30", "should_hit", "moderate", gen_dob_match),
    _v("dob_day_month_swapped", "E30", "should_hit", "moderate", gen_dob_day_month_swapped),
    _v("dob_off_by_one", "E30", "should_hit", "moderate", gen_dob_off_by_one),
    _v("id_number", "E30", "should_hit", "strong", gen_id_number),
    _v("entity_type_mismatch", "E31", "should_hit", "moderate", gen_entity_type_mismatch),
    # F. negative controls (and negatives from other groups)
    _v("weak_alias", "E29", "must_not_hit", "weak", gen_weak_alias),
    _v("digit_changed", "D28", "must_not_hit", "weak", gen_digit_changed),
    _v("near_miss_contradicting", "F32", "must_not_hit", "weak", gen_near_miss_contradicting),
    _v("substring_trap", "F33", "must_not_hit", "weak", gen_substring_trap),
    _v("han_different_given", "F34", "must_not_hit", "weak", gen_han_different_given),
)

VARIATIONS_BY_KEY: dict[str, VariationType] = {v.key: v for v in VARIATIONS}


# ---------------------------------------------------------------------------------------------
# reading names from the store and generating the labelled set

LISTED_SQL = """
WITH dob AS (
    SELECT source, source_id, arg_min(date_from, date_from) AS birth_date,
           arg_min(precision, date_from) AS birth_precision
    FROM current_birth_dates WHERE date_from IS NOT NULL GROUP BY ALL
), ctry AS (
    SELECT source, source_id,
           arg_min(country, CASE role WHEN 'nationality' THEN 0 WHEN 'citizenship' THEN 1 ELSE 2 END) AS country
    FROM current_countries GROUP BY ALL
), pass AS (
    SELECT source, source_id, min(number) AS passport
    FROM current_identifiers WHERE id_type = 'passport' GROUP BY ALL
), tok AS (
    SELECT name, unnest(string_split(regexp_replace(lower(name), '[^a-z0-9]+', ' ', 'g'), ' ')) AS t
    FROM (SELECT DISTINCT name FROM current_names)
), freq AS (
    SELECT t, count(DISTINCT name) AS df FROM tok WHERE t <> '' GROUP BY t
), common AS (
    SELECT name, min(df) >= {common_df} AS common_name FROM tok JOIN freq USING (t) WHERE t <> '' GROUP BY name
)
SELECT n.source, n.source_id, e.subject_type, n.name, n.name_type, n.quality,
       dob.birth_date, dob.birth_precision, ctry.country, pass.passport, coalesce(common.common_name, false)
FROM (SELECT DISTINCT source, source_id, name, name_type, quality FROM current_names) n
JOIN current_entries e USING (source, source_id)
LEFT JOIN dob USING (source, source_id)
LEFT JOIN ctry USING (source, source_id)
LEFT JOIN pass USING (source, source_id)
LEFT JOIN common USING (name)
WHERE e.subject_type IN ('person', 'organization') {where}
ORDER BY n.source, n.source_id, n.name, n.name_type
"""


# A token carried by at least this many distinct list names is common (ali, hassan, mohammad, wang).
COMMON_TOKEN_NAMES = 25


def load_listed(con: duckdb.DuckDBPyConnection, sources: Sequence[str] | None = None) -> list[Listed]:
    """Every name of every person/organisation entry in force, in a fixed order (determinism)."""
    where, params = "", []
    if sources:
        where = "AND n.source IN (SELECT unnest(?))"
        params = [list(sources)]
    rows = con.execute(LISTED_SQL.format(where=where, common_df=COMMON_TOKEN_NAMES), params).fetchall()
    return [Listed(*r) for r in rows]


VARIANT_SCHEMA = {
    "variant_id": pl.String,
    "variation_type": pl.String,
    "section": pl.String,
    "expected": pl.String,
    "strength": pl.String,
    "source": pl.String,
    "source_id": pl.String,
    "entry_subject_type": pl.String,
    "original": pl.String,
    "original_name_type": pl.String,
    "original_quality": pl.String,
    "variant": pl.String,
    "subject_type": pl.String,
    "birth_date": pl.Date,
    "country": pl.String,
    "id_type": pl.String,
    "id_number": pl.String,
}


def _interleave_by_source(items: Sequence[Listed], rng: random.Random) -> list[Listed]:
    """Shuffle within each source, then take one from each source in turn (every list is represented)."""
    by_source: dict[str, list[Listed]] = {}
    for it in items:
        by_source.setdefault(it.source, []).append(it)
    queues = []
    for src in sorted(by_source):
        q = by_source[src][:]
        rng.shuffle(q)
        queues.append(q)
    out: list[Listed] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def make_variant(vtype: VariationType, item: Listed, rng: random.Random) -> Variant | None:
    """Run one generator and drop results that are empty or, for non-control types, unchanged."""
    out = vtype.generate(item, rng)
    if out is None:
        return None
    variant = out if isinstance(out, Variant) else Variant(out)
    if variant.name is None or not variant.name.strip():
        return None
    control = vtype.key in ("exact", "original_script", "weak_alias", "weak_alias_dob", "entity_type_mismatch")
    if not control and variant.name == item.name and variant.birth_date is None and variant.id_number is None:
        return None
    return variant


def generate_variants(
    listed: Sequence[Listed] | duckdb.DuckDBPyConnection,
    *,
    seed: int = 0,
    per_type: int = 100,
    types: Iterable[str] | None = None,
) -> pl.DataFrame:
    """Up to `per_type` labelled variants per variation type, deterministic for a seed.

    Strong names feed every type except the weak-alias ones. Names are drawn round-robin across sources
    so small lists are represented. Negatives are dropped when they equal another listed name.
    """
    items = load_listed(listed) if isinstance(listed, duckdb.DuckDBPyConnection) else list(listed)
    listed_names = {it.name.casefold() for it in items}
    strong_keys = {(it.source, it.source_id, it.name.casefold()) for it in items if it.quality == "strong"}
    wanted = [VARIATIONS_BY_KEY[k] for k in types] if types else list(VARIATIONS)
    rows: list[dict[str, Any]] = []
    for vtype in wanted:
        rng = random.Random(f"{seed}:{vtype.key}")
        weak_type = vtype.key.startswith("weak_alias")
        pool = [it for it in items if (it.quality == "weak") == weak_type]
        if weak_type:  # a weak alias that is also a strong name of the same entry is not weak-only
            pool = [it for it in pool if (it.source, it.source_id, it.name.casefold()) not in strong_keys]
        made = 0
        seen: set[str] = set()
        for item in _interleave_by_source(pool, rng):
            if made >= per_type:
                break
            variant = make_variant(vtype, item, rng)
            if variant is None or variant.name in seen:
                continue
            if vtype.expected == "must_not_hit" and vtype.key != "weak_alias" and variant.name.casefold() in listed_names:
                continue
            seen.add(variant.name)
            made += 1
            rows.append(
                {
                    "variant_id": f"{vtype.key}:{made:04d}",
                    "variation_type": vtype.key,
                    "section": vtype.section,
                    "expected": vtype.expected,
                    "strength": vtype.strength,
                    "source": item.source,
                    "source_id": item.source_id,
                    "entry_subject_type": item.subject_type,
                    "original": item.name,
                    "original_name_type": item.name_type,
                    "original_quality": item.quality,
                    "variant": variant.name,
                    "subject_type": variant.subject_type or item.subject_type,
                    "birth_date": variant.birth_date,
                    "country": variant.country,
                    "id_type": variant.id_type,
                    "id_number": variant.id_number,
                }
            )
    return pl.DataFrame(rows, schema=VARIANT_SCHEMA)


def variants_as_accounts(variants: pl.DataFrame) -> pl.DataFrame:
    """The labelled variants as an account frame (DESIGN §3.2 columns) for `screen_accounts`."""
    from screening.accounts import ACCOUNT_SCHEMA

    given = {
        "account_id": pl.col("variant_id"),
        "subject_type": pl.col("subject_type"),
        "name": pl.col("variant"),
        "birth_date": pl.col("birth_date"),
        "country": pl.col("country"),
        "nationality": pl.col("country"),
        "id_type": pl.col("id_type"),
        "id_number": pl.col("id_number"),
    }
    return variants.select(
        given.get(col, pl.lit(None)).cast(dtype).alias(col) for col, dtype in ACCOUNT_SCHEMA.items()
    )
