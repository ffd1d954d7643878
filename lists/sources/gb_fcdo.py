"""UK Sanctions List (FCDO), XML: root `Designations` with `DateGenerated` (dd/mm/yyyy) and one
`Designation` per listed party. source_id = `UniqueID` (e.g. `AFG0006`).

Interpretation:
- A name joins `Name1` … `Name6` in numeric order (`Name6` is the surname, or an entity's or
  ship's whole name). `NameType` is matched case-insensitively (the live file spells it `Primary Name`,
  `Primary name`, `Primary Name Variation`, `Primary name variation`, and once `ALias`):
  primary → primary (a further non-empty primary name → variation), primary name variation →
  variation, alias → aka. `AliasStrength` `Good quality a.k.a` or absent → strong,
  `Low quality a.k.a` → weak. `NonLatinNames/NonLatinName/NameNonLatinScript` → original_script.
- `IndividualEntityShip`: Individual → person, Entity → organization, Ship → vessel.
- DOBs `dd/mm/yyyy`, `dd/mm/1970` (unknown day and month), bare `yyyy` → parse_birth_date.
- Countries: Nationality → nationality, CountryOfBirth → birth, AddressCountry → address, current
  flag → flag, previous flags → former_flag.
- Identifiers: PassportNumber → passport, NationalIdentifierNumber → national_id,
  BusinessRegistrationNumber → registration, IMONumber → imo (digits only: `IMO9562233` → `9562233`).
- `RegimeName` → programs; `DateDesignated` → listed_on; OtherInformation, the statement of reasons,
  titles, positions, place of birth and entity/ship details → remarks.
Anything not understood is quarantined with the UniqueID; a designation of unknown type is
quarantined whole.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from lists.model import Address, BirthDate, Country, Identifier, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import clean, joined, locate_file, parse_birth_date, parse_date
from lists.spec import ListSpec
from lists.xmlparse import EntryNotes, raw_xml, read_xml, xml_text, xml_texts
from screening.scripts import detect_script

LABEL = "UK Sanctions List"
FILE_NAME = "UK-Sanctions-List.xml"
ROOT_TAG = "Designations"
DATE_FORMATS = ("%d/%m/%Y",)

SUBJECT_TYPES: dict[str, str] = {"individual": "person", "entity": "organization", "ship": "vessel"}
NAME_TYPES: dict[str, str] = {"primary name": "primary", "primary name variation": "variation", "alias": "aka"}
ALIAS_STRENGTH: dict[str, str] = {"": "strong", "good quality a.k.a": "strong", "low quality a.k.a": "weak"}
NAME_PARTS = tuple(f"Name{i}" for i in range(1, 7))
ADDRESS_PARTS = (*(f"AddressLine{i}" for i in range(1, 7)), "AddressPostalCode", "AddressCountry")
# (path of the repeated element, id_type)
IDENTIFIER_PATHS: tuple[tuple[str, str], ...] = (
    ("IndividualDetails/Individual/PassportDetails/Passport/PassportNumber", "passport"),
    ("IndividualDetails/Individual/NationalIdentifierDetails/NationalIdentifier/NationalIdentifierNumber", "national_id"),
    ("EntityDetails/Entity/BusinessRegistrationNumbers/BusinessRegistrationNumber", "registration"),
    ("ShipDetails/Ship/IMONumbers/IMONumber", "imo"),
)
# (path, remark label): free-text details kept for the reviewer
REMARK_PATHS: tuple[tuple[str, str], ...] = (
    ("Titles/Title", "Title"),
    ("IndividualDetails/Individual/Positions/Position", "Position"),
    ("EntityDetails/Entity/TypeOfEntities/TypeOfEntity", "Type of entity"),
    ("EntityDetails/Entity/ParentCompanies/ParentCompany", "Parent company"),
    ("EntityDetails/Entity/Subsidiaries/Subsidiary", "Subsidiary"),
    ("ShipDetails/Ship/TypeOfShipDetails/TypeOfShip", "Type of ship"),
    ("ShipDetails/Ship/CurrentOwnerOperators/CurrentOwnerOperator", "Owner/operator"),
)
_IMO = re.compile(r"^(?:IMO)?\s*(\d{7})$", re.I)


def parse(path: Path) -> ParsedList:
    """Parse one UK Sanctions List XML file (or a version folder holding exactly one XML file)."""
    root = read_xml(locate_file(path, LABEL, (FILE_NAME,), (".xml", ".xml.gz")), LABEL, ROOT_TAG)
    entries: list[ListEntry] = []
    quarantine: list[Quarantined] = []
    for child in root:
        if not isinstance(child.tag, str) or child.tag == "DateGenerated":
            continue
        if child.tag != "Designation":
            quarantine.append(Quarantined(f"unknown element <{child.tag}> in <{ROOT_TAG}>", raw_xml(child)))
            continue
        entry = _entry(child, quarantine)
        if entry is not None:
            entries.append(entry)
    return ParsedList(entries, parse_date(root.findtext("DateGenerated"), DATE_FORMATS), quarantine)


def _countries(el: etree._Element, path: str, role: str, rec: EntryNotes) -> list[Country]:
    """The countries named at `path`, linked with `role`; names not understood go to quarantine."""
    return [Country(code, role) for node in el.findall(path) if (code := rec.country(clean(node.text), node, role))]


def _entry(el: etree._Element, quarantine: list[Quarantined]) -> ListEntry | None:
    source_id = xml_text(el, "UniqueID")
    if source_id is None:
        quarantine.append(Quarantined("Designation without UniqueID", raw_xml(el)))
        return None
    kind = xml_text(el, "IndividualEntityShip") or ""
    subject_type = SUBJECT_TYPES.get(kind.lower())
    if subject_type is None:
        quarantine.append(Quarantined(f"unknown IndividualEntityShip {kind!r}", raw_xml(el), source_id))
        return None
    rec = EntryNotes(source_id, quarantine)
    names = _names(el, rec)
    if not names:
        quarantine.append(Quarantined("Designation without any name", raw_xml(el), source_id))
        return None
    for field, label in (("OtherInformation", None), ("UKStatementofReasons", "Statement of reasons")):
        if text := xml_text(el, field):
            rec.remarks.append(f"{label}: {text}" if label else text)
    for path, label in REMARK_PATHS:
        if values := xml_texts(el, path):
            rec.remarks.append(f"{label}: {'; '.join(values)}")

    individual = "IndividualDetails/Individual"
    countries = _countries(el, f"{individual}/Nationalities/Nationality", "nationality", rec)
    countries += _countries(el, f"{individual}/BirthDetails/Location/CountryOfBirth", "birth", rec)
    for location in el.findall(f"{individual}/BirthDetails/Location"):
        if town := xml_text(location, "TownOfBirth"):
            rec.remarks.append(f"Place of birth: {joined(town, xml_text(location, 'CountryOfBirth'))}")
    countries += _countries(el, "ShipDetails/Ship/CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip", "flag", rec)
    countries += _countries(el, "ShipDetails/Ship/PreviousFlags/PreviousFlag", "former_flag", rec)
    addresses = _addresses(el, rec)
    countries += [Country(a.country, "address") for a in addresses if a.country]
    birth_dates = _birth_dates(el, rec)
    identifiers = _identifiers(el)

    return ListEntry(
        source_id=source_id,
        subject_type=subject_type,  # type: ignore[arg-type]
        primary_name=names[0].name,
        names=list(dict.fromkeys(names)),
        programs=xml_texts(el, "RegimeName"),
        regime="UK",
        listed_on=parse_date(el.findtext("DateDesignated"), DATE_FORMATS),
        remarks="\n".join(dict.fromkeys(rec.remarks)) or None,
        birth_dates=list(dict.fromkeys(birth_dates)),
        countries=list(dict.fromkeys(countries)),
        identifiers=list(dict.fromkeys(identifiers)),
        addresses=list(dict.fromkeys(addresses)),
    )


def _names(el: etree._Element, rec: EntryNotes) -> list[Name]:
    """All names, the first non-empty primary name first (see the module docstring)."""
    names: list[Name] = []
    primary_seen = False
    for node in el.findall("Names/Name"):
        text = joined(*(xml_text(node, part) for part in NAME_PARTS), sep=" ")
        if text is None:
            continue  # a name group with every part empty
        raw_type = xml_text(node, "NameType") or ""
        name_type = NAME_TYPES.get(raw_type.lower())
        if name_type is None:
            rec.reject(f"unknown NameType {raw_type!r}; name kept as a strong a.k.a.", node)
            name_type = "aka"
        if name_type == "primary":
            name_type = "variation" if primary_seen else "primary"
            primary_seen = True
        raw_strength = xml_text(node, "AliasStrength") or ""
        quality = ALIAS_STRENGTH.get(raw_strength.lower())
        if quality is None:
            rec.reject(f"unknown AliasStrength {raw_strength!r}; name kept as strong", node)
            quality = "strong"
        names.append(Name(text, name_type, quality, detect_script(text)))  # type: ignore[arg-type]
    for text in xml_texts(el, "NonLatinNames/NonLatinName/NameNonLatinScript"):
        names.append(Name(text, "original_script", "strong", detect_script(text)))
    if names and not primary_seen:
        names_el = el.find("Names")
        rec.reject("no Primary Name; the first name listed is used as primary", el if names_el is None else names_el)
        first = names[0]
        names[0] = Name(first.name, "primary", first.quality, first.script, first.lang)
    names.sort(key=lambda n: n.name_type != "primary")  # stable: the primary first, the rest in file order
    return names


def _birth_dates(el: etree._Element, rec: EntryNotes) -> list[BirthDate]:
    out: list[BirthDate] = []
    for text in xml_texts(el, "IndividualDetails/Individual/DOBs/DOB"):
        parsed = parse_birth_date(text)
        if parsed is None:
            rec.remarks.append(f"Date of birth: {text}")
        else:
            out.append(parsed)
    return out


def _addresses(el: etree._Element, rec: EntryNotes) -> list[Address]:
    out: list[Address] = []
    for node in el.findall("Addresses/Address"):
        text = joined(*(xml_text(node, part) for part in ADDRESS_PARTS))
        if text is None:
            continue
        out.append(Address(text, None, rec.country(xml_text(node, "AddressCountry"), node, "address")))
    return out


def _identifiers(el: etree._Element) -> list[Identifier]:
    out: list[Identifier] = []
    for path, id_type in IDENTIFIER_PATHS:
        for number in xml_texts(el, path):
            if id_type == "imo" and (m := _IMO.match(number)):
                number = m.group(1)
            out.append(Identifier(id_type, number, None))
    return out


SPEC = ListSpec(
    key="gb_fcdo",
    title="UK Sanctions List (FCDO)",
    regime="UK",
    parse=parse,
    urls={FILE_NAME: "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"},
    # The bundled snapshot is a real 5-designation extract; the full file holds about 6,300.
    min_entries=5,
    parser_version="1",
)
