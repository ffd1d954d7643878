"""China's countermeasure, unreliable-entity and export-control lists: a curated CSV (manual list).

China publishes notices, not files, so compliance keeps a CSV in the layout of OpenSanctions'
transcription (`datasets/cn/sanctions/sanctions.csv`): one row per designation — a party named in one
notice. The same party on several notices is several rows and so several entries.

- source_id: `<party>-<designation>`; party = the Wikidata QID when the row has one, else 12 hex of a
  hash of the normalised type + name; designation = 8 hex of a hash of List + Date + Source URL (one
  notice). A row repeated verbatim gets `-2`, `-3` … in file order.
- Type `Company` / `Organization` (`organisation`) → organization, `Person` → person; other values are
  quarantined.
- `Chinese name` is an original-script name (lang zh, script Hant when the characters are Traditional,
  else Hans — the notices are written in Simplified); `Alias` is `;`-separated.
- programs = the `List` column (a notice without a named list gives none; its issuing Body is in remarks).
- `Date` / `End date` are dd.mm.yyyy, some rows dd.mm.yy. An end date is kept in remarks (the row stays:
  dropping it is the compliance team's edit to make).
- publisher_date None: the file has no publication date, and the latest designation date says when
  China last acted, not when the transcription was made.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from lists.model import Address, Country, ListEntry, Name, ParsedList, Quarantined, SubjectType
from lists.parsing import clean, parse_date, read_csv, split_multi, to_country, unique_id
from lists.spec import ListSpec
from screening.scripts import detect_script

REQUIRED = ("Type", "QID", "Name", "Alias", "Chinese name", "Country", "List", "Date")
SUBJECT_TYPES: dict[str, SubjectType] = {
    "company": "organization",
    "organization": "organization",
    "organisation": "organization",
    "person": "person",
}


def parse(path: Path) -> ParsedList:
    """One entry per designation row; a row of unknown type or without any name is quarantined."""
    entries: list[ListEntry] = []
    quarantine: list[Quarantined] = []
    seen: dict[str, int] = {}
    for row, raw in read_csv(path, REQUIRED, "a China sanctions CSV", quarantine):
        kind = clean(row["Type"])
        subject_type = SUBJECT_TYPES.get((kind or "").casefold())
        if subject_type is None:
            quarantine.append(Quarantined(f"unknown Type {row['Type']!r}", raw))
            continue
        name, chinese = clean(row["Name"]), clean(row["Chinese name"])
        if not (name or chinese):
            quarantine.append(Quarantined("row has neither Name nor Chinese name", raw))
            continue
        entries.append(_entry(unique_id(designation_key(row), seen), subject_type, row))
    return ParsedList(entries, publisher_date=None, quarantine=quarantine)


def designation_key(row: dict[str, str]) -> str:
    """`<QID or hash of type+name>-<hash of list+date+notice URL>`: stable while the row is unchanged."""
    party = clean(row["QID"]) or _digest(row["Type"], row["Name"] or row["Chinese name"])[:12]
    date = parse_date(row["Date"])
    notice = _digest(row["List"], date.isoformat() if date else row["Date"], row.get("Source URL"))[:8]
    return f"{party}-{notice}"


def _digest(*parts: str | None) -> str:
    blob = "|".join((clean(p) or "").casefold() for p in parts)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _entry(source_id: str, subject_type: SubjectType, row: dict[str, str]) -> ListEntry:
    name, chinese = clean(row["Name"]), clean(row["Chinese name"])
    notes: list[str] = []
    names: list[Name] = []
    if chinese:
        names.append(Name(chinese, "original_script", script=_script(chinese), lang="zh"))
    names += [Name(alias, "aka", script=_script(alias)) for alias in split_multi(row["Alias"])]
    country = to_country(row["Country"])
    if row["Country"] and country is None:
        notes.append(f"unrecognised country {row['Country']!r}")
    listed_on = _date(row, "Date", notes)
    if end := _date(row, "End date", notes):
        notes.append(f"designation ends {end.isoformat()}")
    address = clean(row.get("Address"))
    labelled = (("Summary", None), ("Chinese summary", None), ("Body", "issued by"), ("Topics", "topics"),
                ("Source URL", "source"))
    remarks = [f"{label}: {v}" if label else v for col, label in labelled if (v := clean(row.get(col)))]
    primary = name or chinese or ""
    return ListEntry(
        source_id=source_id,
        subject_type=subject_type,
        primary_name=primary,
        names=[Name(primary, "primary", script=_script(primary), lang="zh" if primary == chinese else None),
               *(n for n in names if n.name != primary)],
        programs=[p for p in [clean(row["List"])] if p],
        regime="CN",
        listed_on=listed_on,
        remarks="; ".join(remarks + notes) or None,
        countries=[Country(country, "country")] if country else [],
        addresses=[Address(address, country=country)] if address else [],
    )


def _script(text: str) -> str | None:
    """Han text whose characters read the same in both forms is Simplified here: China's notices are."""
    script = detect_script(text)
    return "Hans" if script == "Hani" else script


def _date(row: dict[str, str], column: str, notes: list[str]) -> dt.date | None:
    raw = clean(row.get(column))
    if raw is None:
        return None
    value = parse_date(raw)
    if value is None:
        notes.append(f"{column} {raw!r} is not a valid date (treated as unknown)")
    return value


SPEC = ListSpec(
    key="cn_sanctions",
    title="China countermeasure, unreliable-entity and export-control lists (curated CSV)",
    regime="CN",
    parse=parse,
    # China publishes no file: this is OpenSanctions' transcription of the MFA / MOFCOM / TAO notices,
    # the starting point of the manually maintained list.
    urls={"sanctions.csv": "https://raw.githubusercontent.com/opensanctions/opensanctions/main/datasets/cn/sanctions/sanctions.csv"},
    min_entries=100,
    mandatory=True,
    # Compliance maintains it from the official notices; an online refresh never replaces it with the
    # third-party transcription unless asked (`screening lists refresh --include-manual`).
    manual=True,
    parser_version="1",
)
