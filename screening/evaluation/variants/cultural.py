"""D. Linguistic and cultural variation outside Chinese: Arabic and Cyrillic transliteration, homoglyphs,
titles, Arabic particles, nicknames, gendered surnames, phonetic respellings, numbers in names."""

from __future__ import annotations

import random
import re

from screening.evaluation.variants.model import Listed, _is_latin
from screening.evaluation.variants.tables import _variant_table, form_groups, nicknames, tables
from screening.evaluation.variants.text import _letters, _surname_index, _tokens


def gen_translit_arabic(item: Listed, rng: random.Random) -> str | None:
    """D19 another romanisation of an Arabic name (Mohammed / Muhammad / Mohamad)."""
    return _swap_form(item, rng, "arabic_names")


def gen_translit_cyrillic(item: Listed, rng: random.Random) -> str | None:
    """D19 a Cyrillic name in another romanisation scheme (BGN / ISO 9), or a Russian surname respelled."""
    if item.script == "Cyrl":
        import icu

        scheme = rng.choice(("Russian-Latin/BGN; Latin-ASCII", "Cyrillic-Latin; Latin-ASCII"))
        out = icu.Transliterator.createInstance(scheme).transliterate(item.name).replace("'", "")
        return out.replace("ʹ", "")
    return _swap_form(item, rng, "russian_surnames")


def _swap_form(item: Listed, rng: random.Random, table: str) -> str | None:
    if not _is_latin(item):
        return None
    groups = form_groups()
    members = {f.lower() for e in _variant_table(table).values() for f in e["forms"]}
    toks = _tokens(item.name)
    spots = [i for i, t in enumerate(toks) if t.lower() in members and len(groups.get(t.lower(), ())) > 1]
    if not spots:
        return None
    i = rng.choice(spots)
    other = rng.choice([f for f in groups[toks[i].lower()] if f != toks[i].lower()])
    toks[i] = other.upper() if toks[i].isupper() else other.capitalize()
    return " ".join(toks)


def gen_homoglyph(item: Listed, rng: random.Random) -> str | None:
    """D21 one or two Latin letters replaced by look-alike Cyrillic/Greek letters (mixed script)."""
    if not _is_latin(item):
        return None
    glyphs: dict[str, str] = tables()["homoglyphs"]
    spots = [i for i, c in enumerate(item.name) if c in glyphs]
    if not spots:
        return None
    chars = list(item.name)
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 2))):
        chars[i] = glyphs[chars[i]]
    return "".join(chars)


def gen_title_honorific(item: Listed, rng: random.Random) -> str | None:
    """D24 a title or honorific before, or a generational suffix after, a person's name."""
    if not item.is_person or not _is_latin(item):
        return None
    if rng.random() < 0.7:
        return f"{rng.choice(tables()['person_titles'])} {item.name}"
    return f"{item.name} {rng.choice(tables()['person_suffixes'])}"


def gen_arabic_particles(item: Listed, rng: random.Random) -> str | None:
    """D24 Arabic particles spelled another way (al-/el-, bin/ibn, abd/abdul)."""
    if not _is_latin(item):
        return None
    groups: list[list[str]] = tables()["arabic_particles"]
    toks = item.name.replace("-", "- ").split()
    for i, tok in enumerate(toks):
        for group in groups:
            if tok.lower() in group:
                other = rng.choice([g for g in group if g != tok.lower()])
                toks[i] = other.upper() if tok.isupper() else other.capitalize()
                return " ".join(toks).replace("- ", "-")
    return None


def gen_nickname(item: Listed, rng: random.Random) -> str | None:
    """D25 a given name replaced by a nickname or its full form (William ↔ Bill)."""
    if not item.is_person or not _is_latin(item):
        return None
    nick = nicknames()
    toks = _tokens(item.name)
    k = _surname_index(toks)
    spots = [i for i, t in enumerate(toks) if i != k and t.lower() in nick]
    if not spots:
        return None
    i = rng.choice(spots)
    other = rng.choice(nick[toks[i].lower()])
    toks[i] = other.upper() if toks[i].isupper() else other.capitalize()
    return " ".join(toks)


def gen_gendered_surname(item: Listed, rng: random.Random) -> str | None:
    """D26 a Slavic surname in the other gender (Ivanov ↔ Ivanova)."""
    if not item.is_person or not _is_latin(item):
        return None
    toks = _tokens(item.name.replace(",", " "))
    if len(toks) < 2:
        return None
    i = _surname_index(toks)
    if i == len(toks) - 1 and "," in item.name:
        i = 0  # "IVANOV, Ivan"
    tok = toks[i]
    low = tok.lower()
    for male, female in tables()["gendered_endings"]:
        for a, b in ((female, male), (male, female)):
            if low.endswith(a) and len(low) > len(a) + 2:
                new = low[: -len(a)] + b
                toks[i] = new.upper() if tok.isupper() else new.capitalize()
                return " ".join(toks) if "," not in item.name else f"{toks[0]}, {' '.join(toks[1:])}"
    return None


def gen_phonetic(item: Listed, rng: random.Random) -> str | None:
    """D27 a sound-alike respelling (Smith / Smyth, Catherine / Kathryn)."""
    if not _is_latin(item) or _letters(item.name) < 6:
        return None
    rules = tables()["phonetic"]
    options = []
    for src, dst in rules:
        for m in re.finditer(re.escape(src), item.name, re.I):
            if m.start() > 0 and item.name[m.start() - 1].isalpha():
                options.append((m.start(), src, dst))
    if not options:
        return None
    i, src, dst = rng.choice(options)
    seg = item.name[i : i + len(src)]
    dst = dst.upper() if seg.isupper() else dst
    return item.name[:i] + dst + item.name[i + len(src) :]


def gen_digits_to_words(item: Listed, rng: random.Random) -> str | None:
    """D28 a number written as a word (5 Batallion → Five Batallion)."""
    words: dict[str, str] = tables()["number_words"]
    if not _is_latin(item):
        return None
    m = next((m for m in re.finditer(r"\b\d{1,2}\b", item.name) if m.group() in words), None)
    if m is None:
        return None
    return item.name[: m.start()] + words[m.group()].capitalize() + item.name[m.end() :]


def gen_digit_changed(item: Listed, rng: random.Random) -> str | None:
    """D28 a different number (Plant No. 410 → No. 417): another entity, must not hit."""
    if not _is_latin(item):
        return None
    spots = [m.start() for m in re.finditer(r"\d", item.name)]
    if not spots:
        return None
    i = rng.choice(spots)
    d = rng.choice([c for c in "0123456789" if c != item.name[i]])
    return item.name[:i] + d + item.name[i + 1 :]
