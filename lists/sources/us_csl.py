"""US Consolidated Screening List (trade.gov `consolidated.csv`): one row per party per source list.

Why the choices below:

- source_id: the row's `_id`. For Treasury rows `_id` is OFAC's entity number, shared by the same party's
  rows on SDN, SSI, CAP, NS-MBS …; those non-SDN rows get the list code appended (`18291-SSI`), SDN rows
  and the hash ids of the Commerce/State lists stay bare. A row repeated verbatim (CAP 15268 in
  2022-05-16) gets `-2` in file order, so each published row is one entry.
- subject type: `Individual`/`Entity`/`Vessel`/`Aircraft`. The Commerce and State lists publish no type;
  those rows take their list's dominant type (`UNTYPED_DEFAULTS`); on the person-dominated DPL and DTC a
  name with a legal form is an organization (the DPL adapter's heuristic). Any other type value, or an
  untyped row of an unknown list, is quarantined.
- `ids` holds identifiers and OFAC's informational items alike, in two layouts: `CC, number, type`
  (older files, with optional issue/expiry dates) and `type, number, CC` (2025). Items whose type is in
  `ID_TYPES` become identifiers; everything else (gender, websites, directive notes …) goes to remarks.
- programs: the full source-list name, then the `programs` column.
"""

from __future__ import annotations

import re
from pathlib import Path

from lists.model import Address, Country, Identifier, ListEntry, Name, ParsedList, Quarantined, SubjectType
from lists.parsing import (
    clean,
    embedded_names,
    looks_like_organization,
    parse_birth_dates,
    parse_date,
    read_csv,
    split_multi,
    to_country,
    unique_id,
)
from lists.spec import ListSpec

REQUIRED = ("_id", "source", "type", "name", "programs", "alt_names", "addresses", "dates_of_birth",
            "nationalities", "citizenships", "ids", "start_date")

SUBJECT_TYPES: dict[str, SubjectType] = {
    "Individual": "person",
    "Entity": "organization",
    "Vessel": "vessel",
    "Aircraft": "aircraft",
}
# Untyped rows (Commerce and State lists) take their list's dominant type.
UNTYPED_DEFAULTS: dict[str, SubjectType] = {
    "EL": "organization",
    "UVL": "organization",
    "MEU": "organization",
    "ISN": "organization",
    "DPL": "person",
    "DTC": "person",
}
SDN = "SDN"

# OFAC identifier labels → id_type. Labels not listed here are informational and land in remarks.
ID_TYPES: dict[str, str] = {
    **dict.fromkeys(("Passport", "Diplomatic Passport", "British National Overseas Passport",
                     "Stateless Person Passport"), "passport"),
    **dict.fromkeys(("National ID No.", "Personal ID Card", "Citizen's Card Number", "Cedula No.", "D.N.I.",
                     "C.U.R.P.", "Numero de Identidad", "Tazkira National ID Card", "Kenyan ID No.",
                     "Bosnian Personal ID No.", "Moroccan Personal ID No.", "Turkish Identification Number",
                     "CNP (Personal Numerical Code)", "C.U.I.", "C.U.I.P.", "National Foreign ID Number",
                     "Identification Number", "UAE Identification", "Stateless Person ID Card",
                     "Refugee ID Card", "Electoral Registry No.", "Credencial electoral", "I.F.E.", "N.I.E.",
                     "SSN"), "national_id"),
    **dict.fromkeys(("Tax ID No.", "R.F.C.", "RFC", "NIT #", "RIF #", "RUC #", "C.U.I.T.", "US FEIN",
                     "Italian Fiscal Code", "Fiscal Code", "V.A.T. Number", "C.I.F.", "RSIN", "RTN",
                     "Paraguayan tax identification number", "Romanian Tax Registration",
                     "Numero Unico de Identificacao Tributaria (NUIT)"), "tax_id"),
    **dict.fromkeys(("Registration Number", "Registration ID", "Business Registration Number",
                     "Business Registration Document #", "Company Number", "UK Company Number",
                     "Commercial Registry Number", "Certificate of Incorporation Number",
                     "Chamber of Commerce Number", "Government Gazette Number", "Public Registration Number",
                     "Folio Mercantil No.", "Matricula Mercantil No", "Trade License No.", "License",
                     "Enterprise Number", "Branch Unit Number", "Business Number", "C.R. No.", "Romanian C.R.",
                     "File Number", "LE Number", "Registered Charity No.", "Central Registration System Number",
                     "Dubai Chamber of Commerce Membership No.", "Istanbul Chamber of Comm. No.",
                     "MSB Registration Number", "Afghan Money Service Provider License Number",
                     "Tourism License No."), "registration"),
    **dict.fromkeys(("Unified Social Credit Code (USCC)", "United Social Credit Code Certificate (USCCC)"),
                    "uscc"),
    **dict.fromkeys(("Residency Number", "Romanian Permanent Resident"), "residence_permit"),
    **dict.fromkeys(("Immigration No.", "Public Security and Immigration No.", "SRE Permit No.",
                     "VisaNumberID"), "immigration"),
    "SWIFT/BIC": "swift",
    "Legal Entity Number": "lei",
    "Vessel Registration Identification": "imo",
    "MMSI": "mmsi",
    "ISIN": "isin",
    "D-U-N-S Number": "duns",
    "BIK (RU)": "bik",
    "Driver's License No.": "driving_licence",
    "Travel Document Number": "travel_document",
    "Birth Certificate Number": "birth_certificate",
    "Seafarer's Identification Document": "seafarer_id",
    "Pilot License Number": "pilot_licence",
    "Cartilla de Servicio Militar Nacional": "military_id",
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_msn",
    "Aircraft Serial Identification": "aircraft_msn",
    "Aircraft Tail Number": "aircraft_registration",
    "Previous Aircraft Tail Number": "aircraft_registration",
    "Aircraft Mode S Transponder Code": "aircraft_mode_s",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "aircraft_construction_number",
}
REGISTRATION_COUNTRY = frozenset({"Nationality of Registration", "Registration Country"})
_LIST_CODE = re.compile(r"\(([^)]+)\)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_LEADING_AND = re.compile(r"^and(?:\s+|$)")
_IMO_PREFIX = re.compile(r"^IMO\s*")
# Columns kept in remarks as "label: value" (party data the model has no field for).
REMARK_COLUMNS: dict[str, str] = {
    "title": "title",
    "places_of_birth": "place of birth",
    "federal_register_notice": "Federal Register",
    "end_date": "end date",
    "vessel_type": "vessel type",
    "gross_tonnage": "gross tonnage",
    "gross_registered_tonnage": "gross registered tonnage",
    "vessel_flag": "vessel flag",
    "vessel_owner": "vessel owner",
}


def parse(path: Path) -> ParsedList:
    """One entry per published row; rows whose type cannot be interpreted go to quarantine."""
    entries: list[ListEntry] = []
    quarantine: list[Quarantined] = []
    seen: dict[str, int] = {}
    rows = read_csv(path, REQUIRED, "a Consolidated Screening List CSV", quarantine, id_column="_id")
    for row, raw in rows:
        _id, name, source = clean(row["_id"]), clean(row["name"]), clean(row["source"])
        if not (_id and name and source):
            quarantine.append(Quarantined("row lacks _id, name or source list", raw, _id))
            continue
        code = list_code(source)
        subject_type = _subject_type(clean(row["type"]), code, name)
        if subject_type is None:
            reason = f"unknown type {row['type']!r}" if clean(row["type"]) else f"untyped row of unknown list {source!r}"
            quarantine.append(Quarantined(reason, raw, _id))
            continue
        base = _id if code == SDN or not _id.isdigit() else f"{_id}-{code}"
        entries.append(_entry(unique_id(base, seen), subject_type, name, source, row))
    return ParsedList(entries, publisher_date=None, quarantine=quarantine)


def list_code(source: str) -> str:
    """`Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department` → `NS-MBS`."""
    match = _LIST_CODE.search(source)
    code = match.group(1) if match else source
    return code.removesuffix(" List").strip()


def _subject_type(value: str | None, code: str, name: str) -> SubjectType | None:
    if value is not None:
        return SUBJECT_TYPES.get(value)
    default = UNTYPED_DEFAULTS.get(code)
    if default == "person" and looks_like_organization(name):
        return "organization"
    return default


def _entry(source_id: str, subject_type: SubjectType, name: str, source: str, row: dict[str, str]) -> ListEntry:
    notes: list[str] = []
    names = [Name(name, "primary"), *embedded_names(name)]
    for alias in _split(row["alt_names"]):
        names.append(Name(alias, "aka"))
        names += [n for n in embedded_names(alias) if n.name_type != "variation"]
    identifiers, id_notes, id_countries = _ids(row["ids"])
    countries = [Country(c, "nationality") for c in _codes(row["nationalities"])]
    countries += [Country(c, "citizenship") for c in _codes(row["citizenships"])]
    countries += id_countries
    if flag := to_country(row.get("vessel_flag")):
        countries.append(Country(flag, "flag"))
    addresses = [_address(a) for a in _split(row["addresses"])]
    countries += [Country(a.country, "address") for a in addresses if a.country]
    for place in _split(row.get("places_of_birth")):
        if code := to_country(place.split(",")[-1]):
            countries.append(Country(code, "birth"))
    if call_sign := clean(row.get("call_sign")):
        identifiers.append(Identifier("call_sign", call_sign))
    notes += [f"{label}: {value}" for col, label in REMARK_COLUMNS.items() if (value := clean(row.get(col)))]
    birth_dates = parse_birth_dates(split_multi(row["dates_of_birth"]), notes)
    remarks = "; ".join(p for p in [clean(row.get("remarks")), *notes, *id_notes] if p) or None
    return ListEntry(
        source_id=source_id,
        subject_type=subject_type,
        primary_name=name,
        names=_dedupe(names),
        programs=[source, *(p for p in split_multi(row["programs"]) if p != source)],
        regime="US",
        listed_on=parse_date(row["start_date"]),
        remarks=remarks,
        birth_dates=birth_dates,
        countries=list(dict.fromkeys(countries)),
        identifiers=identifiers,
        addresses=addresses,
    )


def _split(value: str | None) -> list[str]:
    """`; `-joined values; the Entity List writes `…; and X` — the `and` is not part of X — and sometimes
    a bare `…; and` at the end, which is no name at all."""
    return [text for part in split_multi(value) if (text := clean(_LEADING_AND.sub("", part)))]


def _codes(value: str | None) -> list[str]:
    return [code for part in split_multi(value) if (code := to_country(part))]


def _address(text: str) -> Address:
    """`street, city, state, postal, CC`: only the country is reliably placed (streets hold commas)."""
    return Address(text, country=to_country(text.rsplit(",", 1)[-1]))


def _ids(value: str | None) -> tuple[list[Identifier], list[str], list[Country]]:
    """Identifiers from the `ids` column; informational items are returned as remark text."""
    identifiers: list[Identifier] = []
    notes: list[str] = []
    countries: list[Country] = []
    for item in split_multi(value):
        parts = [p.strip() for p in item.split(",")]
        if parts[-1] in ID_TYPES and len(parts) >= 2:  # CC, [issued, [expires,]] number, type
            label, rest = parts[-1], parts[:-1]
            country = rest.pop(0) if len(rest) >= 2 and _ISO2.match(rest[0]) else None
            while len(rest) >= 2 and _ISO_DATE.match(rest[0]):
                rest.pop(0)
        elif parts[0] in ID_TYPES and len(parts) >= 2:  # type, number, CC
            label, rest = parts[0], parts[1:]
            country = rest.pop() if len(rest) >= 2 and _ISO2.match(rest[-1]) else None
        else:
            notes.append(item)
            if parts[-1] in REGISTRATION_COUNTRY or parts[0] in REGISTRATION_COUNTRY:
                place = ", ".join(parts[:-1] if parts[-1] in REGISTRATION_COUNTRY else parts[1:])
                if code := to_country(place):
                    countries.append(Country(code, "registration"))
            continue
        number = ", ".join(rest)
        if ID_TYPES[label] == "imo":
            number = _IMO_PREFIX.sub("", number)
        identifiers.append(Identifier(ID_TYPES[label], number, to_country(country)))
    return identifiers, notes, countries


def _dedupe(names: list[Name]) -> list[Name]:
    unique: dict[tuple[str, str], Name] = {}
    for item in names:
        unique.setdefault((item.name, item.name_type), item)
    return list(unique.values())


SPEC = ListSpec(
    key="us_csl",
    title="US Consolidated Screening List (trade.gov)",
    regime="US",
    parse=parse,
    urls={"consolidated.csv": "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"},
    min_entries=5000,
    parser_version="1",
)
