"""What a generator reads (`Listed`, one list-side name), returns (`Variant`) and is registered as
(`VariationType`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from screening.evaluation.variants.text import Script, script_of

Expected = Literal["must_hit", "should_hit", "must_not_hit"]


@dataclass(frozen=True)
class Listed:
    """One list-side name with what the generators may use from its entry."""

    source: str
    source_id: str
    subject_type: str
    name: str
    name_type: str = "primary"
    quality: str = "strong"
    birth_date: dt.date | None = None
    birth_precision: str | None = None
    country: str | None = None
    passport: str | None = None
    common_name: bool = False  # every token is frequent across the lists ("Ali Hassan")

    @property
    def script(self) -> Script:
        return script_of(self.name)

    @property
    def is_person(self) -> bool:
        return self.subject_type == "person"


@dataclass(frozen=True)
class Variant:
    """What an account would carry: a name and, for some types, secondary data."""

    name: str
    birth_date: dt.date | None = None
    country: str | None = None
    id_type: str | None = None
    id_number: str | None = None
    subject_type: str | None = None  # the query's type when it differs from the entry's


Generator = Callable[[Listed, random.Random], "Variant | str | None"]


@dataclass(frozen=True)
class VariationType:
    key: str
    section: str  # the taxonomy item it covers, docs/evaluation.md §2 (e.g. C12)
    expected: Expected
    strength: str  # exact / strong / moderate / weak (expected match strength)
    generate: Generator
    description: str


def _is_latin(item: Listed) -> bool:
    return item.script == "Latn"
