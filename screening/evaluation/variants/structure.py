"""C. Structure: token order, "LAST, First", fields split differently, dropped, added, merged or split
tokens, initials, abbreviations, truncation."""

from __future__ import annotations

import random

from screening.evaluation.variants.model import Listed, _is_latin
from screening.evaluation.variants.tables import tables
from screening.evaluation.variants.text import _initial, _surname_index, _tokens, _word_positions


def gen_token_reorder(item: Listed, rng: random.Random) -> str | None:
    """C12 tokens in reverse order (given-first ↔ surname-first); "LAST, First" un-inverted."""
    if not _is_latin(item):
        return None
    if "," in item.name:
        head, _, rest = item.name.partition(",")
        return f"{rest.strip()} {head.strip()}" if head.strip() and rest.strip() else None
    toks = _tokens(item.name)
    return " ".join(reversed(toks)) if len(toks) >= 2 else None


def gen_comma_inverted(item: Listed, rng: random.Random) -> str | None:
    """C12 "LAST, First Middle" (persons)."""
    toks = _tokens(item.name)
    if not item.is_person or not _is_latin(item) or len(toks) < 2 or "," in item.name:
        return None
    k = _surname_index(toks)
    return f"{toks[k]}, {' '.join(toks[:k] + toks[k + 1:])}"


def gen_field_misalignment(item: Listed, rng: random.Random) -> str | None:
    """C18 name parts split differently: tokens rotated and a comma after another part (persons, 3+ tokens)."""
    toks = _tokens(item.name.replace(",", " "))
    if not item.is_person or not _is_latin(item) or len(toks) < 3:
        return None
    k = rng.randrange(1, len(toks) - 1)
    rotated = toks[k:] + toks[:k]
    cut = rng.randrange(1, len(rotated))
    return " ".join(rotated[:cut]) + ", " + " ".join(rotated[cut:])


def gen_drop_middle(item: Listed, rng: random.Random) -> str | None:
    """C13 a middle name or patronymic dropped (persons, 3+ tokens)."""
    toks = _tokens(item.name)
    if not item.is_person or not _is_latin(item) or len(toks) < 3:
        return None
    i = rng.randrange(1, len(toks) - 1)
    return " ".join(toks[:i] + toks[i + 1 :])


def gen_extra_token(item: Listed, rng: random.Random) -> str | None:
    """C14 an added middle name (persons) or an appended descriptor (organisations)."""
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
    """C15 two adjacent tokens written as one (Jiang Tao → Jiangtao)."""
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
    """C15 one long token written as two (Hanspeter → Hans Peter)."""
    if not _is_latin(item):
        return None
    words = [(s, e) for s, e in _word_positions(item.name, 8)]
    if not words:
        return None
    s, e = rng.choice(words)
    i = rng.randrange(s + 3, e - 3)
    return item.name[:i] + " " + item.name[i:]


def gen_initials_middle(item: Listed, rng: random.Random) -> str | None:
    """C16 middle names reduced to initials (Robert Gabriel Mugabe → Robert G. Mugabe)."""
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
    """C16 all given names as initials (R.G. Mugabe); surname of 5+ letters kept."""
    toks = _tokens(item.name.replace(",", " "))
    if not item.is_person or not _is_latin(item) or len(toks) < 2:
        return None
    k = _surname_index(toks)
    if len(toks[k]) < 5:
        return None
    initials = "".join(_initial(t) for i, t in enumerate(toks) if i != k and not t.islower())
    return f"{initials} {toks[k]}" if initials else None


def gen_org_abbreviation(item: Listed, rng: random.Random) -> str | None:
    """C16 organisation words abbreviated (International → Intl, Corporation → Corp)."""
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
    """C17 cut at 35 characters (a field-length limit); names of 41–60 characters keeping 2+ whole tokens."""
    if not _is_latin(item) or not 40 < len(item.name) <= 60:
        return None
    cut = item.name[:35].rstrip(" ,.-")
    whole = [t for t in _tokens(item.name) if t in _tokens(cut)]
    return cut if len(whole) >= 2 else None
