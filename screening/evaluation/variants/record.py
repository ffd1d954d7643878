"""E. The rest of the record: weak aliases, dates of birth, passport numbers, the subject type."""

from __future__ import annotations

import datetime as dt
import random
import re

from screening.evaluation.variants.model import Listed, Variant, _is_latin
from screening.evaluation.variants.text import _letters, _shift_date, _typo


def _account_birth_date(item: Listed, rng: random.Random) -> dt.date | None:
    """A full date an account would declare that agrees with the listed DOB (any day in a year-only DOB)."""
    if item.birth_date is None:
        return None
    if item.birth_precision in (None, "exact"):
        return item.birth_date
    start = item.birth_date.replace(month=1, day=1) if item.birth_precision == "year" else item.birth_date
    return start + dt.timedelta(days=rng.randrange(28 if item.birth_precision == "month" else 365))


def gen_weak_alias(item: Listed, rng: random.Random) -> str | None:
    """E29 a weak alias alone: corroborates only, so must stay below the review threshold."""
    return item.name if item.quality == "weak" else None


def gen_weak_alias_dob(item: Listed, rng: random.Random) -> Variant | None:
    """E29 a weak alias with the listed date of birth: corroborated, should hit."""
    if item.quality != "weak" or not item.is_person or item.birth_date is None:
        return None
    return Variant(item.name, birth_date=_account_birth_date(item, rng))


def _weakened(item: Listed, rng: random.Random) -> str | None:
    """A name two edits away (or one for 10–13 letters): a weak name match that a secondary factor lifts."""
    if not _is_latin(item) or _letters(item.name) < 10:
        return None
    return _typo(item.name, rng, 2 if _letters(item.name) >= 14 else 1)


def gen_dob_match(item: Listed, rng: random.Random) -> Variant | None:
    """E30 misspelt name with a DOB that agrees with the listed one (exact, or inside a year-only DOB)."""
    name = _weakened(item, rng) if item.is_person and item.birth_date else None
    return Variant(name, birth_date=_account_birth_date(item, rng), country=item.country) if name else None


def gen_dob_day_month_swapped(item: Listed, rng: random.Random) -> Variant | None:
    """E30 misspelt name with day and month of the DOB transposed."""
    if not item.is_person or item.birth_date is None or item.birth_precision != "exact":
        return None
    d = item.birth_date
    if d.day > 12 or d.day == d.month:
        return None
    name = _weakened(item, rng)
    return Variant(name, birth_date=dt.date(d.year, d.day, d.month)) if name else None


def gen_dob_off_by_one(item: Listed, rng: random.Random) -> Variant | None:
    """E30 misspelt name with the DOB one year off."""
    if not item.is_person or item.birth_date is None or item.birth_precision != "exact":
        return None
    name = _weakened(item, rng)
    return Variant(name, birth_date=_shift_date(item.birth_date, rng.choice((-1, 1)))) if name else None


def gen_id_number(item: Listed, rng: random.Random) -> Variant | None:
    """E30 misspelt name with the listed passport number, formatted differently: the ID is decisive."""
    if not item.passport or not item.is_person:
        return None
    name = _weakened(item, rng)
    if not name:
        return None
    num = re.sub(r"[\s\-./]", "", item.passport)
    if len(num) >= 6 and rng.random() < 0.5:
        num = f"{num[:3]} {num[3:]}"
    elif len(num) >= 6:
        num = f"{num[:2]}-{num[2:]}".lower()
    return Variant(name, id_type="passport", id_number=num, country=item.country)


def gen_entity_type_mismatch(item: Listed, rng: random.Random) -> Variant | None:
    """E31 the exact name on an account of the other subject type: must not auto-close, should hit."""
    if not _is_latin(item) or item.subject_type not in ("person", "organization"):
        return None
    return Variant(item.name, subject_type="organization" if item.is_person else "person")
