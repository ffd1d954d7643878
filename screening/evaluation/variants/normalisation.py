"""A. Normalisation: case, punctuation and spacing, diacritics, full-width and invisible characters, legal
forms; and the controls (the name as published, in Latin or its original script). All must hit."""

from __future__ import annotations

import random
import re

from screening.evaluation.variants.model import Listed, _is_latin
from screening.evaluation.variants.tables import tables
from screening.evaluation.variants.text import _strip_diacritics, _tokens

_PUNCT = re.compile(r"[.,'’\-/&()\"]")


def gen_exact(item: Listed, rng: random.Random) -> str | None:
    """A1 the list name as published (control)."""
    return item.name if _is_latin(item) else None


def gen_original_script(item: Listed, rng: random.Random) -> str | None:
    """D21 a non-Latin list name as published (Han, Cyrillic, Arabic …)."""
    return item.name if item.script in ("Han", "Cyrl", "Arab", "Other") else None


def gen_case(item: Listed, rng: random.Random) -> str | None:
    """A2 upper / lower / title case."""
    if not _is_latin(item):
        return None
    options = [f(item.name) for f in (str.upper, str.lower, str.title)]
    options = [o for o in options if o != item.name]
    return rng.choice(options) if options else None


def gen_punctuation(item: Listed, rng: random.Random) -> str | None:
    """A3 punctuation removed, replaced by spaces, or added; extra spaces."""
    if not _is_latin(item):
        return None
    name = item.name
    if _PUNCT.search(name):
        out = _PUNCT.sub("" if rng.random() < 0.5 else " ", name)
    else:
        toks = _tokens(name)
        if len(toks) < 2:
            return None
        i = rng.randrange(len(toks) - 1)
        sep = rng.choice(("-", ". ", ", ", "  "))
        out = " ".join(toks[:i]) + (" " if i else "") + toks[i] + sep + " ".join(toks[i + 1 :])
    out = out.strip()
    return out if out and out != name else None


def gen_diacritics(item: Listed, rng: random.Random) -> str | None:
    """A4 diacritics stripped, expanded (ü → ue) or added."""
    if not _is_latin(item):
        return None
    name = item.name
    expansions: dict[str, str] = tables()["diacritic_expansions"]
    if not name.isascii():
        if any(c in name for c in expansions) and rng.random() < 0.5:
            return "".join(expansions.get(c, c) for c in name)
        out = _strip_diacritics(name)
        return out if out != name else None
    adds: dict[str, str] = tables()["add_diacritics"]
    spots = [i for i, c in enumerate(name) if c in adds]
    if not spots:
        return None
    i = rng.choice(spots)
    return name[:i] + adds[name[i]] + name[i + 1 :]


def gen_fullwidth(item: Listed, rng: random.Random) -> str | None:
    """A5 full-width forms (what a Chinese IME types), whole name or one word."""
    if not _is_latin(item) or not item.name.isascii():
        return None

    def wide(text: str) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)

    if rng.random() < 0.5:
        return wide(item.name)
    toks = _tokens(item.name)
    i = rng.randrange(len(toks))
    return " ".join(wide(t) if j == i else t for j, t in enumerate(toks))


def gen_zero_width(item: Listed, rng: random.Random) -> str | None:
    """A6 zero-width characters inside words and odd whitespace between them."""
    if not _is_latin(item):
        return None
    name = item.name
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, len(name)) if len(name) > 1 else 1
        name = name[:i] + rng.choice(tables()["zero_width"]) + name[i:]
    if " " in name and rng.random() < 0.6:
        name = name.replace(" ", rng.choice(tables()["odd_spaces"]), 1)
    return name


def _legal_form_swap(name: str, rng: random.Random) -> str | None:
    low = name.lower()
    for group in tables()["legal_forms"]:
        for form in sorted(group, key=len, reverse=True):
            if re.search(r"(^|[\s,])" + re.escape(form.lower()) + r"$", low):
                head = name[: len(name) - len(form)].rstrip(" ,")
                other = rng.choice([g for g in group if g.lower() != form.lower()])
                return f"{head} {other}"
    return None


def gen_legal_form(item: Listed, rng: random.Random) -> str | None:
    """A7 legal form spelled another way, added, or (Han) 有限公司 ↔ 股份有限公司; & ↔ and; leading The."""
    if item.is_person:
        return None
    name = item.name
    if item.script == "Han":
        forms = sorted(tables()["han_legal_forms"], key=len, reverse=True)
        for form in forms:
            if name.endswith(form):
                others = [f for f in forms if f != form]
                return name[: -len(form)] + rng.choice(others + [""]) or None
        return name + rng.choice(forms)
    if not _is_latin(item):
        return None
    swapped = _legal_form_swap(name, rng)
    if swapped:
        return swapped
    if " & " in name:
        return name.replace(" & ", " and ", 1)
    if re.search(r"\band\b", name, re.I):
        return re.sub(r"\band\b", "&", name, count=1, flags=re.I)
    if name.lower().startswith("the "):
        return name[4:]
    return f"{name} {rng.choice(tables()['legal_form_suffixes'])}"
