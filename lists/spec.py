"""A list source declared as data: its key, regime, official URLs and the parse function."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lists.model import ParsedList


@dataclass(frozen=True)
class ListSpec:
    key: str  # docs/architecture.md §3.1 source key, e.g. "us_ofac_sdn"
    title: str
    regime: str  # UN, US, EU, UK, AU, CN, or "multi" for aggregators
    parse: Callable[[Path], ParsedList]  # a file, or a version folder for multi-file sources
    # Official download locations: local file name -> URL. Several files = a version folder.
    urls: Mapping[str, str] = field(default_factory=dict)
    # Files of a folder that may be missing (parse still works, the version is flagged incomplete).
    optional_files: frozenset[str] = frozenset()
    min_entries: int = 1  # fewer entries than this = a broken file, never published
    mandatory: bool = False  # registration lookups fail closed when this list is stale
    max_age_hours: int = 48  # no successful check of the publisher for longer than this = stale
    # A version whose publisher date is older than this many days is stale however recently it was
    # loaded (override: SCREENING_MAX_PUBLICATION_DAYS_<SOURCE>).
    max_publication_days: int = 30
    # Maintained by compliance by hand (`screening lists load`): an online refresh skips it unless asked.
    manual: bool = False
    parser_version: str = "1"
    # Data licence note where it restricts use (e.g. OpenSanctions CC BY-NC).
    licence: str | None = None

    @property
    def multi_file(self) -> bool:
        return len(self.urls) > 1
