"""B. Typographic errors: one or two edits, transpositions, keyboard neighbours, OCR confusions, doubled
letters."""

from __future__ import annotations

import random
import re

from screening.evaluation.variants.model import Listed, _is_latin
from screening.evaluation.variants.tables import tables
from screening.evaluation.variants.text import _letters, _typo, _word_positions


def gen_typo_edit1(item: Listed, rng: random.Random) -> str | None:
    """B8 one insertion, deletion or substitution (names of 8+ letters)."""
    if not _is_latin(item) or _letters(item.name) < 8:
        return None
    return _typo(item.name, rng, 1)


def gen_typo_edit2(item: Listed, rng: random.Random) -> str | None:
    """B8 two edits (names of 14+ letters)."""
    if not _is_latin(item) or _letters(item.name) < 14:
        return None
    return _typo(item.name, rng, 2)


def gen_transposition(item: Listed, rng: random.Random) -> str | None:
    """B9 two adjacent letters swapped (Damerau)."""
    if not _is_latin(item) or _letters(item.name) < 6:
        return None
    spots = [i for s, e in _word_positions(item.name, 4) for i in range(s + 1, e - 1) if item.name[i] != item.name[i + 1]]
    if not spots:
        return None
    i = rng.choice(spots)
    n = item.name
    return n[:i] + n[i + 1] + n[i] + n[i + 2 :]


def gen_keyboard(item: Listed, rng: random.Random) -> str | None:
    """B9 one letter replaced by a QWERTY neighbour."""
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
    """B10 visual confusions: 0↔O, 1↔l↔I, rn↔m, 5↔S."""
    if not _is_latin(item) or _letters(item.name) < 6:
        return None
    table: dict[str, str] = tables()["ocr_confusions"]
    spots = [(m.start(), k) for k in table for m in re.finditer(re.escape(k), item.name) if m.start() > 0]
    if not spots:
        return None
    i, k = rng.choice(sorted(spots))
    return item.name[:i] + table[k] + item.name[i + len(k) :]


def gen_double_letter(item: Listed, rng: random.Random) -> str | None:
    """B11 a doubled letter undoubled, or a consonant doubled (Hasan / Hassan)."""
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
