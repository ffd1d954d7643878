"""EU Financial Sanctions Files (FSF), XML 1.1: root `export` in namespace
`http://eu.europa.ec/fpi/fsd/export`, one `sanctionEntity` per listed party, data mostly in attributes.

source_id = `sanctionEntity/@logicalId`. Interpretation:
- Every `nameAlias` is a name. Quality: `strong="false"` → weak; so is an alias whose child `remark`
  says "low quality" — the FSF often states quality only there, with `strong="true"` (spelling
  slips such as "low quality aliias" included). `nameLanguage` → `lang` (ISO 639-1, lower case).
- Primary name: the EU marks none. We take, among strong Latin-script names, those in English or
  with no language first, and of those the lowest `nameAlias/@logicalId` — the name recorded first,
  i.e. the one the party was listed under (translations and later aliases get higher ids).
  Other names are `original_script` when written in a non-Latin script, else `aka`.
- `birthdate`: `@birthdate` (Gregorian, also on `calendarType="ISLAMIC"` rows) → exact; else
  `year` / `monthOfYear` / `dayOfMonth`; `yearRangeFrom`/`yearRangeTo` → range; `circa="true"` →
  approximate. Islamic-calendar parts with no Gregorian date go to the remarks.
- Countries: `citizenship` → citizenship, `birthdate` → birth, `address` → address; code `00`
  (UNKNOWN) → none.
- `identification/@identificationTypeCode` → id_type via IDENTIFICATION_TYPES.
- `listed_on` = `@designationDate`; when absent it stays empty rather than borrowing the date of
  an amending regulation.
Anything not understood is quarantined with the logicalId; entries with an unknown or missing
subjectType are quarantined whole.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from lists.model import Address, BirthDate, Country, Identifier, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import clean, joined, locate_file, parse_birth_date, parse_date
from lists.spec import ListSpec
from lists.xmlparse import EntryNotes, raw_xml, read_xml, xml_texts
from screening.scripts import detect_script

LABEL = "EU FSF"
FILE_NAME = "xmlFullSanctionsList_1_1.xml"
NS = "http://eu.europa.ec/fpi/fsd/export"
_N = f"{{{NS}}}"
ROOT_TAG = f"{_N}export"

SUBJECT_TYPES: dict[str, str] = {"person": "person", "enterprise": "organization"}
STRONG: dict[str, str] = {"true": "strong", "false": "weak", "": "strong"}  # "" = attribute absent
CALENDARS = frozenset({"GREGORIAN", "ISLAMIC"})
# identificationTypeCode -> id_type (codes as used by the FSF; see OpenSanctions eu_fsf lookups)
IDENTIFICATION_TYPES: dict[str, str] = {
    "passport": "passport",
    "id": "national_id",
    "NRN": "national_id",
    "fiscalcode": "tax_id",
    "ssn": "ssn",
    "regnumber": "registration",
    "swiftbic": "swift",
    "imo": "imo",
    "tradelic": "trade_licence",
    "birthcert": "birth_certificate",
    "nationcert": "nationality_certificate",
    "travelcardid": "travel_document",
    "electionid": "voter_id",
    "residentperm": "residence_permit",
    "drivinglicence": "driving_licence",
    "other": "other",
}
UNKNOWN_COUNTRY = frozenset({"", "00"})
NO_VALUE = frozenset({"-"})  # the FSF writes city="-" for "none"
_LOW_QUALITY = re.compile(r"\blow?\s+quality\b", re.I)
_GOOD_QUALITY = re.compile(r"\b(good|god|high)\s+quality\b", re.I)
_LANG = re.compile(r"^[a-z]{2}$")


def parse(path: Path) -> ParsedList:
    """Parse one FSF XML 1.1 file (or a version folder holding exactly one XML file)."""
    root = read_xml(locate_file(path, LABEL, (FILE_NAME,), (".xml", ".xml.gz")), LABEL, ROOT_TAG)
    entries: list[ListEntry] = []
    quarantine: list[Quarantined] = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag != f"{_N}sanctionEntity":
            reason = f"unknown element <{etree.QName(child).localname}> in <export>"
            quarantine.append(Quarantined(reason, raw_xml(child)))
            continue
        entry = _entry(child, quarantine)
        if entry is not None:
            entries.append(entry)
    return ParsedList(entries, parse_date(root.get("generationDate")), quarantine)


def _attr(el: etree._Element, name: str) -> str | None:
    value = clean(el.get(name))
    return None if value in NO_VALUE else value


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    return el.findall(f"{_N}{tag}")


def _remarks(el: etree._Element) -> list[str]:
    return xml_texts(el, f"{_N}remark")


def _country_description(el: etree._Element) -> str | None:
    description = _attr(el, "countryDescription")
    return None if description == "UNKNOWN" else description


def _country(el: etree._Element, rec: EntryNotes) -> str | None:
    """The element's `countryIso2Code` (the FSF codes its countries); `00` = unknown, no country."""
    code = (clean(el.get("countryIso2Code")) or "").upper()
    if code in UNKNOWN_COUNTRY:
        return None
    if len(code) != 2 or not code.isalpha():
        rec.reject(f"invalid countryIso2Code {code!r}", el)
        return None
    return code


def _entry(el: etree._Element, quarantine: list[Quarantined]) -> ListEntry | None:
    source_id = clean(el.get("logicalId"))
    if source_id is None:
        quarantine.append(Quarantined("sanctionEntity without logicalId", raw_xml(el)))
        return None
    subject = el.find(f"{_N}subjectType")
    code = clean(subject.get("code")) if subject is not None else None
    subject_type = SUBJECT_TYPES.get(code or "")
    if subject_type is None:
        quarantine.append(Quarantined(f"unknown subjectType code {code!r}", raw_xml(el), source_id))
        return None
    rec = EntryNotes(source_id, quarantine)
    rec.remarks.extend(_remarks(el))
    if details := _attr(el, "designationDetails"):
        rec.remarks.append(details)

    names = _names(el, rec)
    if not names:
        quarantine.append(Quarantined("sanctionEntity without any nameAlias name", raw_xml(el), source_id))
        return None
    birth_dates, countries = _birth_dates(el, rec)
    for citizenship in _children(el, "citizenship"):
        if country := _country(citizenship, rec):
            countries.append(Country(country, "citizenship"))
    addresses = _addresses(el, rec)
    countries.extend(Country(a.country, "address") for a in addresses if a.country)
    identifiers = _identifiers(el, rec)
    programs = [p for p in (_attr(r, "programme") for r in _children(el, "regulation")) if p]

    return ListEntry(
        source_id=source_id,
        subject_type=subject_type,  # type: ignore[arg-type]
        primary_name=names[0].name,
        names=list(dict.fromkeys(names)),
        programs=list(dict.fromkeys(programs)),
        regime="EU",
        listed_on=parse_date(el.get("designationDate")),
        remarks="\n".join(dict.fromkeys(rec.remarks)) or None,
        birth_dates=list(dict.fromkeys(birth_dates)),
        countries=list(dict.fromkeys(countries)),
        identifiers=list(dict.fromkeys(identifiers)),
        addresses=list(dict.fromkeys(addresses)),
    )


def _names(el: etree._Element, rec: EntryNotes) -> list[Name]:
    """All nameAlias names, the chosen primary first (see the module docstring for the rule)."""
    found: list[tuple[tuple[object, ...], Name]] = []
    for index, alias in enumerate(_children(el, "nameAlias")):
        whole = _attr(alias, "wholeName") or joined(
            *(_attr(alias, a) for a in ("firstName", "middleName", "lastName")), sep=" "
        )
        if whole is None:
            rec.reject("nameAlias without a name", alias)
            continue
        strong = (clean(alias.get("strong")) or "").lower()
        quality = STRONG.get(strong)
        if quality is None:
            rec.reject(f"unknown nameAlias strong={strong!r}; name kept as strong", alias)
            quality = "strong"
        for remark in _remarks(alias):
            if _LOW_QUALITY.search(remark):
                quality = "weak"
            elif not _GOOD_QUALITY.search(remark):
                rec.remarks.append(f"Name {whole!r}: {remark}")
        lang = (clean(alias.get("nameLanguage")) or "").lower() or None
        if lang is not None and not _LANG.match(lang):
            rec.reject(f"unknown nameLanguage {lang!r}", alias)
            lang = None
        for label, attr in (("Function", "function"), ("Title", "title")):
            if value := _attr(alias, attr):
                rec.remarks.append(f"{label}: {value}")
        script = detect_script(whole)
        name_type = "aka" if script in (None, "Latn") else "original_script"
        logical_id = clean(alias.get("logicalId")) or ""
        rank = (
            quality != "strong",
            script not in (None, "Latn"),
            lang not in (None, "en"),
            int(logical_id) if logical_id.isdigit() else float("inf"),
            index,
        )
        found.append((rank, Name(whole, name_type, quality, script, lang)))  # type: ignore[arg-type]
    if not found:
        return []
    best = min(range(len(found)), key=lambda i: found[i][0])
    primary = found[best][1]
    others = [name for i, (_, name) in enumerate(found) if i != best]
    return [Name(primary.name, "primary", primary.quality, primary.script, primary.lang), *others]


def _birth_dates(el: etree._Element, rec: EntryNotes) -> tuple[list[BirthDate], list[Country]]:
    dates: list[BirthDate] = []
    countries: list[Country] = []
    for birth in _children(el, "birthdate"):
        if country := _country(birth, rec):
            countries.append(Country(country, "birth"))
        place = joined(*(_attr(birth, a) for a in ("city", "place", "region")))
        if place:
            rec.remarks.append(f"Place of birth: {joined(place, _country_description(birth))}")
        parsed = _birth_date(birth, rec)
        if parsed is not None:
            dates.append(parsed)
    return dates, countries


def _birth_date(birth: etree._Element, rec: EntryNotes) -> BirthDate | None:
    calendar = (clean(birth.get("calendarType")) or "GREGORIAN").upper()
    if calendar not in CALENDARS:
        rec.reject(f"unknown birthdate calendarType {calendar!r}", birth)
        return None
    date = _attr(birth, "birthdate")
    year, month, day = (_attr(birth, a) for a in ("year", "monthOfYear", "dayOfMonth"))
    year_from, year_to = _attr(birth, "yearRangeFrom"), _attr(birth, "yearRangeTo")
    prefix = "circa " if (clean(birth.get("circa")) or "").lower() == "true" else ""
    parts = "/".join(p for p in (day, month, year) if p)
    if date:
        value = date
    elif calendar != "GREGORIAN":
        rec.remarks.append(f"Date of birth ({calendar.lower()} calendar): {parts}")
        return None
    elif year_from and year_to:
        value = f"{year_from}-{year_to}"
    elif year or year_from or year_to:
        single = year or year_from or year_to
        value = f"{day}/{month}/{single}" if month and day else f"{month}/{single}" if month else str(single)
    else:
        return None  # a place of birth only
    parsed = parse_birth_date(prefix + value)
    if parsed is None:
        rec.remarks.append(f"Date of birth: {prefix}{value}")
        return None
    if calendar != "GREGORIAN":
        return BirthDate(parsed.date_from, parsed.date_to, parsed.precision, f"{parsed.text} ({calendar.lower()} calendar {parts})")
    return parsed


def _addresses(el: etree._Element, rec: EntryNotes) -> list[Address]:
    out: list[Address] = []
    for address in _children(el, "address"):
        po_box = _attr(address, "poBox")
        text = joined(
            _attr(address, "street"),
            f"PO Box {po_box}" if po_box else None,
            _attr(address, "zipCode"),
            _attr(address, "city"),
            _attr(address, "region"),
            _attr(address, "place"),
            _country_description(address),
        )
        rec.remarks.extend(f"Address: {r}" for r in _remarks(address))
        if text is None:
            continue
        out.append(Address(text, _attr(address, "city"), _country(address, rec)))
    return out


def _identifiers(el: etree._Element, rec: EntryNotes) -> list[Identifier]:
    out: list[Identifier] = []
    for ident in _children(el, "identification"):
        code = clean(ident.get("identificationTypeCode")) or ""
        id_type = IDENTIFICATION_TYPES.get(code) or IDENTIFICATION_TYPES.get(code.lower())
        if id_type is None:
            rec.reject(f"unknown identificationTypeCode {code!r}", ident)
            continue
        country = _country(ident, rec)
        for number in dict.fromkeys(n for n in (_attr(ident, "number"), _attr(ident, "latinNumber")) if n):
            out.append(Identifier(id_type, number, country))
    return out


SPEC = ListSpec(
    key="eu_fsf",
    title="EU Financial Sanctions Files (consolidated list)",
    regime="EU",
    parse=parse,
    urls={
        FILE_NAME: "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"
    },
    # The bundled snapshot is a real 5-entity extract; the full file holds several thousand.
    min_entries=5,
    parser_version="1",
)
