"""F. Negative controls: another person or company that must stay below the review threshold."""

from __future__ import annotations

import random

from screening.evaluation.variants.han import _han_person_parts, _pinyin
from screening.evaluation.variants.model import Listed, Variant, _is_latin
from screening.evaluation.variants.tables import _variant_table, tables
from screening.evaluation.variants.text import _letters, _shift_date, _tokens, _typo


def gen_near_miss_contradicting(item: Listed, rng: random.Random) -> Variant | None:
    """F32 a short common-looking name, one edit off, with a DOB 15+ years away and another nationality."""
    if not item.is_person or not _is_latin(item) or item.birth_date is None or item.birth_precision != "exact":
        return None
    if not item.common_name or len(_tokens(item.name)) > 3 or not 8 <= _letters(item.name) <= 16:
        return None
    name = _typo(item.name, rng, 1)
    if not name:
        return None
    country = rng.choice([c for c in ("BR", "FR", "JP", "MX", "CA", "NZ") if c != item.country])
    return Variant(name, birth_date=_shift_date(item.birth_date, rng.choice((-1, 1)) * rng.randint(15, 30)), country=country)


def gen_substring_trap(item: Listed, rng: random.Random) -> str | None:
    """F33 a short list token hidden inside an ordinary word ("Ali" in "Khalil"), plus a common surname."""
    if not _is_latin(item):
        return None
    carriers: list[str] = tables()["trap_carriers"]
    toks = sorted({t.lower() for t in _tokens(item.name) if t.isalpha() and 3 <= len(t) <= 5})
    options = [(t, c) for t in toks for c in carriers if t in c.lower() and t != c.lower()]
    if not options:
        return None
    _, carrier = rng.choice(options)
    return f"{carrier} {rng.choice(tables()['trap_surnames'])}"


def gen_han_different_given(item: Listed, rng: random.Random) -> str | None:
    """D20/F34 same Han surname, a different common given name: another person, must not hit."""
    if item.script != "Han" or not item.is_person:
        return None
    parts = _han_person_parts(item.name)
    if not parts or len(parts) != 2 or len(parts[0]) != 1:
        return None
    own = set(_pinyin(parts[1]))
    pool = [g for g in _variant_table("chinese_given_names") if len(g) == 1 and not own & set(_pinyin(g))]
    given = "".join(rng.sample(sorted(pool), len(parts[1])))
    return parts[0] + given
