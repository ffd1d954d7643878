"""D19–D23 for Chinese names: pinyin and its segmentation, Wade-Giles, Cantonese surnames, simplified ↔
traditional characters, telegraph codes.

The romanisation here is the oracle's own (pypinyin + a Wade-Giles correction table), deliberately not the
matcher's normaliser: see the package docstring.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from screening.evaluation.variants.model import Listed, _is_latin
from screening.evaluation.variants.tables import (
    _opencc,
    cantonese_surnames,
    pinyin_syllables,
    tables,
    wade_giles_of_pinyin,
)
from screening.evaluation.variants.text import _han_chars, _strip_diacritics, _tokens


def _wade_giles_syllables(syllables: Sequence[str]) -> list[str] | None:
    """Pinyin syllables → Wade-Giles as written on documents (ü and ê without their marks), or None."""
    wg = wade_giles_of_pinyin()
    out = [wg.get(s.lower()) for s in syllables]
    if not all(out):
        return None
    return [_strip_diacritics(w) for w in out if w]


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
    """D21 Han name written in pinyin (surname + joined given name)."""
    return han_to_pinyin(item)


def gen_pinyin_segmentation(item: Listed, rng: random.Random) -> str | None:
    """D20 pinyin syllables split or joined differently (Wang Jian Hua / Wangjianhua; Xiao Ming / Xiaoming)."""
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
    """D19 Wade-Giles romanisation of a Chinese person's Han or pinyin name (Zhou → Chou, Xiao → Hsiao).

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
    """D19 Cantonese surname romanisation (王 Wong, 陈 Chan) with the given name in pinyin."""
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


def gen_han_simplified_traditional(item: Listed, rng: random.Random) -> str | None:
    """D22 simplified ↔ traditional characters (国/國, 东/東); surnames that keep their form stay (于 not 於)."""
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
    """D23 Chinese Commercial Code: four digits per character (persons; as on passports and SWIFT)."""
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
