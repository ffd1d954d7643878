"""Small text helpers the generators share: the script of a name, tokens, letters, initials, random typos.

The script detector is the oracle's own (a few regexes, enough to route a name to its generators), not
the matcher's: see the package docstring.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

Script = Literal["Latn", "Han", "Cyrl", "Arab", "Other"]


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CYRL = re.compile(r"[\u0400-\u04ff]")
_ARAB = re.compile(r"[\u0600-\u06ff\u0750-\u077f]")
_LETTER = re.compile(r"[^\W\d_]")


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


# Legal forms and their words, folded away when the oracle asks whether two strings are one listed name.
_LEGAL_WORDS = frozenset(
    "ao oao zao ooo pao ojsc pjsc cjsc jsc llc ltd limited inc corp corporation co company gmbh ag sa plc "
    "open closed joint stock public".split()
)


def same_name_key(name: str, *, drop_numbers: bool = False) -> str:
    """A name with case, punctuation, word order and legal-form words folded ("RT-AVTO, AO" and "RT-AVTO OJSC"
    give one key); with `drop_numbers`, tokens holding a digit go too. The oracle uses it to keep out of
    must_not_hit a negative that is in fact a name the lists carry."""
    tokens = re.sub(r"[^\w]+", " ", unicodedata.normalize("NFKC", name).casefold()).split()
    return " ".join(sorted(t for t in tokens
                           if t not in _LEGAL_WORDS and not (drop_numbers and any(c.isdigit() for c in t))))


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


def _han_chars(name: str) -> list[str]:
    return _HAN.findall(name)


def _strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _shift_date(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


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
