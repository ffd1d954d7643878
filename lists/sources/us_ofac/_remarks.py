"""The Remarks grammar of OFAC's legacy CSV: everything the authority knows about a party beyond its name
and programmes — dates and places of birth, nationality, documents, weak `a.k.a. 'X'` aliases, vessel IMO
numbers, digital currency addresses — as `; `-separated free text."""

from __future__ import annotations

import re

from lists.model import Identifier, ListEntry, Name, Quarantined
from lists.parsing import parse_birth_date
from lists.sources.us_ofac._fields import add_country, add_country_text, add_identifier, birth_country, identifier_for
from lists.sources.us_ofac.lookups import ID_TYPES, REMARK_ALIAS_TYPES, REMARK_COUNTRY_ROLES
from screening.scripts import detect_script

_ALT = r"(?:alt\.\s+)?"
_ID_LABEL = re.compile(
    rf"^{_ALT}(?P<label>"
    + "|".join(re.escape(label) for label in sorted(ID_TYPES, key=len, reverse=True))
    + r"):?\s+(?P<rest>\S.*)$"
)
_REMARK_ALIAS = re.compile(r"^(?P<kind>[afn]\.k\.a\.),?\s+'(?P<name>.+)'$")
_DOB = re.compile(rf"^{_ALT}DOB:?\s+(?P<value>.+)$")
_POB = re.compile(rf"^{_ALT}POB:?\s+(?P<value>.+)$", re.I)
_COUNTRY_REMARK = re.compile(
    rf"^{_ALT}(?P<label>" + "|".join(sorted(REMARK_COUNTRY_ROLES, key=len, reverse=True)) + r"):?\s+(?P<value>.+)$"
)
_CRYPTO = re.compile(rf"^{_ALT}Digital Currency Address - (?P<currency>\S+)\s+(?P<address>\S+)$")


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
