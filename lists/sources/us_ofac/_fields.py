"""Entry facts from OFAC's text values, shared by the CSV Remarks and the Enhanced XML readers:
countries by name (incl. `Region: Gaza`), the country of a place of birth, identifiers by document label."""

from __future__ import annotations

import re

from lists.model import Country, Identifier, ListEntry, Quarantined
from lists.parsing import clean, to_country
from lists.sources.us_ofac.lookups import ID_TYPES, NO_COUNTRY, REGION_COUNTRIES

_ID_DATES = re.compile(r"\s+(?:issued|expires)\b.*$", re.I)
_TRAILING_PAREN = re.compile(r"^(?P<body>.*?)\s*\((?P<paren>[^()]*)\)$")
_IMO = re.compile(r"^\(?IMO\s*(?P<num>\d{6,7})\)?$")
_BARE_NUMBER_PAREN = re.compile(r"^\((?P<num>[^()]+)\)$")


def birth_country(place: str) -> str | None:
    """The country of a place of birth (`Jeddah, Saudi Arabia`, `Tunisi (Tunisia)`, `Khartoum Sudan`)."""
    last = place.split(",")[-1].strip()
    candidates = [last]
    if m := _TRAILING_PAREN.match(last):
        candidates += [m.group("body"), m.group("paren")]
    words = last.split()
    if len(words) > 1:
        candidates.append(words[-1])
    for candidate in candidates:
        code = to_country(candidate)
        if code is not None:
            return code
    return None


def identifier_for(label: str, rest: str, country: str | None, subject_type: str) -> Identifier | None:
    """An identifier from a document label and its text (`A123 (Iran) issued 2001`) -> Identifier.

    `country` is the issuer when the caller knows it (XML); otherwise a trailing `(Country)` in the
    text is used. `IMO 1234567` numbers (vessels, shipping companies) become id_type `imo`.
    """
    id_type = ID_TYPES[label]
    number = _ID_DATES.sub("", rest).strip().rstrip(".,")
    if m := _TRAILING_PAREN.match(number):
        code = country_code(m.group("paren"))
        if code is not None:
            number = m.group("body").strip()
            country = country or code
    if m := _BARE_NUMBER_PAREN.match(number):
        number = m.group("num").strip()
    if m := _IMO.match(number):
        id_type, number = "imo", m.group("num")
    elif id_type == "identification":
        id_type = "national_id" if subject_type == "person" else "registration"
    if not number:
        return None
    return Identifier(id_type, number, country)


def country_code(text: str) -> str | None:
    """ISO-2 for an OFAC country name, incl. the `Region: Gaza` forms of the address country column."""
    value = clean(text)
    if value is None:
        return None
    code = to_country(value)
    if code is None and value.lower().startswith("region:"):
        region = value.split(":", 1)[1].strip()
        code = REGION_COUNTRIES.get(region.lower()) or to_country(region)
    if code is not None and len(code) != 2:
        # countrynames answers some regions with a subdivision code (Crimea -> UA-CRI)
        code = code[:2] if code[2:3] == "-" else None
    return code


def add_country_text(entry: ListEntry, text: str, role: str, quarantine: list[Quarantined],
                      raw: str | None = None) -> str | None:
    """Link a published country name to the entry; an unknown name is noted in quarantine."""
    code = country_code(text)
    if code is not None:
        add_country(entry, code, role)
    elif text.strip().lower() not in NO_COUNTRY:
        quarantine.append(Quarantined(f"unrecognised country {text!r} ({role}); kept as text only", raw or text,
                                      entry.source_id))
    return code


def add_country(entry: ListEntry, code: str, role: str) -> None:
    country = Country(code, role)
    if country not in entry.countries:
        entry.countries.append(country)


def add_identifier(entry: ListEntry, identifier: Identifier) -> None:
    if identifier not in entry.identifiers:
        entry.identifiers.append(identifier)
