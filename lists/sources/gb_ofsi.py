"""UK OFSI Consolidated List, 2022 format (`ConList.xlsx`, also `ConList.csv`) → ParsedList.

The file has one row per name; a listed party is every row sharing `Group ID`. Rows are in fact a
cross product (names × addresses × dates of birth × non-Latin names), so each field of a party is
the set of distinct values over its rows. Row 1 holds `Last Updated` and the publication date,
row 2 the 36 column headers (docs/sources.md, OFSI). OFSI retired the list on 28 January 2026.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from lists.grouped import distinct, group_rows, parsed, raw_row, read_workbook, split_header
from lists.model import Address, BirthDate, Country, Identifier, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import clean, parse_birth_date, parse_date, read_text, to_country
from lists.spec import ListSpec
from screening.scripts import detect_script

NAME_PARTS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5")  # forenames; `Name 6` is the surname
NAME_COLUMNS = (
    *NAME_PARTS, "Name 6", "Name Non-Latin Script", "Non-Latin Script Type", "Non-Latin Script Language",
    "Alias Type", "Alias Quality",
)  # fmt: skip
ADDRESS_PARTS = ("Address 1", "Address 2", "Address 3", "Address 4", "Address 5", "Address 6", "Post/Zip Code")
HEADERS = (
    "Name 6", *NAME_PARTS, "Title", "Name Non-Latin Script", "Non-Latin Script Type",
    "Non-Latin Script Language", "DOB", "Town of Birth", "Country of Birth", "Nationality",
    "Passport Number", "Passport Details", "National Identification Number",
    "National Identification Details", "Position", *ADDRESS_PARTS, "Country", "Other Information",
    "Group Type", "Alias Type", "Alias Quality", "Regime", "Listed On",
    "UK Sanctions List Date Designated", "Last Updated", "Group ID",
)  # fmt: skip

SUBJECT_TYPES = {"Individual": "person", "Entity": "organization", "Ship": "vessel"}
NAME_TYPES = {"Primary name": "primary", "Primary name variation": "variation", "AKA": "aka", "FKA": "fka"}
QUALITIES = {"": "strong", "Good quality": "strong", "Low quality": "weak"}
# `Non-Latin Script Type` as published (typos included) → ISO 15924; used where the characters
# themselves do not tell the script (detect_script).
SCRIPTS = {
    "Arabic": "Arab", "Persian": "Arab", "Burmese": "Mymr", "Chinese": "Hani", "Cyrillic": "Cyrl",
    "Cryillic": "Cyrl", "Cyrilic": "Cyrl", "Russian": "Cyrl", "Georgian": "Geor", "Greek": "Grek",
    "Hangul": "Hang", "Hebrew": "Hebr", "Thai": "Thai",
}  # fmt: skip
# `Non-Latin Script Language` as published → ISO 639-1 (None: the cell names a script, not a language).
LANGUAGES: dict[str, str | None] = {
    "Arabic": "ar", "Belarusian": "be", "Bosnian": "bs", "Bulgarian": "bg", "Burmese": "my",
    "Chinese": "zh", "Cyrillic": None, "Georgian": "ka", "Greek": "el", "Hebrew": "he",
    "Japanese": "ja", "Kazakh": "kk", "Korean": "ko", "Persian": "fa", "Persian/Farsi": "fa",
    "Romanian": "ro", "Russia": "ru", "Russian": "ru", "Serbian": "sr", "Spanish": "es",
    "Thai": "th", "Turkish": "tr", "Ukraine": "uk", "Ukrainian": "uk",
}  # fmt: skip
# Country spellings of this list that countrynames does not know (or reads wrongly).
COUNTRY_FIXES = {
    "bosnia-herzegovina": "BA", "congo (democratic republic)": "CD", "gaza": "PS",
    "occupied palestinian territories": "PS", "repubic of moldova": "MD", "uk": "GB",
}  # fmt: skip
# Identifiers embedded in `Other Information` as `(Key):value`.
INFO_IDENTIFIERS = {
    "UK Sanctions List Ref": ("uk_sanctions_list_ref", re.compile(r"[A-Z]{2,3}[A-Za-z]?\.?\d{3,4}")),  # GHR0086, SDi.005
    "UN Ref": ("un_reference", re.compile(r"[A-Z]{2}[A-Za-z]\.\s?\d{1,3}")),  # QDi.231, QDE.145, CDi. 038
    "IMO number": ("imo", re.compile(r"\d{7}")),
}

_INFO_KEY = re.compile(r"\(([A-Z][^():]{1,60})\):")
# `(1) a (2) b`, `1) a 2) b`, `(1) to (6) a`, `(1-3) a`
_ENUM = re.compile(r"\(\d{1,2}\)(?:\s*to\s*\(\d{1,2}\))?|\(\d{1,2}\s*-\s*\d{1,2}\)|(?<![\w(])\d{1,2}\)")
_NOW = re.compile(r"\b(?:now|currently)\s+([^()]+)", re.I)
_PARENS = re.compile(r"\([^)]*\)?")
_SOVIET = re.compile(r"\b(?:autonomous\s+)?(?:a?ssr|sfsr|soviet\s+(?:federative\s+)?socialist\s+republic)\b.*$", re.I)
_REG_NUMBER = re.compile(r"(?<![\w-])[A-Z0-9][A-Z0-9/-]{3,}[A-Z0-9](?![\w-])")
_TAX_LABEL = re.compile(r"\b(?:TIN|INN|KPP|tax|taxpayer)\b", re.I)


def parse(path: Path) -> ParsedList:
    """Parse a ConList.xlsx / ConList.csv (plain or `.gz`) into one entry per `Group ID`."""
    preamble, header, body = split_header(_read_rows(path), HEADERS, "Group ID", "an OFSI 2022-format ConList", str)
    publisher_date = next((parse_date(row[1], formats=("%d/%m/%Y", "%Y-%m-%d")) for row in reversed(preamble)
                           if len(row) > 1 and row[0].strip() == "Last Updated"), None)
    quarantine: list[Quarantined] = []
    rows = (dict(zip(header, cells)) for cells in body if any(cells))
    groups = group_rows(rows, lambda row: clean(row["Group ID"]), lambda _: "name row without a Group ID", _raw,
                        quarantine)
    return parsed(groups, _parse_group, quarantine, publisher_date)


def _read_rows(path: Path) -> list[list[str]]:
    """All rows of the first sheet (or the CSV) as strings, whatever the cell types."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(read_text(path)))]
    return [[_cell(v) for v in row] for row in read_workbook(path)]


def _cell(value: object) -> str:
    """Cell → text as published: integral floats lose `.0`, dates become dd/mm/yyyy like the file."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


def _parse_group(group_id: str, rows: list[dict[str, str]], quarantine: list[Quarantined]) -> ListEntry | None:
    """One listed party from all its name rows; None (and quarantined) when it cannot be read."""
    group_types = distinct(r["Group Type"] for r in rows)
    if len(group_types) != 1 or group_types[0] not in SUBJECT_TYPES:
        quarantine.append(Quarantined(f"unknown or conflicting Group Type {group_types}", _raw(rows[0]), group_id))
        return None
    names = _names(group_id, rows, quarantine)
    if not names:
        quarantine.append(Quarantined("group without a usable name row", _raw(rows[0]), group_id))
        return None
    infos = [_info_fields(text) for text in distinct(r["Other Information"] for r in rows)]
    addresses = _addresses(group_id, rows, quarantine)
    countries = [
        Country(code, role)
        for role, values in (
            ("nationality", distinct(r["Nationality"] for r in rows)),
            ("birth", distinct(r["Country of Birth"] for r in rows)),
            ("flag", [info["Flag of ship"] for info in infos if "Flag of ship" in info]),
        )
        for value in values
        for code in _countries(value, group_id, quarantine)
    ]
    countries += [Country(a.country, "address") for a in addresses if a.country]
    listed = [d for v in distinct(r["Listed On"] for r in rows) if (d := parse_date(v, formats=("%d/%m/%Y",)))]
    return ListEntry(
        source_id=group_id,
        subject_type=SUBJECT_TYPES[group_types[0]],  # type: ignore[arg-type]
        primary_name=names[0].name,
        names=names,
        programs=distinct(r["Regime"] for r in rows),
        regime="UK",
        listed_on=min(listed) if listed else None,
        remarks=_remarks(rows),
        birth_dates=_birth_dates(group_id, rows, quarantine),
        countries=list(dict.fromkeys(countries)),
        identifiers=_identifiers(rows, infos, group_id, quarantine),
        addresses=addresses,
    )


def _names(group_id: str, rows: list[dict[str, str]], quarantine: list[Quarantined]) -> list[Name]:
    """Distinct names, primary first. Extra `Primary name` rows become variations (one primary per entry);
    a group with no `Primary name` row takes its first variation (or alias) as primary."""
    found: dict[tuple[str, str], Name] = {}
    for cells in dict.fromkeys(tuple(row[k] for k in NAME_COLUMNS) for row in rows):
        row = dict(zip(NAME_COLUMNS, cells))
        name_type = NAME_TYPES.get(clean(row["Alias Type"]) or "")
        quality = QUALITIES.get(clean(row["Alias Quality"]) or "")
        if name_type is None or quality is None:
            reason = f"unknown Alias Type {row['Alias Type']!r} or Alias Quality {row['Alias Quality']!r}"
            quarantine.append(Quarantined(reason, _raw(row), group_id))
            continue
        parts = [p for p in (clean(row[k]) for k in (*NAME_PARTS, "Name 6")) if p]
        if parts:
            full = " ".join(parts)
            _add_name(found, Name(full, name_type, quality, detect_script(full)))  # type: ignore[arg-type]
        if original := clean(row["Name Non-Latin Script"]):
            label = _label(SCRIPTS, row["Non-Latin Script Type"], "Non-Latin Script Type", group_id, quarantine)
            script = detect_script(original) or label  # the characters say it more precisely (Hans/Hant)
            lang = _label(LANGUAGES, row["Non-Latin Script Language"], "Non-Latin Script Language", group_id, quarantine)
            # The column also holds Latin spellings with diacritics (`Baššār Ḥāfiẓ Al Asad`): variations.
            kind = "variation" if script == "Latn" else "original_script"
            _add_name(found, Name(original, kind, quality, script, lang))  # type: ignore[arg-type]
    names = list(found.values())
    for wanted in ("primary", "variation", "aka", "fka", "original_script"):
        primary = next((n for n in names if n.name_type == wanted), None)
        if primary is not None:
            break
    else:
        return []
    rest = [
        replace(n, name_type="variation") if n.name_type == "primary" else n
        for n in names
        if n is not primary and n.name != primary.name
    ]
    return [replace(primary, name_type="primary"), *dict.fromkeys(rest)]


def _add_name(found: dict[tuple[str, str], Name], name: Name) -> None:
    """Keep one Name per (text, type); a name published both good and low quality stays strong."""
    key = (name.name, name.name_type)
    known = found.get(key)
    if known is None:
        found[key] = name
    elif known.quality == "weak" and name.quality == "strong":
        found[key] = replace(known, quality="strong")


def _label(
    mapping: dict[str, str | None], value: str, column: str, group_id: str, quarantine: list[Quarantined]
) -> str | None:
    """Map a script / language label; an unknown label keeps the name (without it) and is quarantined."""
    label = clean(value)
    if label is None:
        return None
    if label not in mapping:
        quarantine.append(Quarantined(f"unknown {column} {label!r} (name kept without it)", label, group_id))
        return None
    return mapping[label]


def _birth_dates(group_id: str, rows: list[dict[str, str]], quarantine: list[Quarantined]) -> list[BirthDate]:
    """Distinct dates of birth; `00/00/1994` style zeroed parts give year / month precision."""
    dates: list[BirthDate] = []
    for text in distinct(r["DOB"] for r in rows):
        for part in _enumerated(text):
            if parsed := parse_birth_date(part):
                dates.append(parsed)
            else:
                quarantine.append(Quarantined("unparsed date of birth (entry kept)", part, group_id))
    return list(dict.fromkeys(dates))


def _addresses(group_id: str, rows: list[dict[str, str]], quarantine: list[Quarantined]) -> list[Address]:
    """Distinct addresses: the address lines and post code joined, plus the ISO-2 country."""
    found: dict[Address, None] = {}
    for cells in dict.fromkeys(tuple(row[k] for k in (*ADDRESS_PARTS, "Country")) for row in rows):
        lines = [p for p in (clean(c) for c in cells[:-1]) if p]
        country_text = clean(cells[-1])
        if not lines and not country_text:
            continue
        codes = _countries(country_text, group_id, quarantine)
        text = ", ".join(lines + ([country_text] if country_text else []))
        found[Address(text=text, country=codes[0] if codes else None)] = None
    return list(found)


def _identifiers(
    rows: list[dict[str, str]], infos: list[dict[str, str]], group_id: str, quarantine: list[Quarantined]
) -> list[Identifier]:
    """Passports and national ids (paired with their details by `(n)` position), plus the ids in
    `Other Information`: UK Sanctions List ref, UN reference, IMO number, business registration."""
    ids: list[Identifier] = []
    for id_type, number_col, details_col in (
        ("passport", "Passport Number", "Passport Details"),
        ("national_id", "National Identification Number", "National Identification Details"),
    ):
        for number_text, details_text in dict.fromkeys((r[number_col], r[details_col]) for r in rows):
            numbers, details = _enumerated(number_text), _enumerated(details_text)
            for i, number in enumerate(numbers):
                issuer = _issuer(details[i]) if len(details) == len(numbers) else None
                ids.append(Identifier(id_type, number.rstrip(". "), issuer))
    for info in infos:
        for key, (id_type, pattern) in INFO_IDENTIFIERS.items():
            if key not in info:
                continue
            # Only the value's first sentence: `INU0082 and SYR0310. …` (one per regime), whereas the text
            # after it cites other parties' references (`QDi.080. Deputy head of … Al-Qaida (QDe.004)`).
            head = re.split(r"\.\s+(?!\d)", info[key], maxsplit=1)[0]
            numbers = [n.replace(" ", "") for n in pattern.findall(head)]
            if not numbers:
                quarantine.append(Quarantined(f"unreadable {key} in Other Information (entry kept)", info[key], group_id))
            ids.extend(Identifier(id_type, number) for number in numbers)
        ids.extend(_registrations(info.get("Business Reg No")))
    return list(dict.fromkeys(ids))


def _registrations(value: str | None) -> list[Identifier]:
    """Numbers in `(Business Reg No)`: `TIN - 4824096058`, `(1) Taxpayer ID: 7706569306 (2) OGRN …`;
    a number labelled as a tax number is a tax_id, any other a registration."""
    ids: list[Identifier] = []
    for part in _enumerated(value):
        start = 0
        for m in _REG_NUMBER.finditer(part):
            if sum(c.isdigit() for c in m.group(0)) >= 5:
                label = part[start : m.start()]
                ids.append(Identifier("tax_id" if _TAX_LABEL.search(label) else "registration", m.group(0)))
            start = m.end()
    return ids


def _issuer(detail: str | None) -> str | None:
    """Issuing country: the first segment (or its first word) of the details that names a country:
    `Saudi Arabia, issue date: …`, `Moroccan. Issued on …`, `German provisional. Issued by …`."""
    if not detail:
        return None
    for segment in re.split(r"[.,;:()]", detail):
        words = segment.split()
        for candidate in (" ".join(words), words[0] if words else ""):
            if len(candidate) > 2 and (code := _country(candidate)):
                return code
    return None


def _info_fields(text: str) -> dict[str, str]:
    """`(Key):value` segments of `Other Information` (first occurrence of each key)."""
    fields: dict[str, str] = {}
    marks = list(_INFO_KEY.finditer(text or ""))
    for mark, nxt in zip(marks, [*marks[1:], None]):
        value = text[mark.end() : nxt.start() if nxt else len(text)].strip().rstrip(".").strip()
        fields.setdefault(mark.group(1).strip(), value)
    return fields


def _remarks(rows: list[dict[str, str]]) -> str | None:
    """`Other Information` (statement of reasons, gender, ship details…) plus the details that have
    no field of their own: titles, position, town of birth, passport / national id details."""
    parts = distinct(r["Other Information"] for r in rows)
    for label, col in (
        ("Title", "Title"),
        ("Position", "Position"),
        ("Town of birth", "Town of Birth"),
        ("Passport details", "Passport Details"),
        ("National identification details", "National Identification Details"),
        ("UK Sanctions List date designated", "UK Sanctions List Date Designated"),
    ):
        if values := distinct(r[col] for r in rows):
            parts.append(f"{label}: {'; '.join(values)}")
    return " | ".join(parts) or None


def _countries(value: str | None, group_id: str, quarantine: list[Quarantined]) -> list[str]:
    """ISO-2 codes for a country cell (`(1) Russia (2) Israel`, `USSR (now Moldova)`, `Germany. Russia`);
    a part that names no recognisable country is quarantined (the entry is kept)."""
    codes: list[str] = []
    for part in _enumerated(value):
        part = part.strip(" .,-(")
        if not part:
            continue
        found = _resolve_country(part)
        if not found:
            quarantine.append(Quarantined("unrecognised country (entry kept)", part, group_id))
        codes.extend(found)
    return list(dict.fromkeys(codes))


def _resolve_country(text: str) -> list[str]:
    """One country mention → codes, trying: as is, the `now X` part, without notes in brackets or a
    Soviet-republic suffix (`Ukrainian SSR` → UA), then `.`/`,`-separated pieces."""
    if code := _country(text):
        return [code]
    if (m := _NOW.search(text)) and (code := _country(m.group(1).strip(" .,)"))):
        return [code]
    bare = _SOVIET.sub("", _PARENS.sub("", text)).strip(" .,")
    if bare and (code := _country(bare)):
        return [code]
    pieces = [p.strip() for p in re.split(r"[.,]", bare) if p.strip()]
    return [c for p in pieces if (c := _country(p))] if len(pieces) > 1 else []


@lru_cache(maxsize=4096)
def _country(text: str) -> str | None:
    """ISO-2 for a country name, with this list's own spellings; historic codes (SUHH) are not ISO-2."""
    fixed = COUNTRY_FIXES.get(text.strip().lower())
    if fixed:
        return fixed
    code = to_country(text)
    return code if code and len(code) == 2 else None


def _enumerated(value: str | None) -> list[str]:
    """Split `(1) a (2) b` (also `(1) to (6) a`, `(1-3) a`) into its cleaned parts; plain text → [text]."""
    text = clean(value)
    if text is None:
        return []
    return [p for p in (clean(s) for s in _ENUM.split(text)) if p]


def _raw(row: dict[str, str]) -> str:
    return raw_row(row, str)


SPEC = ListSpec(
    key="gb_ofsi",
    title="UK OFSI Consolidated List of Financial Sanctions Targets (2022 format; retired 28 Jan 2026)",
    regime="UK",
    parse=parse,
    urls={"ConList.xlsx": "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.xlsx"},
    min_entries=3000,
    mandatory=False,
    parser_version="1",
)
