"""A Chinese organisation's Han name read the way its English listing is written.

浙江大华技术股份有限公司 is listed by the US as "Zhejiang Dahua Technology Co., Ltd.": the place in pinyin,
the brand (字号) in pinyin with its syllables joined, the generic words translated, the legal form as
"Co., Ltd.". The per-character pinyin form ("zhe jiang da hua ji shu") cannot meet that; this reading
("zhejiang dahua technology") can. Data, not code: cn_org_glossary.yml (generic words, places) and
cn_org_aliases.csv (brands that are not their pinyin: 海康威视 Hikvision), both with their sources.

The Han text is cut greedily, longest glossary entry first, left to right; characters between entries are
one brand run, read in pinyin joined. No segmenter is used: a brand run is whatever the glossary does not
know, which is how the companies themselves romanise it.
"""
from __future__ import annotations

import functools
import re

from screening.normalize import affixes, chinese
from screening.normalize.resources import load_csv, load_yaml
from screening.normalize.tokenize import ascii_words
from screening.normalize.translit import to_ascii

# A place name may carry its administrative suffix (浙江省, 杭州市): it belongs to the place.
_PLACE_SUFFIXES = "省市区县"


@functools.cache
def _tables() -> tuple[dict[str, tuple[tuple[str, ...], ...]], dict[str, str]]:
    """(Han word or brand -> English renderings as token tuples, usual first; Han place -> pinyin)."""
    data = load_yaml("cn_org_glossary.yml")
    words: dict[str, tuple[tuple[str, ...], ...]] = {}
    for han, renderings in data["words"].items():
        words[str(han)] = tuple(tuple(affixes.remove_stopwords(ascii_words(r.lower(), True))) for r in renderings)
    for row in load_csv("cn_org_aliases.csv"):
        words[row["han"]] = (tuple(row["english"].split()),)
    places = {str(k): str(v) for k, v in data["places"].items()}
    return words, places


@functools.cache
def _max_key() -> int:
    words, places = _tables()
    return max(map(len, list(words) + list(places)))


@functools.cache
def _brand_readings() -> dict[str, str]:
    """Characters a brand or place reads otherwise than pypinyin's first reading (都 du: 成都, 洪都)."""
    return {str(k): str(v) for k, v in load_yaml("cn_org_glossary.yml").get("brand_readings", {}).items()}


def _brand(han: str) -> str:
    """A brand run in pinyin, syllables joined (华为 huawei), with the readings names take."""
    special = _brand_readings()
    return "".join(special.get(c, s) for c, s in zip(han, chinese.syllables(han)))


@functools.cache
def place_tokens() -> frozenset[str]:
    """Place names as tokens (zhejiang, hangzhou …): optional, low-weight tokens of organisation names."""
    return frozenset(t for v in _tables()[1].values() for t in v.split() if len(v.split()) == 1)


@functools.cache
def org_word_pattern() -> re.Pattern[str]:
    """Glossary words of two characters or more: a Han name of unknown type holding one is an organisation."""
    keys = sorted((k for k in _tables()[0] if len(k) >= 2), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, keys)))


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_ORDINAL_RE = re.compile("第([零〇一二两三四五六七八九十百]+)")


def _number(text: str) -> int | None:
    """A Chinese numeral below 1000 (十三 13, 二十九 29, 七〇二 702, 一百零三 103), None if it is not one."""
    if all(c in _DIGITS for c in text):  # digit by digit: 七〇二
        return int("".join(str(_DIGITS[c]) for c in text))
    total, digit = 0, None
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in "十百":
            total += (1 if digit is None else digit) * (10 if c == "十" else 100)
            digit = None
        else:
            return None
    return total + (digit or 0)


def _ordinal(text: str) -> str:
    """第十三 -> 13th, as the lists write the numbered institutes ("13th Research Institute")."""
    n = _number(text)
    if n is None:
        return text
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


Renderings = tuple[tuple[str, ...], ...]  # the ways to write one piece, usual first; each a token tuple


def _segment(han: str) -> list[tuple[bool, Renderings]]:
    """Pieces of one Han run as (known, renderings): a place or glossary word (known), or a brand run
    between them, read in pinyin with its syllables joined."""
    words, places = _tables()
    pieces: list[tuple[bool, Renderings]] = []
    brand = ""
    i, n = 0, len(han)
    while i < n:
        found: Renderings | None = None
        ordinal = _ORDINAL_RE.match(han, i)
        if ordinal:
            end, found = ordinal.end(), ((_ordinal(ordinal.group(1)),),)
        for size in range(min(_max_key(), n - i), 0, -1):
            if found is not None:
                break
            key = han[i:i + size]
            if key in places:
                end = i + size + (1 if i + size < n and han[i + size] in _PLACE_SUFFIXES else 0)
                found = (tuple(places[key].split()),)
                break
            # a one-character word (核, 厂) only where it stands apart from a brand run's characters
            if key in words and (size >= 2 or not brand):
                end, found = i + size, words[key]
                break
        if found is None:
            brand += han[i]
            i += 1
            continue
        if brand:
            pieces.append((False, ((_brand(brand),),)))
            brand = ""
        pieces.append((True, found))
        i = end
    if brand:
        pieces.append((False, ((_brand(brand),),)))
    return pieces


def readings(words: list[str], limit: int = 2, swaps: int = 2) -> list[list[str]]:
    """The English-listing readings of a Han organisation name's words (legal form already removed), the
    usual renderings first, then all second renderings, then the usual reading with one word's second
    rendering (up to `swaps` of them: lists mix them, "China Academy of Launch Vehicle Technology" is 中国 and
    技术 as usual, 研究院 as its second rendering). A name the glossary knows none of is its brand, read with
    its syllables joined as lists write it (华为有限公司 -> "huawei", not the pinyin form's "hua wei"); [] for
    no Han at all."""
    pieces: list[tuple[bool, Renderings]] = []
    han = False
    for word in words:
        for is_han, chunk in chinese.han_runs(word):
            if is_han:
                han = True
                pieces += _segment(chunk)
            else:
                pieces += [(False, ((w,),)) for w in ascii_words(to_ascii(chunk), True)]
    if not han:
        return []
    out: list[list[str]] = []
    for k in range(limit):
        tokens = [t for _, r in pieces for t in r[min(k, len(r) - 1)]]
        if tokens and tokens not in out:
            out.append(tokens)
    # the last words first: a name's generic words (研究院, 集团) close it, its place and country open it
    for i in [i for i, (_, r) in enumerate(pieces) if len(r) > 1][::-1][:swaps]:
        tokens = [t for j, (_, r) in enumerate(pieces) for t in r[1 if j == i else 0]]
        if tokens not in out:
            out.append(tokens)
    return out
