"""Titles, legal forms and stop words: found on token sequences, removed, legal form kept as a feature.

Every entry in the YAML tables is normalised with the same tokenizer as names, so "Co., Ltd.", "CO LTD" and
"co ltd" are one alias. Nothing is removed when it would leave the name empty.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz.distance import OSA

from screening.normalize.resources import load_yaml
from screening.normalize.text import clean, has_han
from screening.normalize.tokenize import ascii_words, script_words

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class PhraseTable:
    """Token phrases -> value, with the longest phrase length for the scan."""

    phrases: dict[Phrase, str]
    longest: int
    firsts: frozenset[str]
    lasts: frozenset[str]


def _phrase_variants(alias: str) -> set[Phrase]:
    """The token sequences an alias can take: ASCII (joined and split initials) and script-preserving."""
    text = clean(alias)
    out = {tuple(ascii_words(anyascii(text).lower(), True)), tuple(ascii_words(anyascii(text).lower(), False))}
    if not text.isascii():
        out.add(tuple(script_words(text)))
    return {p for p in out if p}


def _table(entries: dict[str, str]) -> PhraseTable:
    phrases: dict[Phrase, str] = {}
    for alias, value in entries.items():
        for phrase in _phrase_variants(alias):
            phrases.setdefault(phrase, value)
    return PhraseTable(phrases, max((len(p) for p in phrases), default=0),
                       frozenset(p[0] for p in phrases), frozenset(p[-1] for p in phrases))


@functools.cache
def legal_form_tables() -> tuple[PhraseTable, PhraseTable, dict[str, str], list[tuple[str, str]]]:
    """(suffix table, prefix table, code -> family, Han suffixes longest first as (alias, code))."""
    data = load_yaml("legal_forms.yml")
    suffix: dict[str, str] = {}
    han: dict[str, str] = {}
    family: dict[str, str] = {}
    for form in data["forms"]:
        family[form["code"]] = form["family"]
        for alias in form["aliases"]:
            alias = str(alias)
            (han if has_han(alias) else suffix).setdefault(clean(alias) if has_han(alias) else alias, form["code"])
    codes = suffix | han
    prefix = {str(a): codes.get(clean(str(a)) if has_han(str(a)) else str(a), "") for a in data["prefix_aliases"]}
    missing = [a for a, code in prefix.items() if not code]
    if missing:
        raise ValueError(f"prefix_aliases not listed under any legal form: {missing}")
    han_sorted = sorted(han.items(), key=lambda kv: -len(kv[0]))
    return _table(suffix), _table(prefix), family, han_sorted


@functools.cache
def title_tables() -> tuple[PhraseTable, PhraseTable, PhraseTable, PhraseTable, tuple[str, ...]]:
    """(prefixes, person-only prefixes, suffixes, vessel prefixes, Han suffixes)."""
    data = load_yaml("titles.yml")

    def table(key: str) -> PhraseTable:
        return _table({str(a): "title" for a in data[key]})

    han = tuple(sorted((clean(str(a)) for a in data["han_suffixes"]), key=len, reverse=True))
    return table("prefixes"), table("person_prefixes"), table("suffixes"), table("vessel_prefixes"), han


@functools.cache
def title_words() -> frozenset[str]:
    """One-word titles the normaliser may strip in front of a person's name (titles.yml `prefixes`,
    `person_prefixes`, `name_prefixes`)."""
    data = load_yaml("titles.yml")
    words = (str(a) for key in ("prefixes", "person_prefixes", "name_prefixes") for a in data[key])
    return frozenset(w for w in words if " " not in w)


@functools.cache
def name_titles() -> frozenset[str]:
    """Title words that are also names (titles.yml `name_prefixes`): stripped only when two words remain."""
    return frozenset(str(a) for a in load_yaml("titles.yml").get("name_prefixes", []))


@functools.cache
def org_stopwords() -> frozenset[str]:
    """Stop words removed from organisation names."""
    return frozenset(w for a in load_yaml("stopwords.yml")["organization"] for w in ascii_words(str(a), True))


@functools.cache
def number_tables() -> tuple[dict[str, int], dict[str, int], frozenset[str]]:
    """(cardinal word -> value, ordinal word -> value, every number word)."""
    data = load_yaml("numbers.yml")
    cardinals = {str(k): int(v) for k, v in data["cardinals"].items()}
    ordinals = {str(k): int(v) for k, v in data["ordinals"].items()}
    return cardinals, ordinals, frozenset(cardinals) | frozenset(ordinals)


def _ordinal(value: int) -> str:
    """21 -> '21st', 12 -> '12th', as lists write ordinals."""
    if value % 100 in (11, 12, 13):
        return f"{value}th"
    return f"{value}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(value % 10, 'th') }"


def number_words(words: list[str]) -> list[str]:
    """Number words -> digits ("two" -> 2, "forty four" -> 44, "twenty first" -> 21st)."""
    cardinals, ordinals, every = number_tables()
    if every.isdisjoint(words):
        return words
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        value = cardinals.get(word)
        if value is not None and value >= 20 and value % 10 == 0 and 1 <= cardinals.get(nxt, 0) <= 9:
            out.append(str(value + cardinals[nxt]))
            i += 2
        elif value is not None and value >= 20 and value % 10 == 0 and 1 <= ordinals.get(nxt, 0) <= 9:
            out.append(_ordinal(value + ordinals[nxt]))
            i += 2
        elif value is not None:
            out.append(str(value))
            i += 1
        elif word in ordinals:
            out.append(_ordinal(ordinals[word]))
            i += 1
        else:
            out.append(word)
            i += 1
    return out


@functools.cache
def org_abbreviations() -> dict[str, str]:
    """Abbreviated organisation word -> full word (intl -> international)."""
    return {str(k): str(v) for k, v in load_yaml("org_abbreviations.yml")["expansions"].items()}


def expand_abbreviations(words: list[str]) -> list[str]:
    """Abbreviated generic words of organisation names written out (Grp -> group, Svcs -> services)."""
    table = org_abbreviations()
    if table.keys().isdisjoint(words):
        return words
    return [table.get(w, w) for w in words]


def legal_form_family(code: str | None) -> str | None:
    """Family of a legal-form code ('ltd' and 'gmbh' are both 'limited'), for the scorer."""
    return None if code is None else legal_form_tables()[2].get(code)


def strip_suffix(words: list[str], table: PhraseTable, keep: int = 1,
                 fuzzy: bool = False) -> tuple[list[str], str | None]:
    """Remove the longest phrase of the table found at the end, once; keep at least `keep` words.
    `fuzzy`: legal-form words may carry one typo ("Joint Stock Compaby")."""
    tail = _canonical_words(words[-table.longest:]) if fuzzy else words[-table.longest:]
    if not tail or tail[-1] not in table.lasts:
        return words, None
    for size in range(min(table.longest, len(words) - keep), 0, -1):
        value = table.phrases.get(tuple(tail[-size:]))
        if value is not None:
            return words[:-size], value
    return words, None


def strip_prefix(words: list[str], table: PhraseTable, keep: int = 1,
                 fuzzy: bool = False) -> tuple[list[str], str | None]:
    """Remove the longest phrase of the table found at the start, once; keep at least `keep` words."""
    head = _canonical_words(words[:table.longest]) if fuzzy else words[:table.longest]
    if not head or head[0] not in table.firsts:
        return words, None
    for size in range(min(table.longest, len(words) - keep), 0, -1):
        value = table.phrases.get(tuple(head[:size]))
        if value is not None:
            return words[size:], value
    return words, None


LEGAL_TYPO_MIN_LEN = 5  # legal-form words this long are still recognised with one typo


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


@functools.cache
def _legal_word_keys() -> dict[str, str]:
    """One-deletion keys of the Latin legal-form words (5+ letters) → the word; keys two words share are
    dropped (a typo that could be either is left alone)."""
    suffix, prefix, _, _ = legal_form_tables()
    words = {w for table in (suffix, prefix) for phrase in table.phrases for w in phrase
             if len(w) >= LEGAL_TYPO_MIN_LEN and w.isascii() and w.isalpha()}
    owners: dict[str, set[str]] = {}
    for word in words:
        for key in _deletions(word) | {word}:
            owners.setdefault(key, set()).add(word)
    return {key: next(iter(ws)) for key, ws in owners.items() if len(ws) == 1} | {w: w for w in words}


@functools.lru_cache(maxsize=65536)
def canonical_legal_word(word: str) -> str:
    """The legal-form word `word` is one typo (substitution, insertion, deletion, transposition) away
    from, else `word` itself: "compaby", "copmany", "limietd" → company, company, limited."""
    keys = _legal_word_keys()
    if len(word) < LEGAL_TYPO_MIN_LEN or keys.get(word) == word:
        return word
    found = {keys[k] for k in _deletions(word) | {word} if k in keys}
    found = {w for w in found if OSA.distance(word, w) <= 1}
    return found.pop() if len(found) == 1 else word


def _canonical_words(words: list[str]) -> list[str]:
    return [canonical_legal_word(w) for w in words]


def strip_legal_forms(words: list[str]) -> tuple[list[str], str | None]:
    """Remove legal forms at the end (repeatedly: "Foo Holding Co. Ltd. LLC") and at the start ("OOO Foo").

    Returns the remaining words and the code of the outermost form at the end (else at the start).
    """
    suffix, prefix, _, _ = legal_form_tables()
    code: str | None = None
    words = _join_split_legal_words(words)
    words = _unglue_phrase_word(_unglue_legal_form(_legal_ocr(words, suffix, prefix)), suffix, prefix)
    words, code = _strip_cut_suffix(words)
    for strip, table in ((strip_suffix, suffix), (strip_prefix, prefix)):
        while True:
            rest, found = strip(words, table, fuzzy=True)
            if found is None or _syllable_of_chinese_name(words, rest):
                break
            words, code = rest, code or found
    words, found = strip_moved_legal_form(words)
    return words, code or found


def _syllable_of_chinese_name(words: list[str], rest: list[str]) -> bool:
    """The one word a strip would take is a pinyin syllable among pinyin syllables: a romanised Chinese
    name's character, not a legal form ("Si Kai Di Ao Gong Si", 斯凯迪奥公司: ao is 奥, not the Russian AO)."""
    if len(words) - len(rest) != 1 or not rest:
        return False
    from screening.normalize.chinese import pinyin_syllables

    syllables = pinyin_syllables()
    return syllables.issuperset(words)


@functools.cache
def _long_form_words() -> frozenset[str]:
    suffix, prefix, _, _ = legal_form_tables()
    return frozenset(w for table in (suffix, prefix) for phrase in table.phrases if len(phrase) >= 2 for w in phrase)


def has_long_legal_form(words: list[str]) -> bool:
    """A legal form of two words or more at either end, in order or reordered ("Open Joint-Stock Company
    …", "… Company Limited"): no person is named so, whatever type the name was given."""
    if len(words) < 3 or not {canonical_legal_word(words[0]), canonical_legal_word(words[-1])} & _long_form_words():
        return False  # most names: neither end is a word of a legal form of several words
    from screening.normalize.chinese import pinyin_syllables

    syllables = pinyin_syllables()
    suffix, prefix, _, _ = legal_form_tables()
    canon = _canonical_words(words)
    for size in range(2, min(max(suffix.longest, prefix.longest), len(words) - 1) + 1):
        for phrase, table in ((tuple(canon[-size:]), suffix), (tuple(canon[:size]), prefix)):
            # a romanised Chinese form ("Gong Si") is also a person's given name ("Wang Gong Si")
            if phrase in table.phrases and not syllables.issuperset(phrase):
                return True
    rest, found = strip_moved_legal_form(words)
    return found is not None and not syllables.issuperset(set(words) - set(rest))


@functools.cache
def company_only_words() -> frozenset[str]:
    """One-word legal forms no person's name ends with (legal_forms.yml `company_only`)."""
    return frozenset(str(w) for w in load_yaml("legal_forms.yml")["company_only"])


def ends_in_company_form(words: list[str]) -> bool:
    """A name of two words or more whose last word is a legal form only companies bear ("… Company", "… Ltd")."""
    return len(words) >= 2 and words[-1] in company_only_words()


MOVED_MIN_WORDS = 2  # a reordered legal form is recognised from this many words


@functools.cache
def _moved_legal_forms() -> tuple[dict[Phrase, str], int]:
    """Legal-form phrases of two words or more (either table), keyed by their words sorted: a reordered
    phrase has the same words. Phrases made only of one-letter words ("s a", "b v") are left out: their
    letters reordered are initials of names as often as a legal form."""
    suffix, prefix, _, _ = legal_form_tables()
    moved: dict[Phrase, str] = {}
    for table in (suffix, prefix):
        for phrase, value in table.phrases.items():
            if len(phrase) >= MOVED_MIN_WORDS and max(len(w) for w in phrase) >= 3:
                moved.setdefault(tuple(sorted(phrase)), value)
    return moved, max((len(p) for p in moved), default=0)


def strip_moved_legal_form(words: list[str]) -> tuple[list[str], str | None]:
    """A legal form of several words at either end with its words reordered, or a suffix form moved to the
    front: a name written backwards ("Electronics Russian Company Stock Joint Open" for "Open Joint Stock
    Company Russian Electronics") or a form moved with the name's parts ("Limited Company Foo"). Longest
    run first, the end before the start; at least one word is kept."""
    moved, longest = _moved_legal_forms()
    canon = _canonical_words(words)
    for size in range(min(longest, len(words) - 1), MOVED_MIN_WORDS - 1, -1):
        for start in (len(words) - size, 0):
            value = moved.get(tuple(sorted(canon[start:start + size])))
            if value is not None:
                return words[:start] + words[start + size:], value
    return words, None


_OCR_LETTERS = str.maketrans("0123456789", "olzeasgtbg")
# legal forms seen written onto the name's last word ("ASASI FOODFZE", "SENSETIME GROUPLIMITED"): distinctive
# letter runs that end few words (not "co", "inc", "sa": Costco, zinc, Mimosa)
GLUED_LEGAL_FORMS = ("limited", "ltd", "llc", "gmbh", "fzco", "fze", "ooo", "oao", "zao", "pjsc", "ojsc", "cjsc", "jsc",
                     "plc")
GLUED_STEM_MIN = 3


def _unglue_legal_form(words: list[str]) -> list[str]:
    """The last word split before a legal form written onto it, when three letters or more stay in front."""
    if not words:
        return words
    last = words[-1]
    for form in GLUED_LEGAL_FORMS:
        if last.endswith(form) and len(last) - len(form) >= GLUED_STEM_MIN and last.isalpha():
            return words[:-1] + [last[: -len(form)], form]
    return words


CUT_NAME_MIN = 28  # names this long (words and spaces) may have been cut at a field length (35 characters)


@functools.cache
def _cut_suffixes() -> tuple[dict[Phrase, dict[str, str]], int]:
    """The beginnings of the suffix legal forms of three words or more: words before → {next word: code};
    and the longest beginning."""
    suffix, _, _, _ = legal_form_tables()
    out: dict[Phrase, dict[str, str]] = {}
    for phrase, code in suffix.phrases.items():
        for k in range(1, len(phrase) - 1):
            out.setdefault(phrase[:k], {}).setdefault(phrase[k], code)
    return out, max((len(p) for p in out), default=0)


def _strip_cut_suffix(words: list[str]) -> tuple[list[str], str | None]:
    """A legal form at the end of a long name cut at a field length ("COMMERCIAL BANK SPUTNIK PUBLIC JOIN" for
    "... PUBLIC JOINT-STOCK COMPANY"): the name ends with the first words of a legal form of three words or more,
    its last word whole or cut (three letters or more). Removed like the whole form."""
    if len(words) < 3 or sum(len(w) + 1 for w in words) <= CUT_NAME_MIN:
        return words, None
    starts, longest = _cut_suffixes()
    last = words[-1]
    if len(last) < GLUED_STEM_MIN:
        return words, None
    for size in range(min(len(words) - 1, longest + 1), 1, -1):
        nexts = starts.get(tuple(words[-size:-1]))
        code = next((c for w, c in nexts.items() if w.startswith(last)), None) if nexts else None
        if code is not None:
            from screening.normalize.chinese import pinyin_syllables

            # a romanised Chinese form's syllables ("gu fen") also end people's and places' names
            if not pinyin_syllables().issuperset(words[-size:]):
                return words[:-size], code
    return words, None


SPLIT_WORD_MIN = 6  # legal-form words this long are joined again when split in two


@functools.cache
def _split_legal_words() -> tuple[frozenset[str], frozenset[str]]:
    """(Latin words of legal forms long enough to be told when split ("aktsio nernoe"), all their words)."""
    suffix, prefix, _, _ = legal_form_tables()
    words = frozenset(w for table in (suffix, prefix) for phrase in table.phrases for w in phrase)
    return frozenset(w for w in words if len(w) >= SPLIT_WORD_MIN and w.isascii() and w.isalpha()), words


def _join_split_legal_words(words: list[str]) -> list[str]:
    """Two neighbours that make one legal-form word and are not both legal-form words themselves ("AKTSIO
    NERNOE OBSHCHESTVO", "OTVETSTV ENNOSTYU"; not "JOINT STOCK") joined again, so the form is recognised."""
    long, known = _split_legal_words()
    out: list[str] = []
    i = 0
    while i < len(words):
        if (i + 1 < len(words) and words[i] + words[i + 1] in long
                and not (words[i] in known and words[i + 1] in known)):
            out.append(words[i] + words[i + 1])
            i += 2
        else:
            out.append(words[i])
            i += 1
    return out


GLUED_WORD_MIN = 5  # legal-form words this long are split off a word they were run together with


@functools.cache
def _glued_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(a word ending with the last word of a suffix legal form, a word beginning with a word of a prefix
    legal form), three letters or more left over: the long Latin legal-form words only."""
    suffix, prefix, _, _ = legal_form_tables()

    def alternatives(words: set[str]) -> str:
        long = sorted((w for w in words if len(w) >= GLUED_WORD_MIN and w.isascii() and w.isalpha()), key=len,
                      reverse=True)
        return "|".join(long)

    ends = alternatives(set(suffix.lasts))
    starts = alternatives({w for phrase in prefix.phrases for w in phrase})
    return re.compile(rf"^([a-z]{{{GLUED_STEM_MIN},}}?)({ends})$"), re.compile(rf"^({starts})([a-z]{{{GLUED_STEM_MIN},}})$")


def _unglue_phrase_word(words: list[str], suffix: "PhraseTable", prefix: "PhraseTable") -> list[str]:
    """A word of a legal form run together with its neighbour ("KHAYBARCOMPANY", "JOINT STOCK
    COMPANYRUSSIAN AGRICULTURAL BANK", "LIMITED LIABILITYCOMPANY OMZ") split in two, only where the split
    completes a legal form at that end of the name (the form is then stripped like any other)."""
    if not words:
        return words
    glued_end, glued_start = _glued_patterns()
    m = glued_end.match(words[-1]) if len(words[-1]) >= GLUED_STEM_MIN + GLUED_WORD_MIN else None
    if m:
        split = words[:-1] + [m.group(1), m.group(2)]
        if strip_suffix(split, suffix, fuzzy=True)[1] is not None:
            return split
    for k in range(min(prefix.longest, len(words))):
        m = glued_start.match(words[k]) if len(words[k]) >= GLUED_STEM_MIN + GLUED_WORD_MIN else None
        if m:
            split = words[:k] + [m.group(1), m.group(2)] + words[k + 1:]
            rest, found = strip_prefix(split, prefix, fuzzy=True)
            if found is not None and len(split) - len(rest) > k:
                return split
    return words


def _legal_ocr(words: list[str], *tables: "PhraseTable") -> list[str]:
    """Legal-form words written with digits for letters ("C0", "LT0", "5.A." for S.A.) read as the words
    they imitate, near either end of the name: only where the letters make a legal-form word."""
    ends = sorted({i for i in (0, 1, len(words) - 3, len(words) - 2, len(words) - 1) if 0 <= i < len(words)})
    if not any(ch.isdigit() for i in ends for ch in words[i]):
        return words
    known = {w for t in tables for w in t.firsts | t.lasts}
    out = list(words)
    for i in ends:
        w = words[i]
        letters = w.translate(_OCR_LETTERS)
        if w != letters and any(ch.isalpha() for ch in w) and letters in known:
            out[i] = letters
    return out


def strip_han_legal_form(text: str) -> tuple[str, str | None]:
    """Remove a Chinese legal form at the end of a Han string (北京某某科技有限公司 -> 北京某某科技, 'ltd')."""
    for alias, code in legal_form_tables()[3]:
        if text.endswith(alias) and len(text) > len(alias):
            return text[: -len(alias)], code
    return text, None


def strip_titles(parts: list[list[str]], person: bool) -> list[list[str]]:
    """Remove titles at the start and generational suffixes at the end of each comma part.

    `person` also removes words that are ordinary in organisation names (General, President, Major ...).
    Titles stay when removing them would leave the name with no other token.
    """
    prefixes, person_prefixes, suffixes, _, _ = title_tables()
    tables = (prefixes, person_prefixes) if person else (prefixes,)
    if not any(p and (p[-1] in suffixes.lasts or any(p[0] in t.firsts for t in tables)) for p in parts):
        return parts
    out: list[list[str]] = []
    for i, words in enumerate(parts):
        others = sum(len(p) for j, p in enumerate(parts) if j != i)
        # words that can carry a name (an initial cannot: "JOHNSON, Prince Y." keeps Prince)
        named_others = sum(len(w) > 1 for j, p in enumerate(parts) if j != i for w in p)
        keep = 0 if others else 1
        # The part before the first comma is the surname ("SAYED, Hafiz Mohammad"): a title word there is
        # the surname itself, so a prefix never empties it.
        prefix_keep = 1 if i == 0 and len(parts) > 1 else keep
        changed = True
        while changed and words:
            changed = False
            for table in tables:
                before = words
                words, found = strip_prefix(words, table, prefix_keep)
                # a title that is also a name (Sayed, Hafiz) stays in a name it would leave with one word
                if (found is not None and before[0] in name_titles()
                        and sum(len(w) > 1 for w in words) + named_others < 2):
                    words, found = before, None
                changed = changed or found is not None
            words, found = strip_suffix(words, suffixes, keep)
            changed = changed or found is not None
        out.append(words)
        parts = parts[:i] + [words] + parts[i + 1:]
    return out


def starts_with_title(word: str, person: bool) -> bool:
    """The word can begin a title phrase ("dr", "haji", "general" for persons)."""
    prefixes, person_prefixes, _, _, _ = title_tables()
    return word in prefixes.firsts or (person and word in person_prefixes.firsts)


def strip_honorifics(words: list[str]) -> list[str]:
    """Remove honorific titles (not office or military words) at the start, keeping one word."""
    prefixes = title_tables()[0]
    while True:
        words, found = strip_prefix(words, prefixes, 1)
        if found is None:
            return words


def strip_vessel_prefix(words: list[str]) -> list[str]:
    """Remove a ship-type prefix (MV, M/T ...) from a vessel name."""
    return strip_prefix(words, title_tables()[3])[0]


def strip_han_title(text: str) -> str:
    """Remove a Chinese honorific suffix (先生, 女士 ...) from a Han person name."""
    for alias in title_tables()[4]:
        if text.endswith(alias) and len(text) > len(alias):
            return text[: -len(alias)]
    return text


@functools.cache
def particle_stopwords() -> dict[str, frozenset[str]]:
    """Surname particle -> stop words kept right after it ("van der", "von der", "de la")."""
    data = load_yaml("stopwords.yml").get("kept_after") or {}
    return {str(p): frozenset(str(w) for w in ws) for p, ws in data.items()}


def remove_stopwords(words: list[str]) -> list[str]:
    """Remove organisation stop words unless nothing would be left; one right after a surname particle
    stays ("van der bilt" must still meet "vanderbilt")."""
    stop = org_stopwords()
    after = particle_stopwords()
    kept = [w for i, w in enumerate(words)
            if w not in stop or (i > 0 and w in after.get(words[i - 1], ()))]
    return kept or words
