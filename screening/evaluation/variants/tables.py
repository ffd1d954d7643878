"""The data the generators draw from: the substitution tables of `screening/resources/eval/`, and the
name tables shared with the matcher (nicknames, name-variant groups, Chinese surnames), each read once."""

from __future__ import annotations

import csv
import json
import unicodedata
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

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
    finals; the corrections come from a standard pinyin ↔ Wade-Giles table
    (screening/resources/eval/SOURCES.md), not from the normaliser's table, so the evaluation stays
    independent of what it measures. Syllables with no standard form are left out, and a name containing
    one is skipped.
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
