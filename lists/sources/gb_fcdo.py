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
from lists.parsing import clean, find_file, parse_birth_date, parse_date, read_bytes, to_country
from lists.sources._script import detect_script
from lists.spec import ListSpec

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

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def parse(path: Path) -> ParsedList:
    """Parse one UK Sanctions List XML file (or a version folder holding exactly one XML file)."""
    root = _read_root(_locate(path))
    entries: list[ListEntry] = []
    quarantine: list[Quarantined] = []
    for child in root:
        if not isinstance(child.tag, str) or child.tag == "DateGenerated":
            continue
        if child.tag != "Designation":
            quarantine.append(Quarantined(f"unknown element <{child.tag}> in <{ROOT_TAG}>", _raw(child)))
            continue
        entry = _entry(child, quarantine)
        if entry is not None:
            entries.append(entry)
    return ParsedList(entries, parse_date(root.findtext("DateGenerated"), DATE_FORMATS), quarantine)


def _locate(path: Path) -> Path:
    if not path.is_dir():
        return path
    found = find_file(path, FILE_NAME)
    if found is not None:
        return found
    candidates = sorted(p for p in path.iterdir() if p.name.lower().endswith((".xml", ".xml.gz")))
    if len(candidates) != 1:
        raise ValueError(f"UK Sanctions List: expected one XML file in {path}, found {len(candidates)}")
    return candidates[0]


def _read_root(path: Path) -> etree._Element:
    try:
        root = etree.fromstring(read_bytes(path), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"UK Sanctions List: {path.name} is not well-formed XML: {exc}") from exc
    if root.tag != ROOT_TAG:
        raise ValueError(f"UK Sanctions List: root element is <{root.tag}>, expected <{ROOT_TAG}>")
    return root


def _raw(el: etree._Element) -> str:
    return etree.tostring(el, encoding="unicode", with_tail=False)


def _texts(el: etree._Element, path: str) -> list[str]:
    return [t for t in (clean(x.text) for x in el.findall(path)) if t]


def _joined(*parts: str | None, sep: str = ", ") -> str | None:
    return clean(sep.join(p for p in parts if p)) or None


class _Record:
    """One designation's remarks and quarantine notes (filed under its UniqueID)."""

    def __init__(self, source_id: str, quarantine: list[Quarantined]) -> None:
        self.source_id = source_id
        self.quarantine = quarantine
        self.remarks: list[str] = []

    def reject(self, reason: str, el: etree._Element) -> None:
        self.quarantine.append(Quarantined(reason, _raw(el), self.source_id))

    def countries(self, el: etree._Element, path: str, role: str) -> list[Country]:
        out = []
        for node in el.findall(path):
            value = clean(node.text)
            if value is None:
                continue
            code = to_country(value)
            if code is None:
                self.reject(f"unrecognised {role} country {value!r}", node)
            else:
                out.append(Country(code, role))
        return out


def _entry(el: etree._Element, quarantine: list[Quarantined]) -> ListEntry | None:
    source_id = clean(el.findtext("UniqueID"))
    if source_id is None:
        quarantine.append(Quarantined("Designation without UniqueID", _raw(el)))
        return None
    kind = clean(el.findtext("IndividualEntityShip")) or ""
    subject_type = SUBJECT_TYPES.get(kind.lower())
    if subject_type is None:
        quarantine.append(Quarantined(f"unknown IndividualEntityShip {kind!r}", _raw(el), source_id))
        return None
    rec = _Record(source_id, quarantine)
    names = _names(el, rec)
    if not names:
        quarantine.append(Quarantined("Designation without any name", _raw(el), source_id))
        return None
    for field, label in (("OtherInformation", None), ("UKStatementofReasons", "Statement of reasons")):
        if text := clean(el.findtext(field)):
            rec.remarks.append(f"{label}: {text}" if label else text)
    for path, label in REMARK_PATHS:
        if values := _texts(el, path):
            rec.remarks.append(f"{label}: {'; '.join(values)}")

    individual = "IndividualDetails/Individual"
    countries = rec.countries(el, f"{individual}/Nationalities/Nationality", "nationality")
    countries += rec.countries(el, f"{individual}/BirthDetails/Location/CountryOfBirth", "birth")
    for location in el.findall(f"{individual}/BirthDetails/Location"):
        if town := clean(location.findtext("TownOfBirth")):
            rec.remarks.append(f"Place of birth: {_joined(town, clean(location.findtext('CountryOfBirth')))}")
    countries += rec.countries(el, "ShipDetails/Ship/CurrentBelievedFlagOfShips/CurrentBelievedFlagOfShip", "flag")
    countries += rec.countries(el, "ShipDetails/Ship/PreviousFlags/PreviousFlag", "former_flag")
    addresses = _addresses(el, rec)
    countries += [Country(a.country, "address") for a in addresses if a.country]
    birth_dates = _birth_dates(el, rec)
    identifiers = _identifiers(el)

    return ListEntry(
        source_id=source_id,
        subject_type=subject_type,  # type: ignore[arg-type]
        primary_name=names[0].name,
        names=list(dict.fromkeys(names)),
        programs=_texts(el, "RegimeName"),
        regime="UK",
        listed_on=parse_date(el.findtext("DateDesignated"), DATE_FORMATS),
        remarks="\n".join(dict.fromkeys(rec.remarks)) or None,
        birth_dates=list(dict.fromkeys(birth_dates)),
        countries=list(dict.fromkeys(countries)),
        identifiers=list(dict.fromkeys(identifiers)),
        addresses=list(dict.fromkeys(addresses)),
    )


def _names(el: etree._Element, rec: _Record) -> list[Name]:
    """All names, the first non-empty primary name first (see the module docstring)."""
    names: list[Name] = []
    primary_seen = False
    for node in el.findall("Names/Name"):
        text = _joined(*(clean(node.findtext(part)) for part in NAME_PARTS), sep=" ")
        if text is None:
            continue  # a name group with every part empty
        raw_type = clean(node.findtext("NameType")) or ""
        name_type = NAME_TYPES.get(raw_type.lower())
        if name_type is None:
            rec.reject(f"unknown NameType {raw_type!r}; name kept as a strong a.k.a.", node)
            name_type = "aka"
        if name_type == "primary":
            name_type = "variation" if primary_seen else "primary"
            primary_seen = True
        raw_strength = clean(node.findtext("AliasStrength")) or ""
        quality = ALIAS_STRENGTH.get(raw_strength.lower())
        if quality is None:
            rec.reject(f"unknown AliasStrength {raw_strength!r}; name kept as strong", node)
            quality = "strong"
        names.append(Name(text, name_type, quality, detect_script(text)))  # type: ignore[arg-type]
    for text in _texts(el, "NonLatinNames/NonLatinName/NameNonLatinScript"):
        names.append(Name(text, "original_script", "strong", detect_script(text)))
    if names and not primary_seen:
        names_el = el.find("Names")
        rec.reject("no Primary Name; the first name listed is used as primary", el if names_el is None else names_el)
        first = names[0]
        names[0] = Name(first.name, "primary", first.quality, first.script, first.lang)
    names.sort(key=lambda n: n.name_type != "primary")  # stable: the primary first, the rest in file order
    return names


def _birth_dates(el: etree._Element, rec: _Record) -> list[BirthDate]:
    out: list[BirthDate] = []
    for text in _texts(el, "IndividualDetails/Individual/DOBs/DOB"):
        parsed = parse_birth_date(text)
        if parsed is None:
            rec.remarks.append(f"Date of birth: {text}")
        else:
            out.append(parsed)
    return out


def _addresses(el: etree._Element, rec: _Record) -> list[Address]:
    out: list[Address] = []
    for node in el.findall("Addresses/Address"):
        text = _joined(*(clean(node.findtext(part)) for part in ADDRESS_PARTS))
        if text is None:
            continue
        country_name = clean(node.findtext("AddressCountry"))
        code = to_country(country_name) if country_name else None
        if country_name and code is None:
            rec.reject(f"unrecognised address country {country_name!r}", node)
        out.append(Address(text, None, code))
    return out


def _identifiers(el: etree._Element) -> list[Identifier]:
    out: list[Identifier] = []
    for path, id_type in IDENTIFIER_PATHS:
        for number in _texts(el, path):
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
