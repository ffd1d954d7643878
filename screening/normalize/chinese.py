"""Chinese names: traditional -> simplified, Han -> pinyin with surname readings, romanisation variants.

Speed: pypinyin costs ~60 µs per call, so readings are looked up per distinct character (cached dict)
instead. Context matters for heteronyms in words (银行 yin hang, 重庆 chong qing): pypinyin's phrase
table is scanned once for 2-4 character phrases whose reading differs from the per-character default and
those phrases override the default inside a name. Surnames read as surnames (曾 zeng, 单 shan, 解 xie ...)
from screening/resources/normalize/chinese_surnames.csv. Tones are dropped and ü is written u (lü -> lu).

Person names of 2-4 Han characters become "surname given" with the given-name syllables joined (习近平 ->
"xi jinping", 欧阳娜娜 -> "ouyang nana"), as Chinese names are romanised in passports and lists; the
scorer must still merge/split tokens ("xi jin ping"). Names written with a middle dot (贝拉克·奥巴马,
foreign names) join each part. Organisation names and longer names give one syllable per character
("bei jing mou mou ke ji"): there is no word segmenter good enough for company names, and a syllable per
character lets the scorer compare the space-free string ("beijingmoumoukeji") or merge tokens.
"""
from __future__ import annotations

import functools
import re

import opencc
from pypinyin.phrases_dict import phrases_dict
from pypinyin.pinyin_dict import pinyin_dict

from screening.normalize.resources import load_csv
from screening.normalize.text import HAN_RANGES, HAN_RE

# Separators of foreign names written in Han (贝拉克·奥巴马): middle dots after NFKC.
NAME_DOT_RE = re.compile("[\u00b7\u2022\u2027\u30fb\u16eb\u2219\u22c5\u318d\u0387\uff65]")
_HAN_RUN_RE = re.compile(f"[{HAN_RANGES}]+")
_TRAILING_V_RE = re.compile("v")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese (OpenCC t2s), so 國 and 国 meet."""
    return _t2s().convert(text)


# Tone-marked letters in pypinyin's data -> plain letters (ü written u); combining tone marks dropped.
_TONELESS = str.maketrans({
    **dict.fromkeys("āáǎà", "a"), **dict.fromkeys("ēéěèêếề", "e"), **dict.fromkeys("īíǐì", "i"),
    **dict.fromkeys("ōóǒò", "o"), **dict.fromkeys("ūúǔùüǖǘǚǜ", "u"), **dict.fromkeys("ńňǹ", "n"), "ḿ": "m",
    **dict.fromkeys("\u0300\u0301\u0304\u030c", None),
})


def _plain(syllable: str) -> str:
    """Toneless pinyin, ü written u."""
    return syllable.translate(_TONELESS)


class _Readings(dict[str, str]):
    """Default reading per character, filled on first use (pypinyin's first reading)."""

    def __missing__(self, char: str) -> str:
        raw = pinyin_dict.get(ord(char))
        value = _plain(raw.split(",")[0]) if raw else ""
        self[char] = value
        return value


READINGS = _Readings()


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable (ü written u), from pypinyin's character table."""
    return frozenset(_plain(r) for v in pinyin_dict.values() for r in v.split(","))


@functools.cache
def phrase_overrides() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """2-4 character phrases whose reading differs from per-character defaults, and their characters."""
    out: dict[str, tuple[str, ...]] = {}
    for phrase, readings in phrases_dict.items():
        if not 2 <= len(phrase) <= 4 or len(readings) != len(phrase):
            continue
        syllables = tuple(_plain(r[0]) for r in readings)
        if any(s != READINGS[c] for c, s in zip(phrase, syllables)):
            out[phrase] = syllables
    return out, frozenset(c for p in out for c in p)


def syllables(han: str) -> list[str]:
    """Pinyin syllables of a run of Han characters, one per character, phrase readings applied."""
    overrides, chars = phrase_overrides()
    if chars.isdisjoint(han):
        return [READINGS[c] for c in han]
    out: list[str] = []
    i, n = 0, len(han)
    while i < n:
        for size in (4, 3, 2):
            phrase = overrides.get(han[i:i + size]) if i + size <= n else None
            if phrase:
                out.extend(phrase)
                i += size
                break
        else:
            out.append(READINGS[han[i]])
            i += 1
    return out


@functools.cache
def surname_table() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(surname -> pinyin reading, romanisation -> pinyin targets most frequent first)."""
    readings: dict[str, str] = {}
    variants: dict[str, list[str]] = {}
    rank: dict[str, int] = {}
    for i, row in enumerate(load_csv("chinese_surnames.csv")):
        readings[row["surname"]] = row["pinyin"]
        rank.setdefault(row["pinyin"], i)
    for row in load_csv("chinese_surnames.csv"):
        target = row["pinyin"]
        for form in row["romanisations"].split():
            # A form that is the pinyin of a more frequent surname is read as that surname (tang = 唐).
            if form == target or rank.get(form, 10**9) < rank[target]:
                continue
            targets = variants.setdefault(form, [])
            if target not in targets:
                targets.append(target)
    ordered = {k: tuple(sorted(v, key=lambda t: rank[t])) for k, v in variants.items()}
    return readings, ordered


def split_person(han: str) -> tuple[str, str] | None:
    """Surname and given name of a 1-4 character Han person name (compound surnames first)."""
    if not 1 <= len(han) <= 4:
        return None
    readings = surname_table()[0]
    if len(han) >= 3 and han[:2] in readings:
        return han[:2], han[2:]
    return han[:1], han[1:]


def person_pinyin(han: str) -> list[str] | None:
    """'surname given' tokens for a 1-4 character Han person name, given-name syllables joined."""
    parts = split_person(han)
    if parts is None:
        return None
    surname, given = parts
    reading = surname_table()[0].get(surname) or "".join(syllables(surname))
    return [reading, "".join(syllables(given))]


def common_surname_reading(han: str) -> list[str] | None:
    """The pinyin a heteronym surname gets when read as an ordinary character (朴 pu, not piao; 曾 ceng,
    单 dan), with the given name: people and romanisers who miss the surname reading write it so.
    None when the surname reads the same either way."""
    parts = split_person(han)
    if parts is None or parts[0] not in surname_table()[0]:
        return None
    common = "".join(syllables(parts[0]))
    if common == surname_table()[0][parts[0]]:
        return None
    return [common, "".join(syllables(parts[1]))]


def surname_variants(words: list[str], limit: int = 4) -> list[list[str]]:
    """Token lists with one Wade-Giles/Cantonese/... surname romanisation mapped to pinyin.

    Only the first and last tokens are surname positions (Chinese order or Western order); a surname
    written in two tokens ("au yeung", "sze to") is joined first.
    """
    variants = surname_table()[1]
    out: list[list[str]] = []
    if len(words) < 2 or not (words[0] in variants or words[-1] in variants or len(words) >= 3):
        return out
    if len(words) >= 3:
        for pos in (0, len(words) - 2):
            for target in variants.get(words[pos] + words[pos + 1], ())[:1]:
                out.append(words[:pos] + [target] + words[pos + 2:])
    for pos in (0, len(words) - 1):
        for target in variants.get(words[pos], ())[:3]:
            out.append(words[:pos] + [target] + words[pos + 1:])
    return out[:limit]


def han_runs(text: str) -> list[tuple[bool, str]]:
    """Split text into (is_han, chunk) runs."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in _HAN_RUN_RE.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos:m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def is_han(text: str) -> bool:
    """True for a non-empty string of Han characters only."""
    return bool(text) and HAN_RE.sub("", text) == ""


@functools.cache
def korean_surnames() -> dict[str, tuple[str, ...]]:
    """Hangul surname -> romanisations, most usual first (김 -> kim, gim)."""
    return {row["surname"]: tuple(row["romanisations"].split()) for row in load_csv("korean_surnames.csv")}


def korean_variants(text: str, words: list[str], limit: int = 2) -> list[list[str]]:
    """Token lists with the Revised-Romanisation surname of a Hangul name replaced by the usual spellings
    (김정은 'gim jeong eun' -> 'kim jeong eun'); only when the name starts with a known surname syllable."""
    forms = korean_surnames().get(text[:1], ())
    if not words or not forms:
        return []
    return [[f] + words[1:] for f in forms if f != words[0]][:limit]


# Chinese Commercial (telegraph) Code: a whole name written as 2-6 groups of four digits ("3769 3945 5282"),
# as in Chinese visa, passport and SWIFT data. Fewer groups or other text is not taken for a code.
_TELECODE_RE = re.compile(r"^\d{4}(?:[ \-/]\d{4}){1,5}$")


def decode_telegraph(text: str) -> str | None:
    """The Han name a cleaned name of 4-digit telegraph-code groups encodes, or None (digits stay digits).

    Why: the same person appears as 王小明 on a list and as its telegraph code in visa/passport data. The
    mainland codebook is tried first (simplified characters), then Taiwan's; every group must decode to a
    Han character.
    """
    if _TELECODE_RE.match(text) is None:
        return None
    import zhtelecode

    codes = re.split(r"[ \-/]", text)
    for encoding in ("mainland", "taiwan"):
        try:
            han = zhtelecode.to_unicode(codes, encoding=encoding)
        except (KeyError, LookupError, ValueError, IndexError):
            continue
        if han and len(han) == len(codes) and is_han(han):
            return han
    return None
