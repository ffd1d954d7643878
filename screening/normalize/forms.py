"""name_forms(): one name -> its normalised forms ('latin', 'pinyin', 'variant', 'original')."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from screening.normalize import affixes, chinese, chinese_org, korean, wadegiles
from screening.normalize.text import (
    clean,
    fix_homoglyphs,
    fold_letters,
    has_han,
    has_non_latin,
)
from screening.normalize.tokenize import ascii_words, script_words
from screening.normalize.translit import to_ascii

_HANGUL_RE = re.compile("[\uac00-\ud7a3]")
HAN_CHAR_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
_UPPER_FIRST_RE = re.compile(r"\s*([^\W\d_]{2,})\s+([^,]+)$")
PERSON_TYPES = frozenset({"person", "natural_person", "individual", "people", "personal"})
ORG_TYPES = frozenset({"organization", "organisation", "legal_person", "other_organization", "company", "entity",
                       "org", "enterprise", "legalentity", "legal_entity", "public_body", "publicbody"})
VESSEL_TYPES = frozenset({"vessel", "ship", "aircraft", "airplane"})


@dataclass(frozen=True)
class NameForm:
    """One normalised form of a name.

    text: lowercase ASCII tokens joined by single spaces for kinds 'latin' / 'pinyin' / 'variant'; for
      'original' the script-preserving form (NFKC, casefolded, simplified Chinese, Han without spaces).
    kind: 'latin' (transliterated to ASCII), 'pinyin' (Han -> pinyin), 'variant' (other romanisation mapped,
      e.g. Wade-Giles/Cantonese surname -> pinyin), 'original' (non-Latin script kept).
    legal_form: canonical legal-form code removed from an organisation name ('ltd', 'llc', 'gmbh', 'jsc' ...).
    """

    text: str
    kind: str
    legal_form: str | None = None


@functools.cache
def subject_class(subject_type: str | None) -> str | None:
    """'person' / 'org' / 'vessel' / None (unknown) from the many spellings lists and accounts use."""
    if not subject_type:
        return None
    key = subject_type.strip().lower().replace("-", "_").replace(" ", "_")
    if key in PERSON_TYPES:
        return "person"
    if key in ORG_TYPES:
        return "org"
    if key in VESSEL_TYPES:
        return "vessel"
    return None


def _finish_words(parts: list[list[str]], klass: str | None, legal: str | None) -> list[str]:
    """Titles for persons/unknown, stop words for organisations, vessel prefixes for vessels."""
    if klass == "vessel":
        return affixes.strip_vessel_prefix([w for p in parts for w in p])
    if klass == "org" or legal is not None:
        words = [w for p in parts for w in p]
        # A name written in pinyin keeps its syllables ("An Te La Ke": la is not the French article), as
        # the pinyin of a Han name does.
        if chinese.pinyin_syllables().issuperset(words):
            return words
        return affixes.remove_stopwords(words)
    parts = affixes.strip_titles(parts, person=klass == "person")
    return [w for p in parts for w in p]


def _legal(words: list[str], klass: str | None) -> tuple[list[str], str | None]:
    if klass in ("person", "vessel"):
        return words, None
    return affixes.strip_legal_forms(words)


def _surname_first(name: str) -> bool:
    """List style "BHUTVI Hafiz Muhammad": an upper-case first word (the surname) before mixed-case words,
    so a title right after it ("Hafiz") is a title of the given names, as after a comma."""
    m = _UPPER_FIRST_RE.match(name)
    return m is not None and m.group(1).isupper() and any(not w.isupper() for w in m.group(2).split())


_ACRONYM_RE = re.compile(r"^(.*?\S)\s*\(\s*([A-Za-z]{2,8})(?:[\s-]*\d{1,4})?\s*\)\s*$")


def _drop_acronym(text: str) -> str:
    """An organisation's own acronym in brackets at the end ("Beijing University of Aeronautics and
    Astronautics (BUAA)", "... 13th Research Institute (CETC 13)") repeats the name: it is dropped when its
    letters are the initials of the name's words, in order, starting with the first."""
    m = _ACRONYM_RE.match(text)
    if m is None:
        return text
    initials = [w[0] for w in ascii_words(to_ascii(m.group(1)).lower(), True)]
    letters = m.group(2).lower()
    if not initials or initials[0] != letters[0]:
        return text
    pos = 0
    for ch in letters:
        while pos < len(initials) and initials[pos] != ch:
            pos += 1
        if pos == len(initials):
            return text
        pos += 1
    return m.group(1)


def _drop_trailing_places(parts: list[list[str]]) -> tuple[list[list[str]], str | None]:
    """Comma parts after an organisation's name that only say where it is ("Huawei Software Technologies
    Co., Ltd., Nanjing, Jiangsu"; "…, Hangzhou, Zhejiang, China"): an address, not the name. A place part
    may carry the name's second legal form ("CSBC Corporation, Taiwan Company Limited" for the listed
    "CSBC Corporation, Taiwan"): it goes too, and its legal form is returned (the outermost one)."""
    places = chinese_org.place_tokens() | _COUNTRY_WORDS
    code: str | None = None
    while len(parts) > 1:
        rest, found = affixes.strip_legal_forms(parts[-1])
        if not all(w in places for w in rest):
            break
        parts, code = parts[:-1], code or found
    return parts, code


def _drop_place_after_legal(words: list[str]) -> tuple[list[str], str | None]:
    """Places right after a legal form, without a comma ("CSBC Corporation Taiwan [Company Limited]", an
    outer form already removed): the place of a branch or of registration goes, and the legal form."""
    places = chinese_org.place_tokens() | _COUNTRY_WORDS
    n = len(words)
    while n > 1 and words[n - 1] in places:
        n -= 1
    if n == len(words) or n < 2:
        return words, None
    rest, found = affixes.strip_suffix(words[:n], affixes.legal_form_tables()[0], fuzzy=True)
    return (rest, found) if found is not None else (words, None)


_COUNTRY_WORDS = frozenset({"china", "prc", "p", "r", "peoples", "republic", "of", "inner", "mongolia", "hong", "kong"})


def _latin_words(text: str, klass: str | None, surname_first: bool = False) -> tuple[list[str], str | None]:
    """Tokens of the ASCII form, with legal form and titles handled per comma part."""
    if klass != "person" and text.endswith(")"):
        text = _drop_acronym(text)
    ascii_text = to_ascii(text)
    join = klass != "person"
    # Number words -> digits and abbreviated company words written out, except in person names ("Erik ten
    # Hag": ten is a particle there).
    parts = [ascii_words(p, join) for p in ascii_text.split(",")]
    place_legal = None
    if klass != "person":
        parts, place_legal = _drop_trailing_places(parts)
        parts = [affixes.expand_abbreviations(affixes.number_words(p)) for p in parts]
    flat, legal = _legal([w for p in parts for w in p], klass)
    if klass not in ("person", "vessel"):
        flat, inner = _drop_place_after_legal(flat)
        legal = legal or inner
    legal = place_legal or legal
    if legal is not None:
        parts = [flat]
    elif (surname_first and len(parts) == 1 and len(parts[0]) >= 3
          and not affixes.starts_with_title(parts[0][0], klass == "person")):
        # Only honorifics here (Hafiz, Haji, Sheikh); office words after a surname are given names
        # ("MAHMOOD Sultan Bashir-Ud-Din").
        parts = [parts[0][:1] + affixes.strip_honorifics(parts[0][1:])]
    return _finish_words(parts, klass, legal), legal


def _original_words(text: str, klass: str | None) -> tuple[list[str], str | None]:
    """Tokens of the script-preserving form (Cyrillic legal forms like ООО removed too)."""
    parts = [script_words(p) for p in fold_letters(text).split(",")]
    flat, legal = _legal([w for p in parts for w in p], klass)
    if legal is not None:
        return affixes.remove_stopwords(flat), legal
    return [w for p in parts for w in p], None


def _han_forms(text: str, klass: str | None) -> list[NameForm]:
    """Forms of a name holding Han characters: 'original' (simplified) and 'pinyin'."""
    text = chinese.to_simplified(text)
    dotted = chinese.NAME_DOT_RE.search(text) is not None
    words = script_words(fold_letters(text).replace(",", " "))
    legal: str | None = None
    if klass not in ("person", "vessel") and words:
        last, legal = affixes.strip_han_legal_form(words[-1])
        if legal is not None:
            words = words[:-1] + [last]
        else:
            words, legal = affixes.strip_legal_forms(words)
    pinyin: list[str] | None = None
    common: list[str] | None = None
    pinyin_person = klass != "org" and legal is None and not dotted and len(words) == 1 and chinese.is_han(words[0])
    if pinyin_person:
        words = [affixes.strip_han_title(words[0])]
        pinyin = chinese.person_pinyin(words[0])
        common = chinese.common_surname_reading(words[0])
    if pinyin is None:
        pinyin = []
        # A dotted foreign name keeps its parts apart in pinyin (贝拉克·奥巴马 -> "beilake aobama").
        parts = words
        if dotted and legal is None:
            parts = [w for part in chinese.NAME_DOT_RE.split(text) for w in script_words(fold_letters(part))]
        for word in parts:
            for is_han, chunk in chinese.han_runs(word):
                if not is_han:
                    pinyin.extend(ascii_words(to_ascii(chunk), klass != "person"))
                elif dotted:
                    pinyin.append("".join(chinese.syllables(chunk)))
                else:
                    pinyin.extend(chinese.syllables(chunk))
    # No stop words here: pinyin syllables such as "le", "la" would be taken for French articles.
    pinyin = [p for p in pinyin if p]
    forms: list[NameForm] = []
    if words:
        forms.append(NameForm(" ".join(words), "original", legal))
    if pinyin:
        forms.append(NameForm(" ".join(pinyin), "pinyin", legal))
    if common:
        forms.append(NameForm(" ".join(common), "variant", legal))
    if pinyin_person:
        # a Korean name written in Hanja (金正恩): its Sino-Korean reading as lists romanise it
        forms += [NameForm(" ".join(t), "variant", None) for t in hanja_spellings(words[0])]
    if is_org_reading(klass, legal, text, dotted):
        # the English-listing reading of a Chinese organisation (浙江大华技术 -> "zhejiang dahua technology")
        seen = {f.text for f in forms}
        for reading in chinese_org.readings(words):
            joined = " ".join(reading)
            if joined not in seen:
                seen.add(joined)
                forms.append(NameForm(joined, "pinyin", legal))
    return forms


def hanja_spellings(han: str) -> list[list[str]]:
    """The romanisations of a Han person name read in Korean (金正恩 -> kim jong un, kim chong un); [] when
    it cannot be a Korean name (no Korean surname, a character without a Sino-Korean reading) or is a
    two-character name: a third of Chinese names are (杨秀), few Korean ones, and two short syllables read
    in Korean meet listed Korean names by chance ("Yang Su")."""
    if len(han) < 3:
        return []
    hangul = korean.hanja_to_hangul(han)
    return korean.listed_spellings(hangul) if hangul else []


def is_org_reading(klass: str | None, legal: str | None, text: str, dotted: bool) -> bool:
    """Whether a Han name gets the English-listing reading: organisations, and names of unknown type with a
    legal form, or of five characters or more with a generic organisation word (科技, 集团, 大学 …: a person's
    name of two to four characters may hold one, 张中华, 李海洋); never persons, vessels or dotted foreign names."""
    if klass in ("person", "vessel") or dotted:
        return False
    if klass == "org" or legal is not None:
        return True
    return len(HAN_CHAR_RE.findall(text)) >= 5 and chinese_org.org_word_pattern().search(text) is not None


def name_forms(name: str, subject_type: str | None = None) -> list[NameForm]:
    """All normalised forms of one name (empty list for a name with no letters or digits).

    Order: the main form first ('latin' or, for Han names, 'original' then 'pinyin'), then 'original' for
    other non-Latin scripts, then 'variant' forms. Duplicates are dropped.
    """
    klass = subject_class(subject_type)
    text = fix_homoglyphs(clean(name or ""))
    if not text:
        return []
    if has_han(text):
        return _han_forms(text, klass)
    if klass in (None, "person") and text[:1].isdigit():
        # A person's name in Chinese telegraph code ("3769 1696 5478") is the Han name it encodes.
        han = chinese.decode_telegraph(text)
        if han is not None:
            return _han_forms(han, klass)
    words, legal = _latin_words(text, klass, klass != "org" and _surname_first(name))
    if klass == "person" and (affixes.has_long_legal_form(words) or affixes.ends_in_company_form(words)):
        klass = None  # a company's name given the person type: its legal form is still one
        words, legal = _latin_words(text, klass, _surname_first(name))
    original: list[str] = []
    if has_non_latin(text):
        original, original_legal = _original_words(text, klass)
        legal = legal or original_legal
    forms: list[NameForm] = []
    if words:
        forms.append(NameForm(" ".join(words), "latin", legal))
    if original:
        forms.append(NameForm(" ".join(original), "original", legal))
    seen = {f.text for f in forms}
    if klass != "vessel" and not original and len(words) >= 2 and wadegiles.may_be_wade_giles(words):
        for wade_giles in wadegiles.readings(text):
            converted, _ = _latin_words(wade_giles, klass)
            joined = " ".join(converted)
            if converted and joined not in seen:
                seen.add(joined)
                forms.append(NameForm(joined, "variant", legal))
    if klass in (None, "person") and legal is None and len(words) >= 2:
        hangul = _HANGUL_RE.match(text) is not None
        variants = chinese.korean_variants(text, words) if hangul else chinese.surname_variants(words)
        if hangul:
            variants += korean.listed_spellings(text.replace(" ", ""))
        for variant in variants:
            joined = " ".join(variant)
            if joined not in seen:
                seen.add(joined)
                forms.append(NameForm(joined, "variant", None))
    return forms
