"""Normalised list records: what every adapter produces and the store keeps.

An adapter turns one published file (or version folder) into a `ParsedList`. Everything an
authority publishes about a listed party that matters for screening lands in one `ListEntry`;
anything the adapter cannot interpret goes to `ParsedList.quarantine` with a reason instead of
being dropped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Literal

SubjectType = Literal["person", "organization", "vessel", "aircraft"]
NameType = Literal["primary", "aka", "fka", "nka", "original_script", "variation"]
Quality = Literal["strong", "weak"]
DatePrecision = Literal["exact", "month", "year", "range", "approximate"]

SUBJECT_TYPES: tuple[str, ...] = ("person", "organization", "vessel", "aircraft")
NAME_TYPES: tuple[str, ...] = ("primary", "aka", "fka", "nka", "original_script", "variation")


@dataclass(frozen=True)
class Name:
    """One name a party is listed under. `quality` weak = the authority's low-quality a.k.a."""

    name: str
    name_type: NameType = "aka"
    quality: Quality = "strong"
    script: str | None = None  # ISO 15924 where known (Latn, Arab, Cyrl, Hans, Hant …)
    lang: str | None = None  # ISO 639-1 where the list says (EU nameLanguage)


@dataclass(frozen=True)
class BirthDate:
    """A date of birth as published: the interval [date_from, date_to] it covers and how precise it is."""

    date_from: dt.date | None
    date_to: dt.date | None
    precision: DatePrecision
    text: str  # the published form, for the reviewer


@dataclass(frozen=True)
class Country:
    """An ISO-2 country linked to the party; `role` says how (nationality, citizenship, address …)."""

    code: str
    role: str = "country"


@dataclass(frozen=True)
class Identifier:
    id_type: str  # passport, national_id, tax_id, registration, imo, lei, swift, ...
    number: str
    country: str | None = None  # ISO-2 issuer


@dataclass(frozen=True)
class Address:
    text: str
    city: str | None = None
    country: str | None = None  # ISO-2


@dataclass
class ListEntry:
    """One listed party, keyed by the authority's own identifier (docs/architecture.md §3.1)."""

    source_id: str
    subject_type: SubjectType
    primary_name: str
    names: list[Name] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    regime: str | None = None
    listed_on: dt.date | None = None
    remarks: str | None = None
    birth_dates: list[BirthDate] = field(default_factory=list)
    countries: list[Country] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.subject_type not in SUBJECT_TYPES:
            raise ValueError(f"unknown subject type {self.subject_type!r} for {self.source_id}")
        if not self.primary_name.strip():
            raise ValueError(f"entry {self.source_id} has no primary name")
        if not any(n.name_type == "primary" and n.name == self.primary_name for n in self.names):
            self.names.insert(0, Name(self.primary_name, "primary", "strong"))

    def fingerprint(self) -> str:
        """A content hash: equal fingerprints across versions mean the entry did not change."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}  # asdict's output, a tenth of its time
        for key in ("names", "programs", "birth_dates", "countries", "identifiers", "addresses"):
            data[key] = sorted(json.dumps(_plain(v), sort_keys=True, default=str) for v in data[key])
        blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def _plain(value: object) -> object:
    """A value object as the dict `dataclasses.asdict` makes of it (their fields are plain values)."""
    if is_dataclass(value):
        return {f.name: getattr(value, f.name) for f in fields(value)}
    return value


@dataclass(frozen=True)
class Quarantined:
    """A published record the adapter could not interpret, kept with the reason."""

    reason: str
    raw: str
    source_id: str | None = None


@dataclass
class ParsedList:
    """What one parse of one published version yields."""

    entries: list[ListEntry]
    publisher_date: dt.date | None = None  # from inside the file, where it has one
    quarantine: list[Quarantined] = field(default_factory=list)
