"""OFAC Specially Designated Nationals list, legacy CSV set (SOURCES.md §4.1).

A version folder holds `sdn.csv` (one row per listed party) and, optionally, `add.csv` (addresses),
`alt.csv` (strong aliases) and `sdn_comments.csv` (the rest of Remarks cut at 1,000 characters). No
header row, `-0- ` as null, CRLF or LF, a trailing 0x1A byte. Everything else the authority knows about
a party — dates of birth, nationality, documents, weak `a.k.a. 'X'` aliases, vessel IMO numbers — is
free text in Remarks, so most of this module is a Remarks reader.

The Consolidated (non-SDN) list uses the same four layouts under other file names; `us_ofac_cons`
calls `parse_csv_set` with its own `CsvFiles`, and shares `ID_TYPES` / `identifier_for` /
`birth_country` with the Enhanced XML reader there.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lists.model import Address, Country, Identifier, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import clean, find_file, parse_birth_date, read_text, to_country
from lists.sources._script import detect_script
from lists.spec import ListSpec

REGIME = "US"
# OFAC's Sanctions List Service: where the SDN and Consolidated files are published.
SLS_EXPORTS = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports"

# Column layouts of the legacy CSV files (they have no header row).
PRIM_COLUMNS = ("ent_num", "name", "sdn_type", "program", "title", "call_sign", "vess_type",
                "tonnage", "grt", "vess_flag", "vess_owner", "remarks")
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city", "country", "add_remarks")
COMMENT_COLUMNS = ("ent_num", "remarks")

REMARKS_CUT = 1000  # OFAC cuts Remarks at this length and continues them in the comments file

# SDN_Type -> subject type; the null marker `-0-` (None after cleaning) means an organisation.
SUBJECT_TYPES: dict[str | None, str] = {
    None: "organization",
    "individual": "person",
    "vessel": "vessel",
    "aircraft": "aircraft",
}

# alt.csv alt_type -> name type (strong aliases).
ALT_TYPES: dict[str, str] = {"aka": "aka", "fka": "fka", "nka": "nka"}

# Quoted aliases inside Remarks -> name type (OFAC's weak / low-quality aliases).
REMARK_ALIAS_TYPES: dict[str, str] = {"a.k.a.": "aka", "f.k.a.": "fka", "n.k.a.": "nka"}

# Remarks prefixes that link a country to the party -> country role.
REMARK_COUNTRY_ROLES: dict[str, str] = {
    "nationality": "nationality",
    "citizen": "citizenship",
    "Nationality of Registration": "jurisdiction",
    "Other Vessel Flag": "flag",
}

# Country values that say "no country" in so many words; not worth a quarantine note.
NO_COUNTRY = frozenset({"undetermined", "none identified"})

# `Region: X` country values that countrynames does not know -> ISO-2. Disputed areas OFAC names
# without a country (Kafia Kingi, the CIS) are deliberately absent and end up in quarantine notes.
REGION_COUNTRIES: dict[str, str] = {"gaza": "PS"}

# Document / identifier labels, as written in Remarks ("Passport 123 (Iran)") and as the Enhanced
# XML's ID DOCUMENT TYPE values -> id_type. Labels not listed here stay plain remarks text (CSV) or
# go to quarantine (XML, where the type is a closed code list).
ID_TYPES: dict[str, str] = {
    # travel documents
    "Passport": "passport",
    "Passport Booklet": "passport",
    "Diplomatic Passport": "passport",
    "British National Overseas Passport": "passport",
    "Stateless Person Passport": "passport",
    "Travel Document Number": "travel_document",
    "Seafarer's Identification Document": "seafarer_id",
    # personal identity numbers and cards
    "National ID No.": "national_id",
    "Cedula No.": "national_id",
    "D.N.I.": "national_id",
    "C.U.R.P.": "national_id",
    "C.U.R.P. #": "national_id",
    "C.U.I.": "national_id",
    "C.I.N.": "national_id",
    "N.I.E.": "national_id",
    "LE Number": "national_id",
    "Personal ID Card": "national_id",
    "Kenyan ID No.": "national_id",
    "Moroccan Personal ID No.": "national_id",
    "Bosnian Personal ID No.": "national_id",
    "Turkish Identification Number": "national_id",
    "Tazkira National ID Card": "national_id",
    "Citizen's Card Number": "national_id",
    "Numero de Identidad": "national_id",
    "CNP (Personal Numerical Code)": "national_id",
    "National Foreign ID Number": "national_id",
    "UAE Identification": "national_id",
    "Stateless Person ID Card": "national_id",
    "Refugee ID Card": "national_id",
    "Public Security and Immigration No.": "national_id",
    "SSN": "ssn",
    "Birth Certificate Number": "birth_certificate",
    "Driver's License No.": "drivers_license",
    "Pilot License Number": "pilot_license",
    "Electoral Registry No.": "voter_id",
    "Credencial electoral": "voter_id",
    "I.F.E.": "voter_id",
    "Cartilla de Servicio Militar Nacional": "military_id",
    "Military Registration Number": "military_id",
    "C.U.I.P.": "police_id",
    "Residency Number": "residence_permit",
    "Romanian Permanent Resident": "residence_permit",
    "Romanian Permanent Resident CAN": "residence_permit",
    "VisaNumberID": "visa",
    "SRE Permit No.": "permit",
    "Permit Number": "permit",
    "Immigration No.": "immigration",
    "File Number": "file_number",
    # tax numbers
    "Tax ID No.": "tax_id",
    "R.F.C.": "tax_id",
    "R.F.C. #": "tax_id",
    "RFC": "tax_id",
    "NIT #": "tax_id",
    "RUC #": "tax_id",
    "RIF #": "tax_id",
    "RTN": "tax_id",
    "RSIN": "tax_id",
    "V.A.T. Number": "tax_id",
    "C.U.I.T.": "tax_id",
    "C.I.F.": "tax_id",
    "N.I.F.": "tax_id",
    "US FEIN": "tax_id",
    "Fiscal Code": "tax_id",
    "Italian Fiscal Code": "tax_id",
    "Romanian Tax Registration": "tax_id",
    "Paraguayan tax identification number": "tax_id",
    "Numero Unico de Identificacao Tributaria (NUIT)": "tax_id",
    # company / organisation registers and licences
    "Registration Number": "registration",
    "Registration ID": "registration",
    "Business Registration Number": "registration",
    "Business Registration Document #": "registration",
    "Business Number": "registration",
    "Commercial Registry Number": "registration",
    "Company Number": "registration",
    "UK Company Number": "registration",
    "Government Gazette Number": "registration",
    "Folio Mercantil No.": "registration",
    "Matricula Mercantil No": "registration",
    "C.R. No.": "registration",
    "Romanian C.R.": "registration",
    "Central Registration System Number": "registration",
    "Chamber of Commerce Number": "registration",
    "Istanbul Chamber of Comm. No.": "registration",
    "Dubai Chamber of Commerce Membership No.": "registration",
    "Registration Certificate Number (Dubai)": "registration",
    "Enterprise Number": "registration",
    "Branch Unit Number": "registration",
    "Economic Register Number (CBLS)": "registration",
    "Certificate of Incorporation Number": "registration",
    "Public Registration Number": "registration",
    "Organization Code": "registration",
    "Registered Charity No.": "registration",
    "Trade License No.": "registration",
    "Tourism License No.": "registration",
    "License": "registration",
    "MSB Registration Number": "registration",
    "Afghan Money Service Provider License Number": "registration",
    "Unified Social Credit Code (USCC)": "registration",
    "United Social Credit Code Certificate (USCCC)": "registration",
    "Russian State Individual Business Registration Number Pattern (OGRNIP)": "registration",
    "Global Intermediary Identification Number": "giin",
    "Legal Entity Number": "lei",
    "SWIFT/BIC": "swift",
    "BIK (RU)": "bik",
    "D-U-N-S Number": "duns",
    "ISIN": "isin",
    "Trademark number": "trademark",
    "Chinese Commercial Code": "chinese_commercial_code",
    # vessels and aircraft
    "Vessel Registration Identification": "vessel_registration",
    "International Maritime Organization No.": "imo",
    "MMSI": "mmsi",
    "Other Vessel Call Sign": "call_sign",
    "Aircraft Serial Identification": "aircraft_serial",
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_serial",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "aircraft_serial",
    "Aircraft Tail Number": "aircraft_tail_number",
    "Previous Aircraft Tail Number": "aircraft_tail_number",
    "Aircraft Mode S Transponder Code": "aircraft_mode_s",
    "Serial No.": "serial_number",
    # generic: a person's identity number, an organisation's register number (see identifier_for)
    "Identification Number": "identification",
}

_ALT = r"(?:alt\.\s+)?"
_ID_LABEL = re.compile(
    rf"^{_ALT}(?P<label>"
    + "|".join(re.escape(label) for label in sorted(ID_TYPES, key=len, reverse=True))
    + r"):?\s+(?P<rest>\S.*)$"
)
_ID_DATES = re.compile(r"\s+(?:issued|expires)\b.*$", re.I)
_TRAILING_PAREN = re.compile(r"^(?P<body>.*?)\s*\((?P<paren>[^()]*)\)$")
_IMO = re.compile(r"^\(?IMO\s*(?P<num>\d{6,7})\)?$")
_BARE_NUMBER_PAREN = re.compile(r"^\((?P<num>[^()]+)\)$")
_REMARK_ALIAS = re.compile(r"^(?P<kind>[afn]\.k\.a\.),?\s+'(?P<name>.+)'$")
_DOB = re.compile(rf"^{_ALT}DOB:?\s+(?P<value>.+)$")
_POB = re.compile(rf"^{_ALT}POB:?\s+(?P<value>.+)$", re.I)
_COUNTRY_REMARK = re.compile(
    rf"^{_ALT}(?P<label>" + "|".join(sorted(REMARK_COUNTRY_ROLES, key=len, reverse=True)) + r"):?\s+(?P<value>.+)$"
)
_CRYPTO = re.compile(rf"^{_ALT}Digital Currency Address - (?P<currency>\S+)\s+(?P<address>\S+)$")
_PROGRAM_SEP = re.compile(r"\]\s*\[")


@dataclass(frozen=True)
class CsvFiles:
    """File names of one OFAC legacy CSV set; SDN and Consolidated share the four column layouts."""

    prim: str
    add: str
    alt: str
    comments: str


SDN_FILES = CsvFiles(prim="sdn.csv", add="add.csv", alt="alt.csv", comments="sdn_comments.csv")


def parse(path: Path) -> ParsedList:
    """Parse an SDN version folder (sdn.csv plus optional add / alt / sdn_comments)."""
    return parse_csv_set(path, SDN_FILES)


def parse_csv_set(folder: Path, files: CsvFiles) -> ParsedList:
    """Parse one OFAC legacy CSV set: primary rows, remarks continuations, aliases, addresses.

    The legacy CSV carries no publication date, so `publisher_date` is None.
    """
    if not folder.is_dir():
        raise ValueError(f"{folder}: expected a version folder holding {files.prim}")
    prim_path = find_file(folder, files.prim)
    if prim_path is None:
        raise ValueError(f"{folder}: {files.prim} is missing")
    quarantine: list[Quarantined] = []
    prim_rows = list(_read_rows(prim_path, PRIM_COLUMNS, quarantine))
    continuations = _read_continuations(folder, files, prim_rows, quarantine)
    entries: dict[str, ListEntry] = {}
    for row, raw in prim_rows:
        ent_num = row["ent_num"]
        if ent_num in entries:
            quarantine.append(Quarantined(f"duplicate ent_num {ent_num} in {files.prim}", raw, ent_num))
            continue
        entry = _entry_from_row(row, raw, continuations.get(ent_num), files, quarantine)
        if entry is not None:
            entries[ent_num] = entry
    for file_name, columns, add in ((files.alt, ALT_COLUMNS, _add_alias), (files.add, ADD_COLUMNS, _add_address)):
        path = find_file(folder, file_name)
        for row, raw in _read_rows(path, columns, quarantine) if path is not None else ():
            entry = entries.get(row["ent_num"])
            if entry is None:
                reason = f"{file_name}: ent_num {row['ent_num']} is not a listed entry"
                quarantine.append(Quarantined(reason, raw, row["ent_num"]))
            else:
                add(entry, row, raw, file_name, quarantine)
    return ParsedList(entries=list(entries.values()), publisher_date=None, quarantine=quarantine)


# --- reading ------------------------------------------------------------------------------------


def _read_rows(
    path: Path, columns: tuple[str, ...], quarantine: list[Quarantined]
) -> Iterator[tuple[dict[str, str], str]]:
    """The rows of one header-less OFAC CSV as dicts, with the raw row for quarantine notes.

    A first row of the wrong width means the file is not this layout at all (ValueError); a later
    row of the wrong width, or one without a numeric ent_num, is quarantined.
    """
    text = read_text(path)
    first = True
    for fields in csv.reader(io.StringIO(text, newline="")):
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue
        raw = ",".join(fields)
        if len(fields) != len(columns):
            if first:
                raise ValueError(
                    f"{path.name}: expected {len(columns)} columns ({', '.join(columns)}), got {len(fields)} "
                    f"in the first row — not an OFAC legacy CSV file"
                )
            quarantine.append(Quarantined(f"{path.name}: expected {len(columns)} columns, got {len(fields)}", raw))
            continue
        first = False
        row = dict(zip(columns, fields, strict=True))
        ent_num = (row["ent_num"] or "").strip()
        if not ent_num.isdigit():
            quarantine.append(Quarantined(f"{path.name}: ent_num {ent_num!r} is not a number", raw))
            continue
        row["ent_num"] = ent_num
        yield row, raw


def _read_continuations(
    folder: Path, files: CsvFiles, prim_rows: list[tuple[dict[str, str], str]], quarantine: list[Quarantined]
) -> dict[str, str]:
    """ent_num -> remarks continuation text, for entries whose Remarks were cut at 1,000 characters.

    Rows for ent_nums not in the primary file, or for entries whose Remarks are not cut (a comments
    file older or newer than the primary file), are quarantined rather than glued onto the wrong text.
    """
    path = find_file(folder, files.comments)
    if path is None:
        return {}
    remark_lengths = {row["ent_num"]: len(row["remarks"]) for row, _ in prim_rows}
    continuations: dict[str, str] = {}
    for row, raw in _read_rows(path, COMMENT_COLUMNS, quarantine):
        ent_num = row["ent_num"]
        if ent_num not in remark_lengths:
            quarantine.append(Quarantined(f"{files.comments}: ent_num {ent_num} is not in {files.prim}", raw, ent_num))
        elif remark_lengths[ent_num] < REMARKS_CUT:
            quarantine.append(Quarantined(
                f"{files.comments}: remarks of {ent_num} are not cut at {REMARKS_CUT} characters; "
                "continuation not applied",
                raw, ent_num))
        else:
            continuations[ent_num] = continuations.get(ent_num, "") + row["remarks"]
    return continuations


# --- primary rows -------------------------------------------------------------------------------


def _entry_from_row(
    row: dict[str, str], raw: str, continuation: str | None, files: CsvFiles, quarantine: list[Quarantined]
) -> ListEntry | None:
    ent_num = row["ent_num"]
    sdn_type = clean(row["sdn_type"])
    subject_type = SUBJECT_TYPES.get(sdn_type.lower() if sdn_type else None)
    if subject_type is None:
        quarantine.append(Quarantined(f"unknown SDN_Type {sdn_type!r}", raw, ent_num))
        return None
    primary = clean(row["name"])
    if primary is None:
        quarantine.append(Quarantined("entry without a name", raw, ent_num))
        return None
    remarks_raw = row["remarks"]
    if continuation is not None:
        remarks_raw += continuation
    elif len(remarks_raw) >= REMARKS_CUT:
        quarantine.append(Quarantined(
            f"remarks cut at {REMARKS_CUT} characters and no continuation in {files.comments}; "
            "entry kept with the cut text",
            remarks_raw[-120:], ent_num))
    entry = ListEntry(
        source_id=ent_num,
        subject_type=subject_type,  # type: ignore[arg-type]
        primary_name=primary,
        names=[Name(primary, "primary", "strong", detect_script(primary))],
        programs=parse_programs(row["program"]),
        regime=REGIME,
        remarks=clean(remarks_raw),
    )
    flag = clean(row["vess_flag"])
    if flag is not None:
        add_country_text(entry, flag, "flag", quarantine)
    call_sign = clean(row["call_sign"])
    if call_sign is not None:
        add_identifier(entry, Identifier("call_sign", call_sign))
    if entry.remarks:
        apply_remarks(entry, entry.remarks, quarantine)
    return entry


def parse_programs(value: str | None) -> list[str]:
    """`SDNTK] [FTO] [SDGT` (outer brackets stripped by OFAC) -> ["SDNTK", "FTO", "SDGT"]."""
    text = clean(value)
    if text is None:
        return []
    return [p for p in (clean(part.strip("[]")) for part in _PROGRAM_SEP.split(text)) if p]


# --- remarks ------------------------------------------------------------------------------------


def apply_remarks(entry: ListEntry, remarks: str, quarantine: list[Quarantined]) -> None:
    """Read the `; `-separated facts of a Remarks text into the entry (the text itself stays in remarks)."""
    text = remarks[:-1] if remarks.endswith(".") else remarks
    for part in (p.strip() for p in text.split(";")):
        if part:
            _apply_remark(entry, part, quarantine)


def _apply_remark(entry: ListEntry, part: str, quarantine: list[Quarantined]) -> None:
    if re.match(r"^[afn]\.k\.a\.", part):
        m = _REMARK_ALIAS.match(part)
        if m is None:
            quarantine.append(Quarantined("unreadable quoted alias in remarks (cut remarks?)", part, entry.source_id))
            return
        name = m.group("name").strip()
        name_type = REMARK_ALIAS_TYPES[m.group("kind")]
        entry.names.append(Name(name, name_type, "weak", detect_script(name)))  # type: ignore[arg-type]
        return
    if m := _DOB.match(part):
        birth_date = parse_birth_date(m.group("value"))  # also `01 Jan 1961 to 31 Dec 1963`
        if birth_date is None:
            quarantine.append(Quarantined("unreadable date of birth", part, entry.source_id))
        elif birth_date not in entry.birth_dates:
            entry.birth_dates.append(birth_date)
        return
    if m := _POB.match(part):
        code = birth_country(m.group("value"))
        if code is not None:
            add_country(entry, code, "birth")
        return
    if m := _COUNTRY_REMARK.match(part):
        add_country_text(entry, m.group("value"), REMARK_COUNTRY_ROLES[m.group("label")], quarantine, part)
        return
    if m := _CRYPTO.match(part):
        add_identifier(entry, Identifier("crypto_wallet", m.group("address")))
        return
    if m := _ID_LABEL.match(part):
        identifier = identifier_for(m.group("label"), m.group("rest"), None, entry.subject_type)
        if identifier is not None:
            add_identifier(entry, identifier)


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


# --- aliases and addresses ----------------------------------------------------------------------


def _add_alias(entry: ListEntry, row: dict[str, str], raw: str, file_name: str, quarantine: list[Quarantined]) -> None:
    ent_num = row["ent_num"]
    alt_type = clean(row["alt_type"])
    name_type = ALT_TYPES.get(alt_type.lower()) if alt_type else None
    if name_type is None:
        quarantine.append(Quarantined(f"{file_name}: unknown alt_type {alt_type!r}", raw, ent_num))
        return
    name = clean(row["alt_name"])
    if name is None:
        quarantine.append(Quarantined(f"{file_name}: alias row without a name", raw, ent_num))
        return
    entry.names.append(Name(name, name_type, "strong", detect_script(name)))  # type: ignore[arg-type]


def _add_address(entry: ListEntry, row: dict[str, str], raw: str, file_name: str,
                 quarantine: list[Quarantined]) -> None:
    street, city, country_text = clean(row["address"]), clean(row["city"]), clean(row["country"])
    parts = [p for p in (street, city, country_text) if p]
    if not parts:
        return  # OFAC writes an all-null address row for every entry without an address
    code = add_country_text(entry, country_text, "address", quarantine, raw) if country_text else None
    address = Address(", ".join(parts), city, code)
    if address not in entry.addresses:
        entry.addresses.append(address)


# --- small helpers ------------------------------------------------------------------------------


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


SPEC = ListSpec(
    key="us_ofac_sdn",
    title="OFAC Specially Designated Nationals and Blocked Persons List (SDN)",
    regime=REGIME,
    parse=parse,
    urls={
        "sdn.csv": f"{SLS_EXPORTS}/SDN.CSV",
        "add.csv": f"{SLS_EXPORTS}/ADD.CSV",
        "alt.csv": f"{SLS_EXPORTS}/ALT.CSV",
        "sdn_comments.csv": f"{SLS_EXPORTS}/SDN_COMMENTS.CSV",
    },
    optional_files=frozenset({"add.csv", "alt.csv", "sdn_comments.csv"}),
    min_entries=5000,
    mandatory=True,
    parser_version="1",
)
