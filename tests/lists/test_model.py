"""The entry fingerprint is what a new version is diffed against: it must not move between releases."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict

from lists.model import Address, BirthDate, Country, Identifier, ListEntry, Name


def _asdict_fingerprint(entry: ListEntry) -> str:
    """The fingerprint as release 0.1 computed it (dataclasses.asdict), which stored versions carry."""
    data = asdict(entry)
    for key in ("names", "programs", "birth_dates", "countries", "identifiers", "addresses"):
        data[key] = sorted(json.dumps(v, sort_keys=True, default=str) for v in data[key])
    blob = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def test_fingerprint_is_the_one_stored_versions_carry() -> None:
    entry = ListEntry(
        source_id="QDi.001", subject_type="person", primary_name="SECHIN, Igor Ivanovich",
        names=[Name("Игорь Иванович Сечин", "original_script", "strong", "Cyrl"), Name("Sechin", "aka", "weak")],
        programs=["UKRAINE-EO13661"], regime="UN", listed_on=dt.date(2014, 4, 28), remarks="r",
        birth_dates=[BirthDate(dt.date(1960, 9, 7), dt.date(1960, 9, 7), "exact", "07 Sep 1960")],
        countries=[Country("RU", "nationality")], identifiers=[Identifier("passport", "X1", "RU")],
        addresses=[Address("Moscow", "Moscow", "RU")],
    )
    assert entry.fingerprint() == _asdict_fingerprint(entry)
