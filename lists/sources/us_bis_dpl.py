"""BIS Denied Persons List (`dpl.txt`): tab-separated, every field double-quoted, one row per address.

The file has no identifier, no aliases, no dates of birth and no subject type. So:

- source_id is a stable hash of the normalised name + address (16 hex of sha256); two identical rows
  (the file has some) get `-2`, `-3` … in file order, so every published row stays one entry.
- subject type: the list is mostly individuals; a row is an organization when its name carries a legal
  form or an unmistakable business word (`INC`, `LTD`, `GMBH`, `AIRLINES`, `TRADING` …), otherwise a
  person. A heuristic, stated as such: a firm without such a word is typed person.
- names written with an embedded alias (`FUYI SUN A/K/A FRANK SUN`, `PEARL (A.K.A. NEI-CHIEN CHU) LI`)
  keep the published name as primary, add the bare name as a variation and the rest as aka names.
- the country column is often empty for US addresses that carry a US state (once the state code sits
  in Country: `NM`); those get US. `PRC` is CN. An impossible date (the 2023-11-30 file has Last_Update
  `3033-09-30` and twice `1023-11-01`) is treated as unknown and named in remarks.

`looks_like_organization` and `embedded_names` (lists/parsing.py) are shared with us_csl, whose untyped
Commerce/State rows have the same problems.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from lists.model import Address, Country, ListEntry, Name, ParsedList, Quarantined
from lists.parsing import clean, embedded_names, looks_like_organization, parse_date, read_csv, to_country, unique_id
from lists.spec import ListSpec

PROGRAM = "Denied Persons List (DPL) - Bureau of Industry and Security"
COLUMNS = ("Name", "Street_Address", "City", "State", "Country", "Postal_Code", "Effective_Date",
           "Expiration_Date", "Standard_Order", "Last_Update", "Action", "FR_Citation")

# US states and territories: a DPL row with an empty country and one of these in State is in the US.
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split()
)
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def parse(path: Path) -> ParsedList:
    """Every published row becomes one entry; a row that cannot be read goes to quarantine."""
    entries: list[ListEntry] = []
    quarantine: list[Quarantined] = []
    seen: dict[str, int] = {}
    for published, raw in read_csv(path, COLUMNS, "a Denied Persons List file", quarantine, delimiter="\t"):
        row = {h: clean(v) for h, v in published.items()}
        if row["Name"] is None:
            quarantine.append(Quarantined("row has no name", raw))
            continue
        entries.append(_entry(unique_id(row_key(row), seen), row))
    return ParsedList(entries, publisher_date=None, quarantine=quarantine)


def row_key(row: dict[str, str | None]) -> str:
    """Stable id of a row: hash of its normalised name and address (case and spacing do not count)."""
    parts = (clean(row.get(c)) or "" for c in ("Name", "Street_Address", "City", "State", "Country", "Postal_Code"))
    blob = "|".join(p.casefold() for p in parts)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _entry(source_id: str, row: dict[str, str | None]) -> ListEntry:
    name = row["Name"] or ""
    notes: list[str] = []
    country = _country(row, notes)
    address_text = ", ".join(v for v in (row[c] for c in ("Street_Address", "City", "State", "Postal_Code",
                                                           "Country")) if v)
    addresses = [Address(address_text, city=row["City"], country=country)] if address_text else []
    listed_on = _date(row, "Effective_Date", ("%m/%d/%Y",), notes)
    _date(row, "Expiration_Date", ("%m/%d/%Y",), notes)
    _date(row, "Last_Update", ("%Y-%m-%d",), notes)
    return ListEntry(
        source_id=source_id,
        subject_type="organization" if looks_like_organization(name) else "person",
        primary_name=name,
        names=[Name(name, "primary"), *embedded_names(name)],
        programs=[PROGRAM],
        regime="US",
        listed_on=listed_on,
        remarks=_remarks(row, notes),
        countries=[Country(country, "address")] if country else [],
        addresses=addresses,
    )


def _country(row: dict[str, str | None], notes: list[str]) -> str | None:
    """The address country; a US state in State (or misplaced in Country) with no country means US."""
    raw = row["Country"]
    code = to_country(raw)
    if code:
        return code
    state = raw or row["State"]  # an unrecognised Country may itself be a state code ("NM")
    if state and state.upper() in US_STATES:
        return "US"
    if raw:
        notes.append(f"unrecognised country {raw!r}")
    return None


def _date(row: dict[str, str | None], column: str, formats: tuple[str, ...], notes: list[str]) -> dt.date | None:
    """A date column; an unparseable or impossible date (e.g. year 3033) is unknown and named in remarks."""
    raw = row[column]
    if raw is None:
        return None
    value = parse_date(raw, formats)
    if value is None or not _MIN_YEAR <= value.year <= _MAX_YEAR:
        notes.append(f"{column} {raw!r} is not a valid date (treated as unknown)")
        return None
    return value


def _remarks(row: dict[str, str | None], notes: list[str]) -> str | None:
    labelled = (("Action", "action"), ("FR_Citation", "FR citation"), ("Effective_Date", "effective"),
                ("Expiration_Date", "expires"), ("Standard_Order", "standard order"),
                ("Last_Update", "last update"))
    parts = [f"{label}: {row[col]}" for col, label in labelled if row[col]]
    return "; ".join(parts + notes) or None


SPEC = ListSpec(
    key="us_bis_dpl",
    title="US BIS Denied Persons List",
    regime="US",
    parse=parse,
    urls={"dpl.txt": "https://www.bis.doc.gov/dpl/dpl.txt"},
    min_entries=300,
    parser_version="1",
)
