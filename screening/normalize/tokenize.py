"""Punctuation and token rules for the ASCII forms and the script-preserving ('original') forms."""
from __future__ import annotations

import re

from screening.normalize.text import HAN_RANGES

_APOSTROPHES_RE = re.compile(r"['`\u00b4\u02b9\u02bb\u02bc\u02bd\u02be\u02bf\u2018\u2019\u201b\u2032]")
# Dotted letter runs written without spaces: "s.a.", "l.l.c", "g.m.b.h." -> "sa", "llc", "gmbh".
_DOTTED_RE = re.compile(r"(?<![a-z0-9])[a-z0-9](?:\.[a-z0-9])+\.?(?![a-z0-9])")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_NON_WORD_RE = re.compile(r"[\W_]+")
_HAN_GAP_RE = re.compile(f"(?<=[{HAN_RANGES}])[\\W_]+(?=[{HAN_RANGES}])")


def ascii_words(text: str, join_initials: bool) -> list[str]:
    """Tokens of an ASCII string: '&' is 'and', apostrophes join ("O'Brien" -> obrien), other punctuation
    splits; dotted letter runs join for organisations ("S.A." -> sa) and split for persons ("R.G." -> r g)."""
    if "&" in text:
        text = text.replace("&", " and ")
    text = _APOSTROPHES_RE.sub("", text)
    if join_initials and "." in text:
        # a run with a letter only ("5.A." is S.A. with a digit for the S; "1.2" stays a number)
        text = _DOTTED_RE.sub(lambda m: m.group(0).replace(".", "") if any(c.isalpha() for c in m.group(0))
                              else m.group(0), text)
    return _NON_ALNUM_RE.sub(" ", text).split()


def script_words(text: str) -> list[str]:
    """Tokens of a script-preserving string: punctuation splits, apostrophes join, Han runs have no gaps."""
    text = _APOSTROPHES_RE.sub("", text.replace("&", " and "))
    text = _HAN_GAP_RE.sub("", text)
    return _NON_WORD_RE.sub(" ", text).split()
