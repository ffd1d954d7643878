"""OpenSanctions exports: FollowTheMoney JSON lines (`entities.ftm.json`) and `targets.simple.csv`.

OpenSanctions is an aggregator, not an authority, and its data is CC BY-NC 4.0 — so this source carries
a licence note and the default refresh never loads it; it serves benchmarks and cross-checks.

`parse(path)` takes either file (plain or `.gz`) or a folder holding one, and dispatches on the name.

FtM: an entry is an entity of a party schema (`SUBJECT_TYPES`) marked `target: true` (a missing flag
counts as a target). A party entity with `target: false` is context (an owner, a relative) and is
quarantined with that reason rather than dropped unseen. Non-party schemas in `CONTEXT_SCHEMAS`
(Address, Sanction, Ownership …) are not listed parties: Address entities fill in `addressEntity`
references, the rest is ignored. Any other schema is quarantined. `referents` are ignored.
Names: `name` (caption = primary) and `alias` strong aka, `weakAlias` weak aka, `previousName` fka.
listed_on = the earliest `createdAt` (the authority's listing date where OpenSanctions has it).

targets.simple.csv: `aliases` strong aka, `countries` (lower-case ISO-2) with role `country`,
`identifiers` untyped (id_type `other`), `sanctions` text and contacts to remarks, `dataset` → programs.
Its multi-value cells are `;`-joined CSV-style: a value holding `;` is double-quoted.

source_id = the export's `id`; regime `multi`; publisher_date = the latest `last_seen` (the export run).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lists.model import (
    Address,
    Country,
    Identifier,
    ListEntry,
    Name,
    NameType,
    ParsedList,
    Quality,
    Quarantined,
    SubjectType,
)
from lists.parsing import (
    ListFormatError,
    clean,
    locate_file,
    parse_birth_dates,
    parse_date,
    read_csv,
    read_text,
    to_country,
)
from lists.spec import ListSpec
from screening.scripts import detect_script

REGIME = "multi"
FTM_FILE, SIMPLE_FILE = "entities.ftm.json", "targets.simple.csv"
SIMPLE_COLUMNS = ("id", "schema", "name", "aliases", "birth_date", "countries", "addresses", "identifiers",
                  "sanctions", "dataset")

SUBJECT_TYPES: dict[str, SubjectType] = {
    "Person": "person",
    "Organization": "organization",
    "Company": "organization",
    "LegalEntity": "organization",
    "PublicBody": "organization",
    "Vessel": "vessel",
    "Airplane": "aircraft",
}
CONTEXT_SCHEMAS = frozenset({
    "Address", "Sanction", "Identification", "Passport", "Ownership", "Directorship", "Family", "Associate",
    "Membership", "Employment", "Representation", "Succession", "UnknownLink", "Occupancy", "Position",
    "Note", "Documentation", "Security", "BankAccount", "CryptoWallet", "Article", "Document", "Event",
})
# FtM name property → (name_type, quality)
NAME_PROPS: dict[str, tuple[NameType, Quality]] = {
    "name": ("aka", "strong"),
    "alias": ("aka", "strong"),
    "weakAlias": ("aka", "weak"),
    "previousName": ("fka", "strong"),
}
COUNTRY_PROPS: dict[str, str] = {
    "nationality": "nationality",
    "citizenship": "citizenship",
    "country": "country",
    "mainCountry": "country",
    "jurisdiction": "jurisdiction",
    "birthCountry": "birth",
    "flag": "flag",
}
ID_PROPS: dict[str, str] = {
    "idNumber": "national_id",
    "passportNumber": "passport",
    "taxNumber": "tax_id",
    "innCode": "tax_id",
    "vatCode": "tax_id",
    "registrationNumber": "registration",
    "ogrnCode": "registration",
    "okpoCode": "registration",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "callSign": "call_sign",
    "swiftBic": "swift",
    "leiCode": "lei",
    "dunsCode": "duns",
    "bikCode": "bik",
}


def parse(path: Path) -> ParsedList:
    """Dispatch on the file name: `*.json`/`*.jsonl` → FtM entities, `*.csv` → targets.simple.csv."""
    path = locate_file(path, "OpenSanctions", (FTM_FILE, SIMPLE_FILE))
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".json", ".jsonl", ".ndjson")):
        return parse_ftm(path)
    if name.endswith(".csv"):
        return parse_simple(path)
    raise ListFormatError(f"{path.name}: not an OpenSanctions export (expected {FTM_FILE} or {SIMPLE_FILE})")


# --- FollowTheMoney JSON lines -----------------------------------------------------------------


def parse_ftm(path: Path) -> ParsedList:
    quarantine: list[Quarantined] = []
    entities = list(_read_json_lines(read_text(path), quarantine))
    if not entities:
        raise ListFormatError(f"{path.name}: no FollowTheMoney entity (JSON object with id and schema) in the file")
    addresses = _address_index(entities)
    entries: list[ListEntry] = []
    for entity in entities:
        schema, raw = entity["schema"], json.dumps(entity, ensure_ascii=False)
        subject_type = SUBJECT_TYPES.get(schema)
        if subject_type is None:
            if schema not in CONTEXT_SCHEMAS:
                quarantine.append(Quarantined(f"unknown schema {schema!r}", raw, entity["id"]))
            continue
        if entity.get("target") is False:
            quarantine.append(Quarantined(f"{schema} is not a target (context entity)", raw, entity["id"]))
            continue
        entry = _ftm_entry(entity, subject_type, addresses)
        if entry is None:
            quarantine.append(Quarantined("entity has no name", raw, entity["id"]))
        else:
            entries.append(entry)
    return ParsedList(entries, publisher_date=_latest(e.get("last_seen") for e in entities), quarantine=quarantine)


def _read_json_lines(text: str, quarantine: list[Quarantined]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entity = json.loads(line)
        except json.JSONDecodeError as exc:
            quarantine.append(Quarantined(f"line {number} is not JSON: {exc.msg}", line))
            continue
        if not isinstance(entity, dict) or not entity.get("id") or not entity.get("schema"):
            quarantine.append(Quarantined(f"line {number} is no entity (needs id and schema)", line))
            continue
        entity.setdefault("properties", {})
        yield entity


def _address_index(entities: list[dict[str, Any]]) -> dict[str, Address]:
    """Address entities by id and by every referent id, to resolve `addressEntity` references."""
    index: dict[str, Address] = {}
    for entity in entities:
        if entity["schema"] != "Address":
            continue
        props = entity["properties"]
        text = _first(props, "full") or clean(entity.get("caption"))
        if not text:
            continue
        address = Address(text, city=_first(props, "city"), country=to_country(_first(props, "country")))
        for key in [entity["id"], *entity.get("referents", [])]:
            index[key] = address
    return index


def _ftm_entry(entity: dict[str, Any], subject_type: SubjectType, addresses: dict[str, Address]) -> ListEntry | None:
    props: dict[str, list[str]] = entity["properties"]
    primary = clean(entity.get("caption")) or _first(props, "name")
    if primary is None:
        return None
    names = [Name(primary, "primary", script=detect_script(primary))]
    for prop, (name_type, quality) in NAME_PROPS.items():
        for value in _values(props, prop):
            names.append(Name(value, name_type, quality, script=detect_script(value)))
    notes: list[str] = []
    countries = []
    for prop, role in COUNTRY_PROPS.items():
        for value in _values(props, prop):
            code = to_country(value)
            if code:
                countries.append(Country(code, role))
            else:
                notes.append(f"unrecognised {prop} {value!r}")
    identifiers = [Identifier(id_type, value) for prop, id_type in ID_PROPS.items() for value in _values(props, prop)]
    found = [Address(a) for a in _values(props, "address")]
    found += [addresses[ref] for ref in _values(props, "addressEntity") if ref in addresses]
    created = [d for d in (parse_date(v) for v in _values(props, "createdAt")) if d]
    birth_dates = parse_birth_dates(_values(props, "birthDate"), notes)  # ISO prefixes: 1971-01-22, 1971-01, 1971
    notes = _values(props, "notes") + [f"position: {p}" for p in _values(props, "position")] + notes
    return ListEntry(
        source_id=entity["id"],
        subject_type=subject_type,
        primary_name=primary,
        names=_dedupe(names),
        programs=list(dict.fromkeys(_values(props, "programId") + list(entity.get("datasets", [])))),
        regime=REGIME,
        listed_on=min(created) if created else None,
        remarks="; ".join(notes) or None,
        birth_dates=birth_dates,
        countries=list(dict.fromkeys(countries)),
        identifiers=list(dict.fromkeys(identifiers)),
        addresses=list(dict.fromkeys(found)),
    )


def _values(props: dict[str, list[str]], prop: str) -> list[str]:
    return [v for v in (clean(x) for x in props.get(prop, [])) if v]


def _first(props: dict[str, list[str]], prop: str) -> str | None:
    values = _values(props, prop)
    return values[0] if values else None


# --- targets.simple.csv ------------------------------------------------------------------------


def parse_simple(path: Path) -> ParsedList:
    entries: list[ListEntry] = []
    quarantine: list[Quarantined] = []
    last_seen: list[str | None] = []
    rows = read_csv(path, SIMPLE_COLUMNS, "an OpenSanctions targets.simple.csv", quarantine, id_column="id")
    for row, raw in rows:
        last_seen.append(row.get("last_seen"))
        source_id, name, schema = clean(row["id"]), clean(row["name"]), clean(row["schema"])
        subject_type = SUBJECT_TYPES.get(schema or "")
        if subject_type is None:
            quarantine.append(Quarantined(f"unknown schema {row['schema']!r}", raw, source_id))
        elif not (source_id and name):
            quarantine.append(Quarantined("row lacks id or name", raw, source_id))
        else:
            entries.append(_simple_entry(source_id, subject_type, name, row))
    return ParsedList(entries, publisher_date=_latest(last_seen), quarantine=quarantine)


def _simple_entry(source_id: str, subject_type: SubjectType, name: str, row: dict[str, str]) -> ListEntry:
    notes: list[str] = []
    countries = []
    for value in _multi(row["countries"]):
        code = to_country(value)
        if code:
            countries.append(Country(code, "country"))
        else:
            notes.append(f"unrecognised country {value!r}")
    birth_dates = parse_birth_dates(_multi(row["birth_date"]), notes)
    remarks = _multi(row["sanctions"]) + [f"{col}: {', '.join(v)}" for col in ("phones", "emails")
                                          if (v := _multi(row.get(col)))]
    return ListEntry(
        source_id=source_id,
        subject_type=subject_type,
        primary_name=name,
        names=_dedupe([Name(name, "primary", script=detect_script(name))]
                      + [Name(a, "aka", script=detect_script(a)) for a in _multi(row["aliases"])]),
        programs=_multi(row["dataset"]),
        regime=REGIME,
        remarks="; ".join(r for r in remarks + notes if r) or None,
        birth_dates=birth_dates,
        countries=countries,
        identifiers=[Identifier("other", i) for i in _multi(row["identifiers"])],
        addresses=[Address(a) for a in _multi(row["addresses"])],
    )


def _multi(value: str | None) -> list[str]:
    """A multi-value cell: values `;`-joined CSV-style, so a value holding `;` is double-quoted."""
    if not value:
        return []
    cells = next(csv.reader(io.StringIO(value), delimiter=";"), [])
    return [v for v in (clean(c) for c in cells) if v]


# --- shared by both formats --------------------------------------------------------------------


def _latest(values: Iterator[str | None] | list[str | None]) -> dt.date | None:
    dates = [d for d in (parse_date(v) for v in values) if d]
    return max(dates) if dates else None


def _dedupe(names: list[Name]) -> list[Name]:
    """One Name per (text, type); the primary's text is not repeated as an aka."""
    unique: dict[str, Name] = {}
    for item in names:
        unique.setdefault(item.name, item)
    return list(unique.values())


SPEC = ListSpec(
    key="opensanctions",
    title="OpenSanctions export (FtM entities or targets.simple.csv)",
    regime=REGIME,
    parse=parse,
    urls={SIMPLE_FILE: "https://data.opensanctions.org/datasets/latest/sanctions/targets.simple.csv"},
    min_entries=1,
    max_publication_days=7,  # a daily export: the date is its latest run
    parser_version="1",
    licence="CC BY-NC 4.0 (non-commercial use only; commercial use needs an OpenSanctions licence)",
)
