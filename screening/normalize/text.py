"""Unicode clean-up shared by every form: NFKC, invisible characters, case folding, homoglyphs, scripts.

Why: the same name arrives full-width, with zero-width joiners, non-breaking spaces or a Cyrillic 'а'
inside a Latin word; all of these must collapse to one string before any token work.
"""
from __future__ import annotations

import re
import unicodedata

from screening.normalize.resources import char_map

# Invisible format characters removed outright (zero-width space/joiners, word joiner, BOM, soft hyphen,
# bidi controls, Mongolian vowel separator, combining grapheme joiner, Hangul fillers).
_INVISIBLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\u206a\u206b"
    "\u206c\u206d\u206e\u206f\u3164\ufe00\ufe01\ufe02\ufe03\ufe04\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a"
    "\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\ufeff\uffa0"
)
# Odd whitespace that NFKC leaves alone (tabs, line/paragraph separators, ...) becomes a plain space.
_ODD_SPACE = "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
_CLEAN_TABLE = {ord(c): None for c in _INVISIBLE} | {ord(c): " " for c in _ODD_SPACE}

HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f"
HAN_RE = re.compile(f"[{HAN_RANGES}]")
HAN_ONLY_RE = re.compile(f"^[{HAN_RANGES}]+$")
_LATIN_LETTER_RE = re.compile(r"[a-z\u00c0-\u024f\u1e00-\u1eff]")
_CYRL_GREEK_RE = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")
_WORD_RE = re.compile(r"\w+")
# Arabic harakat/Quranic marks/tatweel and Hebrew points: spelling noise in the 'original' form.
_SEMITIC_MARKS_RE = re.compile("[\u0591-\u05c7\u0610-\u061a\u0640\u064b-\u065f\u0670\u06d6-\u06ed]")
# Any letter that is not Latin (after casefold, digits and ASCII are Latin enough).
_NON_LATIN_LETTER_RE = re.compile(r"[^\W\d_a-z\u00c0-\u024f\u1e00-\u1eff]")


def clean(name: str) -> str:
    """NFKC, drop invisible characters, odd whitespace to spaces, casefold, collapse spaces."""
    if name.isascii():
        text = name.translate(_CLEAN_TABLE).lower()
    else:
        text = unicodedata.normalize("NFKC", name.translate(_CLEAN_TABLE)).casefold()
        # NFKC may create new invisible/odd characters from compatibility forms; cheap second pass.
        text = text.translate(_CLEAN_TABLE)
    return " ".join(text.split())


def has_han(text: str) -> bool:
    """True if the text holds at least one Han character."""
    return HAN_RE.search(text) is not None


def has_non_latin(text: str) -> bool:
    """True if the text holds letters of a script other than Latin (the 'original' form is kept)."""
    return not text.isascii() and _NON_LATIN_LETTER_RE.search(text) is not None


def fix_homoglyphs(text: str) -> str:
    """Map Cyrillic/Greek look-alikes to Latin inside words that are Latin otherwise.

    A word mixing Latin and Cyrillic/Greek letters is a homoglyph trick (or an OCR slip); so is a word
    made only of look-alike letters in a name whose other words are plainly Latin. Real Cyrillic or Greek
    names (no Latin letters) are left for transliteration.
    """
    if text.isascii() or _CYRL_GREEK_RE.search(text) is None:
        return text
    table = char_map("homoglyphs.csv", "char", "latin")
    words = _WORD_RE.findall(text)
    twins = frozenset(table.values())
    # Latin context needs a Latin letter without a Cyrillic/Greek twin: "OOO" in "СТАН OOO" may be
    # either script, so it does not make СТАН a disguised Latin word.
    latin_words = [w for w in words if not _CYRL_GREEK_RE.search(w)
                   and any(_LATIN_LETTER_RE.match(c) and c not in twins for c in w)]

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if not _CYRL_GREEK_RE.search(word):
            return word
        mixed = _LATIN_LETTER_RE.search(word) is not None
        all_lookalike = all(c in table or c.isdigit() for c in word if not _LATIN_LETTER_RE.match(c))
        if (mixed or latin_words) and all_lookalike:
            return "".join(table.get(c, c) for c in word)
        return word

    return _WORD_RE.sub(fix, text)


def fold_letters(text: str) -> str:
    """Fold spelling variants of letters (Arabic alef forms, ta marbuta ...) and strip vowel points."""
    if text.isascii():
        return text
    text = _SEMITIC_MARKS_RE.sub("", text)
    table = char_map("letter_folding.csv", "char", "folded")
    return "".join(table.get(c, c) for c in text) if any(c in table for c in text) else text
