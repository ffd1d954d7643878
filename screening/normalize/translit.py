"""Transliterate non-Han scripts to ASCII, choosing per script the scheme that best matches list spellings.

Measured on real list names (see tests): anyascii is BGN-like for Cyrillic (Shcherbakov, Lukashenko,
Yuriy) and fine for Latin diacritics, Greek, Thai, Georgian, Armenian, kana; ICU 'Any-Latin' keeps the
long vowels of Arabic, Hebrew and Indic scripts that anyascii drops ("asamt bn ladn" vs "'smh bn ldn").
Hangul goes one token per syllable ("gim jeong eun") like the romanised "Kim Jong Un". Han never comes
here (anyascii glues syllables: "XiJinPing"); see chinese.py.
"""
from __future__ import annotations

import functools
import re

import icu
from anyascii import anyascii

# Scripts whose short vowels are unwritten or inherent: ICU does better than anyascii.
_ICU_SCRIPTS = (r"\u0590-\u05ff\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u0780-\u07bf\u08a0-\u08ff\u0900-\u0dff"
                r"\ufb1d-\ufb4f\ufb50-\ufdff\ufe70-\ufefc")
# One run may span several words (one ICU call per name, not per word).
_ICU_RUN_RE = re.compile(f"[{_ICU_SCRIPTS}](?:[ {_ICU_SCRIPTS}]*[{_ICU_SCRIPTS}])?")
_HANGUL_RE = re.compile(r"[\uac00-\ud7a3]+")
# Word-initial Arabic definite article: its own token, as lists write it ("al tikriti").
_ARABIC_ARTICLE_RE = re.compile(r"(?<!\w)ال(?=\w{2,})(?!له)")


@functools.cache
def _icu() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def _icu_run(match: re.Match[str]) -> str:
    return " " + _icu().transliterate(match.group(0)) + " "


def _hangul_run(match: re.Match[str]) -> str:
    return " " + " ".join(anyascii(c) for c in match.group(0)) + " "


def to_ascii(text: str) -> str:
    """ASCII transliteration of casefolded text without Han (lowercase output, punctuation kept)."""
    if text.isascii():
        return text
    if "ال" in text:
        text = _ARABIC_ARTICLE_RE.sub("ال ", text)
    text = _ICU_RUN_RE.sub(_icu_run, text)
    text = _HANGUL_RE.sub(_hangul_run, text)
    # Modern Greek 'ου' is 'ou' (ELOT 743, Papandreou), anyascii writes 'oy'.
    text = text.replace("ου", "ou").replace("ού", "ou")
    return anyascii(text).lower()
