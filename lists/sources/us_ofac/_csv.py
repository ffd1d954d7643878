"""OFAC's legacy CSV set: one row per party (`sdn.csv` / `cons_prim.csv`) and, optionally, addresses,
strong aliases and Remarks continuations (the Remarks are cut at 1,000 characters). No header row, `-0- `
as null, CRLF or LF, a trailing 0x1A byte. The SDN and Consolidated lists use the same four layouts under
other file names (`CsvFiles`)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lists.model import Address, Identifier, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import ListFormatError, clean, find_file, read_text
from lists.sources.us_ofac import REGIME
from lists.sources.us_ofac._fields import add_country_text, add_identifier
from lists.sources.us_ofac._remarks import apply_remarks
from lists.sources.us_ofac.lookups import ALT_TYPES, SUBJECT_TYPES
from screening.scripts import detect_script

# Column layouts of the legacy CSV files (they have no header row).
PRIM_COLUMNS = ("ent_num", "name", "sdn_type", "program", "title", "call_sign", "vess_type",
                "tonnage", "grt", "vess_flag", "vess_owner", "remarks")
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
ADD_COLUMNS = ("ent_num", "add_num", "address", "city", "country", "add_remarks")
COMMENT_COLUMNS = ("ent_num", "remarks")

REMARKS_CUT = 1000  # OFAC cuts Remarks at this length and continues them in the comments file

_PROGRAM_SEP = re.compile(r"\]\s*\[")


@dataclass(frozen=True)
class CsvFiles:
    """File names of one OFAC legacy CSV set; SDN and Consolidated share the four column layouts."""

    prim: str
    add: str
    alt: str
    comments: str


def parse_csv_set(folder: Path, files: CsvFiles) -> ParsedList:
    """Parse one OFAC legacy CSV set: primary rows, remarks continuations, aliases, addresses.

    The legacy CSV carries no publication date, so `publisher_date` is None.
    """
    if not folder.is_dir():
        raise ListFormatError(f"{folder}: expected a version folder holding {files.prim}")
    prim_path = find_file(folder, files.prim)
    if prim_path is None:
        raise ListFormatError(f"{folder}: {files.prim} is missing")
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

    A first row of the wrong width means the file is not this layout at all (ListFormatError); a later
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
                raise ListFormatError(
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
