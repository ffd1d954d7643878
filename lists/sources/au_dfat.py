"""Australia DFAT Consolidated List (`regulation8_consolidated.xlsx`) → ParsedList.

One sheet, one row per name: the primary row has reference `2`, its aliases and original-script
names `2a`, `2b`, `2a1`…, so a listed party is keyed by the numeric part of the reference. Dates of
birth, citizenship, addresses and identity documents are free text (`a) Approximately 1955- 1958
b) Approximately 1945-1950`), and `Type` / `Name Type` come in several spellings (`Individual `,
`individual`, `Aka`, `Primary Name `…; docs/sources.md, DFAT).

The file states no publication date; the publisher date is the latest `Control Date` (the date
DFAT last changed any row), which matched the file's own modification date on 2024-11-11.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from lists.grouped import distinct, group_rows, parsed, raw_row, read_workbook, split_header
from lists.model import Address, BirthDate, Country, Identifier, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import MONTH_PATTERN, clean, parse_birth_date, parse_date, to_country
from lists.spec import ListSpec
from screening.scripts import detect_script

HEADERS = (
    "Reference", "Name of Individual or Entity", "Type", "Name Type", "Date of Birth", "Place of Birth",
    "Citizenship", "Address", "Additional Information", "Listing Information", "Committees", "Control Date",
)  # fmt: skip

# Keys are lower-cased and stripped: the file spells them `Individual`, `Individual `, `individual`…
SUBJECT_TYPES = {"individual": "person", "entity": "organization"}
NAME_TYPES = {
    "primary name": "primary",
    "aka": "aka",
    "original script": "original_script",
    "formerly known as": "fka",
    "previously listed as": "fka",
}
NULL_VALUES = {"na", "n/a", "nil", "none", "unknown", "-"}
# Demonyms and spellings of this list that countrynames does not know.
COUNTRY_FIXES = {"belarussian": "BY", "türkiyish": "TR", "uk": "GB"}

_REFERENCE = re.compile(r"^(\d+)[a-z]*\d*$")
_COMMITTEE = re.compile(r"(?:\d+(?:/\d+)*|Autonomous)\s*\((?:[^()]|\([^()]*\))*\)")
_ENUM = re.compile(r"(?<![\w(])\(?[a-z]\)")  # `a) … b) …` lists
_SEPARATORS = re.compile(r"\s*(?:;|,|/|\n|\band\b)\s*")
_PARENS = re.compile(r"\([^)]*\)?")
_DATE_TOKEN = re.compile(
    rf"""(?P<approx>(?:approximately|approx\.?|circa|c\.|about)\s*)?(?:between\s+)?(?<!\d)(?P<date>
        \d{{4}}-\d{{2}}-\d{{2}}
      | \d{{1,2}}\s?[/.]\s?\d{{1,2}}\s?[/.]\s?\d{{4}}
      | \d{{1,2}}/\d{{4}}
      | \d{{1,2}}\.?[\s-]+{MONTH_PATTERN}[\s-]*\d{{4}}
      | {MONTH_PATTERN}\s+\d{{1,2}},?\s+\d{{4}}
      | {MONTH_PATTERN}\s+\d{{4}}
      | \d{{4}}\s*(?:-|–|to|and)\s*\d{{4}}
      | \d{{4}}
    )(?!\d)""",
    re.I | re.X,
)
_IMO = re.compile(r"\bIMO\b[^0-9]{0,40}?(\d{7})(?!\d)")
_DOC_KEY = re.compile(r"passport|national identi(?:fication|ty)|identity card|\bID card", re.I)
_DOC_NUMBER = re.compile(r"(?<![\w/-])(?:[A-Z]{1,3}[ -]?)?\d[\dA-Z/-]*[\dA-Z](?![\w/-])")  # OR1961825, OR 1961825
_DATE_LIKE = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")


def parse(path: Path) -> ParsedList:
    """Parse the DFAT consolidated xlsx (plain or `.gz`) into one entry per reference number."""
    _, header, body = split_header(read_workbook(path), HEADERS, "Reference", "a DFAT consolidated list", _text)
    quarantine: list[Quarantined] = []
    rows = [row for row in (dict(zip(header, cells)) for cells in body) if any(clean(_text(v)) for v in row.values())]
    groups = group_rows(rows, _reference, lambda row: f"unreadable Reference {row['Reference']!r}", _raw, quarantine)
    control_dates = [day for row in rows if (day := _date(row["Control Date"]))]
    return parsed(groups, _parse_group, quarantine, max(control_dates) if control_dates else None)


def _reference(row: dict[str, object]) -> str | None:
    """The party a row belongs to: the numeric part of its reference (`2`, `2a`, `2a1` → 2)."""
    match = _REFERENCE.match((clean(_text(row["Reference"])) or "").lower())
    return match.group(1) if match else None


def _parse_group(ref: str, rows: list[dict[str, object]], quarantine: list[Quarantined]) -> ListEntry | None:
    """One listed party from its primary row and alias rows; None (and quarantined) when unreadable."""
    primary_rows = [r for r in rows if _key(r["Name Type"]) == "primary name"]
    if not primary_rows:
        quarantine.extend(Quarantined("name row without a primary row for its reference", _raw(r), ref) for r in rows)
        return None
    kinds = distinct(_key(r["Type"]) for r in rows)
    if len(kinds) != 1 or kinds[0] not in SUBJECT_TYPES:
        types = distinct(_text(r["Type"]) for r in rows)
        quarantine.append(Quarantined(f"unknown or conflicting Type {types}", _raw(primary_rows[0]), ref))
        return None
    names = _names(ref, primary_rows[0], rows, quarantine)
    if not names:
        quarantine.append(Quarantined("reference without a readable name", _raw(primary_rows[0]), ref))
        return None
    addresses = [a for v in _distinct_cells(rows, "Address") for a in _addresses(v)]
    countries = [
        Country(code, "citizenship")
        for value in _distinct_cells(rows, "Citizenship")
        for code in _citizenships(value, ref, quarantine)
    ]
    countries += [Country(code, "birth") for v in _distinct_cells(rows, "Place of Birth") for code in _birth_countries(v)]
    countries += [Country(a.country, "address") for a in addresses if a.country]
    listed = [d for v in _distinct_cells(rows, "Listing Information") if (d := _listing_date(v))]
    return ListEntry(
        source_id=ref,
        subject_type=SUBJECT_TYPES[kinds[0]],  # type: ignore[arg-type]
        primary_name=names[0].name,
        names=names,
        programs=distinct(p for v in _distinct_cells(rows, "Committees") for p in _committees(v)),
        regime="AU",
        listed_on=min(listed) if listed else None,
        remarks=_remarks(rows),
        birth_dates=_birth_dates(ref, rows, quarantine),
        countries=list(dict.fromkeys(countries)),
        identifiers=list(dict.fromkeys(_identifiers(rows))),
        addresses=list(dict.fromkeys(addresses)),
    )


def _names(
    ref: str, primary_row: dict[str, object], rows: list[dict[str, object]], quarantine: list[Quarantined]
) -> list[Name]:
    """The primary row's name first, then every alias row's name (DFAT states no alias quality)."""
    names: list[Name] = []
    for row in [primary_row, *(r for r in rows if r is not primary_row)]:
        text = clean(_text(row["Name of Individual or Entity"]))
        name_type = NAME_TYPES.get(_key(row["Name Type"]))
        if text is None or name_type is None:
            reason = f"unknown Name Type {_text(row['Name Type'])!r}" if text else "name row without a name"
            quarantine.append(Quarantined(reason, _raw(row), ref))
            continue
        if name_type == "primary" and names:
            name_type = "variation"  # a second `Primary Name` row: one primary per entry
        script = detect_script(text)
        if name_type == "original_script" and script == "Latn":
            name_type = "variation"  # an `Original Script` row written in Latin letters
        names.append(Name(text, name_type, "strong", script))  # type: ignore[arg-type]
    if not names:
        return []
    primary = replace(names[0], name_type="primary")  # the primary row, or the first readable one
    return [primary, *dict.fromkeys(n for n in names[1:] if n.name != primary.name)]


def _birth_dates(ref: str, rows: list[dict[str, object]], quarantine: list[Quarantined]) -> list[BirthDate]:
    """Every date in the `Date of Birth` cells: Excel dates, bare years (floats) and free text."""
    dates: list[BirthDate] = []
    for value in dict.fromkeys(r["Date of Birth"] for r in rows):
        if isinstance(value, (dt.date, dt.datetime)):
            day = value.date() if isinstance(value, dt.datetime) else value
            dates.append(BirthDate(day, day, "exact", day.isoformat()))
        elif isinstance(value, (int, float)) and value == int(value) and (parsed := parse_birth_date(str(int(value)))):
            dates.append(parsed)
        elif (text := _value(value)) is not None:
            found, complete = _dates_in_text(text)
            dates.extend(found)
            if not complete:
                quarantine.append(Quarantined("date of birth not (fully) understood (entry kept)", text, ref))
    # One date per interval: `13 April 1964` in one row and an Excel date 1964-04-13 in another.
    unique = {(d.date_from, d.date_to, d.precision): d for d in reversed(dates)}
    return [d for d in dates if unique[(d.date_from, d.date_to, d.precision)] is d]


def _dates_in_text(text: str) -> tuple[list[BirthDate], bool]:
    """Dates in a free-text DOB (`a) 1 Jan. 1964 b) Approximately 1964`, `Between 1958 and 1963`,
    `14 Mar 1974 >> 13 Apr 1974`); complete is False when digits are left that no date explains."""
    dates: list[BirthDate] = []
    rest = text
    for m in _DATE_TOKEN.finditer(text):
        parsed = parse_birth_date(f"{m.group('approx') or ''}{m.group('date')}")
        if parsed is None:
            continue
        dates.append(replace(parsed, text=m.group(0).strip()))
        rest = rest.replace(m.group(0), " ", 1)
    return dates, not any(c.isdigit() for c in rest)


def _listing_date(value: object) -> dt.date | None:
    """Listing date: an Excel date, or the first full date in the text (`Listed on 9 Nov 2021`,
    `Designated under the … Regulations 2011 on 2 March 2012`)."""
    if day := _date(value):
        return day
    dates, _ = _dates_in_text(_value(value) or "")
    return next((d.date_from for d in dates if d.precision == "exact"), None)


def _citizenships(value: object, ref: str, quarantine: list[Quarantined]) -> list[str]:
    """ISO-2 codes in a citizenship cell (`a) German b) Moroccan`, `Russian and Ukrainian`,
    `Indonesian (as at Dec. 2003)`); an unrecognised part is quarantined (the entry is kept)."""
    codes: list[str] = []
    for part in _enumerated(value):
        part = re.sub(r"^possibly\s+", "", _PARENS.sub("", part), flags=re.I).strip(" .,;")
        if not part:
            continue
        if code := _country(part):
            codes.append(code)
            continue
        for piece in (p.strip(" .") for p in _SEPARATORS.split(part)):
            if piece and (code := _country(piece)):
                codes.append(code)
            elif piece:
                quarantine.append(Quarantined("unrecognised citizenship (entry kept)", piece, ref))
    return list(dict.fromkeys(codes))


def _birth_countries(value: object) -> list[str]:
    """The country ending each place of birth (`Mahdia, Algeria`); places without one give none
    (the full place stays in the remarks)."""
    codes = [_country(place.split(",")[-1].strip(" .")) for part in _enumerated(value) for place in part.split(";")]
    return list(dict.fromkeys(c for c in codes if c))


def _addresses(value: object) -> list[Address]:
    """One Address per `a)`/`b)` item, `;` or line; the country is the last comma-separated part."""
    addresses = []
    for part in _enumerated(value):
        for piece in re.split(r"\s*[;\n]\s*", part):
            text = clean(piece.strip(" .,"))
            if text and text.lower() not in NULL_VALUES:
                last = _PARENS.sub("", text).split(",")[-1]  # `…, Philippines (previous address)`
                addresses.append(Address(text=text, country=_country(last.strip(" ."))))
    return addresses


def _identifiers(rows: list[dict[str, object]]) -> list[Identifier]:
    """IMO numbers and passport / national identity numbers found in `Additional Information`."""
    ids: list[Identifier] = []
    for text in distinct(_text(r["Additional Information"]) for r in rows):
        ids.extend(Identifier("imo", m.group(1)) for m in _IMO.finditer(text))
        ids.extend(_documents(text))
    return ids


def _documents(text: str) -> list[Identifier]:
    """Document numbers after `Passport no:` / `National identification no:` up to the next such
    keyword (at most 120 characters on); the issuing country is the word before the keyword
    (`Pakistani passport number …`) when it names one."""
    ids: list[Identifier] = []
    keys = list(_DOC_KEY.finditer(text))
    for key, nxt in zip(keys, [*keys[1:], None]):
        id_type = "passport" if key.group(0).lower() == "passport" else "national_id"
        window = text[key.end() : min(nxt.start() if nxt else len(text), key.end() + 120)]
        before = re.split(r"[.;:)]", text[max(0, key.start() - 40) : key.start()])[-1].split()
        issuer = next((c for n in (2, 1) if len(before) >= n and (c := _country(" ".join(before[-n:])))), None)
        for m in _DOC_NUMBER.finditer(window):
            token = m.group(0)
            if sum(c.isdigit() for c in token) >= 5 and not _DATE_LIKE.match(token):
                ids.append(Identifier(id_type, token.replace(" ", ""), issuer))
    return ids


def _committees(value: object) -> list[str]:
    """Programmes in `Committees`: `1267/1989/2253 (ISIL (Da'esh) and Al-Qaida)`, `Autonomous (Russia)`,
    several in one cell (`1970 (Libya) 1973 (Libya)`); unmatched text is kept whole."""
    text = _value(value)
    if text is None:
        return []
    found = [clean(m.group(0)) or "" for m in _COMMITTEE.finditer(text)]
    return found if found and not _COMMITTEE.sub("", text).strip(" ,;") else [text]


def _remarks(rows: list[dict[str, object]]) -> str | None:
    """Additional information, then listing information and place of birth as published."""
    parts = distinct(_text(r["Additional Information"]) for r in rows)
    for label, column in (("Listing information", "Listing Information"), ("Place of birth", "Place of Birth")):
        values = [v for v in distinct(_text(r[column]) for r in rows) if v.lower() not in NULL_VALUES]
        if values:
            parts.append(f"{label}: {'; '.join(values)}")
    return " | ".join(parts) or None


@lru_cache(maxsize=4096)
def _country(text: str) -> str | None:
    """ISO-2 for a country name or demonym; historic codes (SUHH) and 2-letter fragments (`NA`) are not."""
    key = text.strip(" .,;:()").lower()
    if key in COUNTRY_FIXES:
        return COUNTRY_FIXES[key]
    if not 2 < len(key) <= 60 or key in NULL_VALUES:  # longer text is a place or a sentence, not a country
        return None
    code = to_country(key)
    return code if code and len(code) == 2 else None


def _enumerated(value: object) -> list[str]:
    """Split `a) x b) y` into its cleaned parts; plain text → [text]; null markers → []."""
    text = _value(value)
    if text is None:
        return []
    return [p for p in (clean(s) for s in _ENUM.split(text)) if p and p.lower() not in NULL_VALUES]


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(value, formats=("%Y-%m-%d", "%d/%m/%Y")) if isinstance(value, str) else None


def _value(value: object) -> str | None:
    """Cleaned cell text; DFAT's `NA` / `na` null markers become None."""
    text = clean(_text(value))
    return None if text is None or text.lower() in NULL_VALUES else text


def _text(value: object) -> str:
    """A cell as text: integral floats lose `.0` (Reference `2.0` → `2`), dates become ISO."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return "" if value is None else str(value)


def _key(value: object) -> str:
    return (clean(_text(value)) or "").lower()


def _distinct_cells(rows: list[dict[str, object]], column: str) -> list[object]:
    return list(dict.fromkeys(r[column] for r in rows))


def _raw(row: dict[str, object]) -> str:
    return raw_row(row, _text)


SPEC = ListSpec(
    key="au_dfat",
    title="Australia DFAT Consolidated List (Autonomous and UN sanctions)",
    regime="AU",
    parse=parse,
    # Kept under its historic local name; DFAT now publishes the same workbook under a new file name
    # (formerly …/files/regulation8_consolidated.xlsx).
    urls={
        "regulation8_consolidated.xlsx": "https://www.dfat.gov.au/sites/default/files/Australian_Sanctions_Consolidated_List.xlsx",
    },
    min_entries=2000,
    mandatory=False,
    parser_version="1",
)
