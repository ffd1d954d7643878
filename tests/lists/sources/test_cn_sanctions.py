"""China sanctions (curated CSV) adapter: field mapping on a real excerpt, acceptance counts on the
bundled snapshot, the plain file from the shared corpus, malformed input."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from lists.model import Address, Country, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError, read_text
from lists.sources import cn_sanctions
from tests.conftest import FIXTURES, SNAPSHOT

EXCERPT = FIXTURES / "lists" / "cn_sanctions" / "sanctions_2026-08-07_excerpt.csv"
SNAPSHOT_FILE = SNAPSHOT / "cn_sanctions" / "2026-08-07" / "sanctions.csv.gz"


@pytest.fixture(scope="module")
def excerpt() -> ParsedList:
    return cn_sanctions.parse(EXCERPT)


@pytest.fixture(scope="module")
def snapshot() -> ParsedList:
    return cn_sanctions.parse(SNAPSHOT_FILE)


def _named(parsed: ParsedList, name: str) -> list[ListEntry]:
    return [e for e in parsed.entries if e.primary_name == name]


# --- field mapping on the real excerpt -----------------------------------------------------------


def test_one_entry_per_designation_row(excerpt: ParsedList) -> None:
    assert len(excerpt.entries) == 20 and not excerpt.quarantine
    assert len({e.source_id for e in excerpt.entries}) == 20
    assert excerpt.publisher_date is None
    assert all(e.regime == "CN" for e in excerpt.entries)


def test_ids_party_then_designation(excerpt: ParsedList) -> None:
    rubio = [e.source_id for e in _named(excerpt, "Marco Rubio")]
    assert rubio == ["Q324546-069a5054", "Q324546-e7b5c22d"]  # QID + one hash per notice
    ned = _named(excerpt, "National Endowment for Democracy")[0]
    assert re.fullmatch(r"[0-9a-f]{12}-[0-9a-f]{8}", ned.source_id)
    # Shield AI: two transcriptions of the 05.12.2024 notice (different source URLs), export control, UEL.
    shield = _named(excerpt, "Shield AI, Inc.")
    assert len({e.source_id for e in shield}) == 4
    assert len({e.source_id.split("-")[0] for e in shield}) == 1  # same party part
    assert sorted(p for e in shield for p in e.programs) == [
        "List of Export Controls", "List of Targets of Countermeasures", "List of Targets of Countermeasures", "UEL"]


def test_ids_do_not_depend_on_the_rows_position(excerpt: ParsedList, snapshot: ParsedList) -> None:
    assert {e.source_id for e in excerpt.entries} <= {e.source_id for e in snapshot.entries}


def test_types(excerpt: ParsedList) -> None:
    assert _named(excerpt, "SUBARU Corporation")[0].subject_type == "organization"  # Company
    assert _named(excerpt, "National Endowment for Democracy")[0].subject_type == "organization"  # Organization
    assert _named(excerpt, "Sam Brownback")[0].subject_type == "person"


def test_names(excerpt: ParsedList) -> None:
    assert _named(excerpt, "Shi Ping")[0].names == [
        Name("Shi Ping", "primary", script="Latn"),
        Name("石平", "original_script", script="Hans", lang="zh"),
        Name("Seki Hei", "aka", script="Latn"),
        Name("Hei Seki", "aka", script="Latn"),
    ]
    # Characters identical in both forms count as Simplified (the notices are); clear-cut ones are detected.
    assert Name("美国国家民主基金会", "original_script", script="Hans", lang="zh") in _named(
        excerpt, "National Endowment for Democracy")[0].names
    assert [n.name_type for n in _named(excerpt, "UAB Urbo Bankas")[0].names] == ["primary"]


def test_dates(excerpt: ParsedList) -> None:
    assert _named(excerpt, "Sam Brownback")[0].listed_on == dt.date(2020, 7, 13)  # "13.07.20"
    assert _named(excerpt, "SUBARU Corporation")[0].listed_on == dt.date(2026, 2, 24)  # "24.02.2026"
    assert _named(excerpt, "Alliance of Democracies Foundation")[0].listed_on is None  # no Date
    assert "designation ends 2023-07-13" in (_named(excerpt, "Skyla")[0].remarks or "")
    assert "designation ends 2026-04-24" in (_named(excerpt, "UAB Urbo Bankas")[0].remarks or "")


def test_countries_and_addresses(excerpt: ParsedList) -> None:
    assert _named(excerpt, "SUBARU Corporation")[0].countries == [Country("JP", "country")]  # "Japan"
    omnipol = _named(excerpt, "OMNIPOL a.s.")[0]  # "Czech Republic"
    assert omnipol.countries == [Country("CZ", "country")]
    assert omnipol.addresses == [Address("Nekazanka 880/11, Praha 1, Czech Republic, 11000", country="CZ")]
    psc = _named(excerpt, "Political and Security Committee of the Council of the European Union")[0]
    assert psc.countries == [Country("EU", "country")]
    nids = _named(excerpt, "National Institute for Defense Studies")[0]
    assert nids.addresses[0].text == "日本东京都新宿区市谷本村町5番1号，邮编：162-8808"
    assert _named(excerpt, "Shield AI, Inc.")[1].countries == []  # the second transcription has no country


def test_programs_and_remarks(excerpt: ParsedList) -> None:
    shi = _named(excerpt, "Shi Ping")[0]
    assert shi.programs == ["List of Targets of Countermeasures"]
    assert shi.remarks == ("Member of Japan's House of Councillors; 日本参议员; issued by: Ministry of Foreign Affairs; "
                           "topics: sanction.counter; source: https://www.mfa.gov.cn/wjb_673085/zfxxgk_674865/"
                           "gknrlb/fzcqdcs/202509/t20250908_11704050.shtml")
    assert _named(excerpt, "National Endowment for Democracy")[0].programs == []  # no List in the notice


# --- acceptance counts on the bundled snapshot ----------------------------------------------------


def test_snapshot_counts(snapshot: ParsedList) -> None:
    assert len(snapshot.entries) == 610 and not snapshot.quarantine
    assert len({e.source_id for e in snapshot.entries}) == 610
    raw_types = Counter(row["Type"] for row in csv.DictReader(io.StringIO(read_text(SNAPSHOT_FILE))))
    assert raw_types == {"Company": 378, "Person": 195, "Organization": 37}
    assert Counter(e.subject_type for e in snapshot.entries) == {"organization": 378 + 37, "person": 195}
    assert sum(1 for e in snapshot.entries for n in e.names if n.name_type == "original_script") == 512
    assert max(e.listed_on for e in snapshot.entries if e.listed_on) == dt.date(2026, 8, 5)


# --- the shared corpus ----------------------------------------------------------------------------


def test_shared_original_file(shared_lists: Path, snapshot: ParsedList) -> None:
    parsed = cn_sanctions.parse(shared_lists / "cn_sanctions_opensanctions" / "sanctions.csv")
    assert [e.source_id for e in parsed.entries] == [e.source_id for e in snapshot.entries]


# --- malformed input ------------------------------------------------------------------------------


def test_missing_columns_raise(tmp_path: Path) -> None:
    text = EXCERPT.read_text(encoding="utf-8").replace("Chinese name", "Name (zh)", 1)
    path = tmp_path / "sanctions.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ListFormatError, match="missing column\\(s\\) Chinese name"):
        cn_sanctions.parse(path)


def test_unknown_type_and_nameless_rows_are_quarantined(tmp_path: Path) -> None:
    lines = EXCERPT.read_bytes().decode("utf-8").splitlines(keepends=True)
    vessel = lines[1].replace("Organization,", "Vessel,", 1)
    nameless = lines[2].replace("Sam Brownback", "").replace("布朗巴克", "")
    path = tmp_path / "sanctions.csv"
    path.write_text(lines[0] + vessel + nameless + lines[3], encoding="utf-8", newline="")
    parsed = cn_sanctions.parse(path)
    assert [e.primary_name for e in parsed.entries] == ["Marco Rubio"]
    assert [q.reason for q in parsed.quarantine] == ["unknown Type 'Vessel'", "row has neither Name nor Chinese name"]


def test_spec() -> None:
    spec = cn_sanctions.SPEC
    assert spec.key == "cn_sanctions" and spec.regime == "CN" and spec.mandatory
    assert spec.urls == {"sanctions.csv": "https://raw.githubusercontent.com/opensanctions/opensanctions/main/"
                                          "datasets/cn/sanctions/sanctions.csv"}
