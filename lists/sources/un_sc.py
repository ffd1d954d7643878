"""UN Security Council Consolidated List (XML, `consolidated.xml` or `consolidatedLegacyByPRN.xml`).

Both orderings publish the same `INDIVIDUAL` / `ENTITY` elements, only sorted differently, so one
parser serves both. source_id is the permanent `REFERENCE_NUMBER` (`QDi.001`), not `DATAID`.

Interpretation (strict: anything not understood is quarantined with the REFERENCE_NUMBER, the
rest of the entry is kept so the party stays screenable):
- Name = FIRST_NAME … FOURTH_NAME joined (an entity's whole name sits in FIRST_NAME);
  NAME_ORIGINAL_SCRIPT is an `original_script` name with its script detected.
- INDIVIDUAL_ALIAS QUALITY `Good` → strong, `Low` → weak. An *empty* QUALITY on a named alias is
  read as strong: the UN expresses no doubt about it, and a weak flag would let a real match be
  down-weighted. ENTITY_ALIAS QUALITY `a.k.a.` → aka, `f.k.a.` → fka (both strong).
- Empty placeholder elements (`<INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>`, an
  `INDIVIDUAL_DATE_OF_BIRTH` holding only `<TYPE_OF_DATE/>`, `<INDIVIDUAL_DOCUMENT/>`) say nothing
  and are skipped.
- Dates of birth: EXACT + DATE → exact, EXACT + YEAR → year, APPROXIMATELY → approximate,
  BETWEEN + FROM_YEAR/TO_YEAR → range. A NOTE that is itself a date (`Nov. 1973`; `Sep.` next to a
  YEAR; `Between Aug. and Sep. 1977`) is used; other notes stay in the date's text. Undatable
  ones (`24/06/1402 (Hijri Calendar)`, `30-35 years old`) go to the remarks.
- Country names → ISO-2 (nationality, address, birth); `na` means "not available" and is skipped.
- A document without a NUMBER is no identifier; its description goes to the remarks.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from lxml import etree

from lists.model import Address, BirthDate, Country, Identifier, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import (
    ListFormatError,
    alternative_names,
    clean,
    joined,
    locate_file,
    parse_birth_date,
    parse_date,
)
from lists.spec import ListSpec
from lists.xmlparse import EntryNotes, raw_xml, read_xml, xml_text, xml_texts
from screening.scripts import detect_script

LABEL = "UN list"
FILE_NAMES = ("consolidated.xml", "consolidatedLegacyByPRN.xml")
ROOT_TAG = "CONSOLIDATED_LIST"
# group element -> (record element, subject type)
GROUPS: dict[str, tuple[str, str]] = {
    "INDIVIDUALS": ("INDIVIDUAL", "person"),
    "ENTITIES": ("ENTITY", "organization"),
}
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# alias QUALITY (case-folded) -> (name_type, quality); individuals use Good/Low, entities a.k.a./f.k.a.
ALIAS_QUALITY: dict[str, tuple[str, str]] = {
    "good": ("aka", "strong"),
    "low": ("aka", "weak"),
    "a.k.a.": ("aka", "strong"),
    "f.k.a.": ("fka", "strong"),
    "": ("aka", "strong"),
}
DOB_TYPES = frozenset({"EXACT", "APPROXIMATELY", "BETWEEN", ""})
# TYPE_OF_DOCUMENT (case-folded, whitespace collapsed) -> id_type
DOCUMENT_TYPES: dict[str, str] = {
    "passport": "passport",
    "numéro de passeport": "passport",
    "número de pasaporte": "passport",
    "national identification number": "national_id",
    "national identification no.": "national_id",  # 2024-11 spelling
}
NOT_A_COUNTRY = frozenset({"na", "n/a"})  # "not available" markers in NATIONALITY

_BETWEEN_MONTHS = re.compile(r"^between\s+([a-z]+)\.?\s+and\s+([a-z]+)\.?\s+(\d{4})$", re.I)


def parse(path: Path) -> ParsedList:
    """Parse one published UN list (either ordering; a version folder holding it works too)."""
    root = read_xml(locate_file(path, LABEL, FILE_NAMES), LABEL, ROOT_TAG)
    entries: list[ListEntry] = []
    quarantine: list[Quarantined] = []
    for group_tag, (record_tag, subject_type) in GROUPS.items():
        group = root.find(group_tag)
        if group is None:
            raise ListFormatError(f"{LABEL}: <{ROOT_TAG}> has no <{group_tag}> element")
        for record in group:
            if not isinstance(record.tag, str):  # comments, processing instructions
                continue
            if record.tag != record_tag:
                quarantine.append(Quarantined(f"unknown element <{record.tag}> in <{group_tag}>", raw_xml(record)))
                continue
            entry = _entry(record, subject_type, quarantine)
            if entry is not None:
                entries.append(entry)
    return ParsedList(entries, parse_date(root.get("dateGenerated")), quarantine)


def _entry(record: etree._Element, subject_type: str, quarantine: list[Quarantined]) -> ListEntry | None:
    source_id = xml_text(record, "REFERENCE_NUMBER")
    if source_id is None:
        quarantine.append(Quarantined("record without REFERENCE_NUMBER", raw_xml(record)))
        return None
    primary = joined(*(xml_text(record, part) for part in NAME_PARTS), sep=" ")
    if primary is None:
        reason = "record without a name (FIRST_NAME … FOURTH_NAME empty)"
        quarantine.append(Quarantined(reason, raw_xml(record), source_id))
        return None
    rec = EntryNotes(source_id, quarantine, NOT_A_COUNTRY)
    if comments := xml_text(record, "COMMENTS1"):
        rec.remarks.append(comments)
    for label, tag in (("Title", "TITLE"), ("Designation", "DESIGNATION")):
        if values := xml_texts(record, f"{tag}/VALUE"):
            rec.remarks.append(f"{label}: {'; '.join(values)}")

    names = [Name(primary, "primary", "strong", detect_script(primary))]
    if original := xml_text(record, "NAME_ORIGINAL_SCRIPT"):
        names.append(Name(original, "original_script", "strong", detect_script(original)))
    alias_birth_dates: list[BirthDate] = []
    countries: list[Country] = []
    for alias in record.findall("INDIVIDUAL_ALIAS") + record.findall("ENTITY_ALIAS"):
        names.extend(_alias(alias, rec, alias_birth_dates, countries))

    for value in xml_texts(record, "NATIONALITY/VALUE"):
        if code := rec.country(value, record.find("NATIONALITY"), "nationality"):
            countries.append(Country(code, "nationality"))
    birth_dates = _birth_dates(record, rec)
    known = {(b.date_from, b.date_to, b.precision) for b in birth_dates}
    birth_dates += [b for b in alias_birth_dates if (b.date_from, b.date_to, b.precision) not in known]
    for place in record.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
        country_name = xml_text(place, "COUNTRY")
        if code := rec.country(country_name, place, "birth"):
            countries.append(Country(code, "birth"))
        parts = [xml_text(place, t) for t in ("STREET", "CITY", "STATE_PROVINCE")]
        if any(parts) or xml_text(place, "NOTE"):
            rec.remarks.append(f"Place of birth: {joined(*parts, country_name, xml_text(place, 'NOTE'))}")
    addresses = _addresses(record, rec)
    countries.extend(Country(a.country, "address") for a in addresses if a.country)
    identifiers = _documents(record, rec)  # before the remarks are joined: it adds to them

    return ListEntry(
        source_id=source_id,
        subject_type=subject_type,  # type: ignore[arg-type]
        primary_name=primary,
        names=list(dict.fromkeys(names)),
        programs=[p] if (p := xml_text(record, "UN_LIST_TYPE")) else [],
        regime="UN",
        listed_on=parse_date(xml_text(record, "LISTED_ON")),
        remarks="\n".join(rec.remarks) or None,
        birth_dates=list(dict.fromkeys(birth_dates)),
        countries=list(dict.fromkeys(countries)),
        identifiers=list(dict.fromkeys(identifiers)),
        addresses=list(dict.fromkeys(addresses)),
    )


def _alias(
    alias: etree._Element, rec: EntryNotes, birth_dates: list[BirthDate], countries: list[Country]
) -> list[Name]:
    """One alias element → its name, plus the birth data stated with it.

    Older files (2024) also use a *nameless* alias to carry an alternative DATE_OF_BIRTH; that date
    is kept. A nameless alias with anything else in it is quarantined; an empty one is a placeholder.
    """
    name = xml_text(alias, "ALIAS_NAME")
    who = f"alias {name!r}" if name else "an unnamed alias"
    if dob := xml_text(alias, "DATE_OF_BIRTH"):
        parsed = parse_birth_date(dob)
        if parsed is None:
            rec.remarks.append(f"Date of birth of {who}: {dob}")
        else:
            birth_dates.append(dataclasses.replace(parsed, text=f"{dob} ({who})") if name else parsed)
    if code := rec.country(xml_text(alias, "COUNTRY_OF_BIRTH"), alias, "birth"):
        countries.append(Country(code, "birth"))
    if city := xml_text(alias, "CITY_OF_BIRTH"):
        rec.remarks.append(f"Place of birth of {who}: {city}")
    if name is None:
        used = {"ALIAS_NAME", "DATE_OF_BIRTH", "COUNTRY_OF_BIRTH", "CITY_OF_BIRTH"}
        if any(clean(child.text) for child in alias if child.tag not in used):
            rec.reject("alias without ALIAS_NAME", alias)
        return []
    quality = (xml_text(alias, "QUALITY") or "").lower()
    mapped = ALIAS_QUALITY.get(quality)
    if mapped is None:
        rec.reject(f"unknown alias QUALITY {quality!r}; alias kept as a strong a.k.a.", alias)
        mapped = ("aka", "strong")
    name_type, strength = mapped
    if note := xml_text(alias, "NOTE"):
        rec.remarks.append(f"Alias {name!r}: {note}")
    listed = [name, *alternative_names(name)]
    return [Name(n, name_type, strength, detect_script(n)) for n in listed]  # type: ignore[arg-type]


def _birth_dates(record: etree._Element, rec: EntryNotes) -> list[BirthDate]:
    out: list[BirthDate] = []
    for el in record.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        kind = (xml_text(el, "TYPE_OF_DATE") or "").upper()
        date, year, note = xml_text(el, "DATE"), xml_text(el, "YEAR"), xml_text(el, "NOTE")
        year_from, year_to = xml_text(el, "FROM_YEAR"), xml_text(el, "TO_YEAR")
        if kind not in DOB_TYPES:
            rec.reject(f"unknown TYPE_OF_DATE {kind!r}", el)
            continue
        if not any((date, year, note, year_from, year_to)):
            continue  # placeholder
        parsed = _birth_date(kind, date, year, year_from, year_to, note)
        if parsed is None:
            text = joined(date, year, year_from, year_to, note, sep=" ")
            rec.remarks.append(f"Date of birth ({kind.lower() or 'unspecified'}): {text}")
        else:
            out.append(parsed)
    return out


def _birth_date(
    kind: str, date: str | None, year: str | None, year_from: str | None, year_to: str | None, note: str | None
) -> BirthDate | None:
    """The UN's structured DOB parts → one BirthDate; None when nothing datable is given."""
    approx = "approximately " if kind == "APPROXIMATELY" else ""
    parsed: BirthDate | None = None
    if date:
        parsed = parse_birth_date(approx + date)
    elif year_from and year_to:
        parsed = parse_birth_date(f"{year_from}-{year_to}")
    elif year or year_from or year_to:
        single = year or year_from or year_to
        if note and not approx:  # `Sep.` next to YEAR 1958 = September 1958
            month = parse_birth_date(f"{note} {single}")
            if month is not None:
                return month
        parsed = parse_birth_date(approx + str(single))
    elif note:
        parsed = parse_birth_date(approx + note)
        if parsed is None and (m := _BETWEEN_MONTHS.match(note)):
            first = parse_birth_date(f"{m.group(1)} {m.group(3)}")
            last = parse_birth_date(f"{m.group(2)} {m.group(3)}")
            if first and last and first.date_from and last.date_to and first.date_from <= last.date_to:
                return BirthDate(first.date_from, last.date_to, "range", note)
        return parsed
    if parsed is not None and note:
        parsed = dataclasses.replace(parsed, text=f"{parsed.text} ({note})")
    return parsed


def _addresses(record: etree._Element, rec: EntryNotes) -> list[Address]:
    out: list[Address] = []
    for el in record.findall("INDIVIDUAL_ADDRESS") + record.findall("ENTITY_ADDRESS"):
        street, city, state, zip_code = (xml_text(el, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE"))
        country_name, note = xml_text(el, "COUNTRY"), xml_text(el, "NOTE")
        text = joined(street, city, state, zip_code, country_name)
        if note:
            text = f"{text} ({note})" if text else note
        if text is None:
            continue  # placeholder
        out.append(Address(text, city, rec.country(country_name, el, "address")))
    return out


def _documents(record: etree._Element, rec: EntryNotes) -> list[Identifier]:
    out: list[Identifier] = []
    for el in record.findall("INDIVIDUAL_DOCUMENT"):
        kind = xml_text(el, "TYPE_OF_DOCUMENT")
        detail, number, note = xml_text(el, "TYPE_OF_DOCUMENT2"), xml_text(el, "NUMBER"), xml_text(el, "NOTE")
        if not any((kind, detail, number, note)):
            continue  # placeholder
        id_type = DOCUMENT_TYPES.get((kind or "").lower())
        if id_type is None:
            rec.reject(f"unknown TYPE_OF_DOCUMENT {kind!r}", el)
            continue
        issuer_name = xml_text(el, "ISSUING_COUNTRY") or xml_text(el, "COUNTRY_OF_ISSUE")
        if number is None:
            rec.remarks.append(f"{kind}: {joined(detail, note, issuer_name, sep='; ')}")
            continue
        out.append(Identifier(id_type, number, rec.country(issuer_name, el, "document issuing")))
    return out


SPEC = ListSpec(
    key="un_sc",
    title="UN Security Council Consolidated List",
    regime="UN",
    parse=parse,
    urls={"consolidated.xml": "https://scsanctions.un.org/resources/xml/en/consolidated.xml"},
    min_entries=500,  # ~1,000 parties since 2025; a file with fewer than half is broken
    mandatory=True,  # UN measures bind everywhere: registration lookups fail closed when stale
    max_publication_days=7,  # dateGenerated is renewed every day: a week-old file is a stale copy
    parser_version="1",
)
