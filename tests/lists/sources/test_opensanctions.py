"""OpenSanctions exports adapter (FtM JSON lines and targets.simple.csv): field mapping on real excerpts,
counts on the shared corpus (not bundled: CC BY-NC), dispatch and malformed input."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from lists.model import BirthDate, Country, Identifier, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import opensanctions
from tests.conftest import FIXTURES

HERE = FIXTURES / "lists" / "opensanctions"
FTM = HERE / "entities.ftm.json"
SIMPLE = HERE / "targets.simple_interpol_excerpt.csv"


@pytest.fixture(scope="module")
def ftm() -> dict[str, ListEntry]:
    parsed = opensanctions.parse(FTM)
    assert not parsed.quarantine
    return {e.source_id: e for e in parsed.entries}


@pytest.fixture(scope="module")
def simple() -> ParsedList:
    return opensanctions.parse(SIMPLE)


def _by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


# --- FtM JSON lines -------------------------------------------------------------------------------


def test_ftm_targets_become_entries_address_does_not(ftm: dict[str, ListEntry]) -> None:
    assert len(ftm) == 6
    assert "NK-2MQE6AmhAk4tqhENJAMUG9" not in ftm  # the Address entity
    assert Counter(e.subject_type for e in ftm.values()) == {"person": 4, "organization": 2}
    assert all(e.regime == "multi" and e.programs == ["eu_fsf"] for e in ftm.values())
    assert opensanctions.parse(FTM).publisher_date == dt.date(2024, 6, 1)  # latest last_seen


def test_ftm_names_with_scripts(ftm: dict[str, ListEntry]) -> None:
    soyko = ftm["NK-2Myxbs6wX9xFKGoQn3sLaY"]
    assert soyko.primary_name == "Viktor Vladimirovitj Sojko"  # the caption
    assert soyko.names[0] == Name("Viktor Vladimirovitj Sojko", "primary", script="Latn")
    assert Name("Виктор Владимирович СОЙКО", "aka", "strong", script="Cyrl") in soyko.names
    assert len(soyko.names) == 5
    tobacco = ftm["NK-2GdmHtZTeNXjNVrBGEXZNj"]
    assert Name("Εταιρία περιορισμένης ευθύνης “Inter Tobacco”", "aka", script="Grek") in tobacco.names
    assert len(tobacco.names) == 12
    assert [n.name for n in ftm["NK-2PacmNpiLUmoz4XD2mSt7A"].names] == ["IRGC", "Iranian Revolutionary Guard Corps"]


def test_ftm_person_details(ftm: dict[str, ListEntry]) -> None:
    kuzmenko = ftm["NK-2Ka3UvopqbpZmVDFjWd4LA"]
    assert kuzmenko.birth_dates == [BirthDate(dt.date(1971, 1, 22), dt.date(1971, 1, 22), "exact", "1971-01-22")]
    assert kuzmenko.countries == [Country("RU", "nationality")]
    assert kuzmenko.identifiers == [Identifier("tax_id", "366510784303")]
    assert kuzmenko.listed_on == dt.date(2024, 2, 23)  # createdAt
    assert kuzmenko.remarks == ("The plant is part of the High Precision Systems holding company of Rostec; "
                                "position: General Director of JSC 163 Armor Repair Plant")
    soyko = ftm["NK-2Myxbs6wX9xFKGoQn3sLaY"]
    assert soyko.countries == [Country("BY", "nationality"), Country("BY", "country")]


def test_ftm_organization_details(ftm: dict[str, ListEntry]) -> None:
    tobacco = ftm["NK-2GdmHtZTeNXjNVrBGEXZNj"]
    assert tobacco.identifiers == [Identifier("registration", "808000714")]
    assert tobacco.countries == [Country("BY", "country")]
    assert tobacco.addresses == []  # its addressEntity is not in this export


# --- targets.simple.csv ---------------------------------------------------------------------------


def test_simple_rows(simple: ParsedList) -> None:
    assert len(simple.entries) == 22 and not simple.quarantine
    assert simple.publisher_date == dt.date(2025, 5, 23)
    assert all(e.subject_type == "person" and e.programs == ["INTERPOL Red Notices"] for e in simple.entries)


def test_simple_field_mapping(simple: ParsedList) -> None:
    rows = _by_id(simple)
    first = rows["NK-224TRezPqwzhQZ37exWxtX"]
    assert first.primary_name == "SANAVBARI NIKITENKO"
    assert first.countries == [Country("RU", "country"), Country("TJ", "country")]  # "ru;tj"
    assert first.birth_dates[0].precision == "exact" and first.listed_on is None
    # a sanctions value holding ";" is quoted inside the cell and stays whole
    assert first.remarks == ("Red Notice - participation in the activity of a terrorist organization; "
                             "participation in the activity of an illegal armed formation")
    assert rows["NK-LvhvkDXzuHjjUEqyGC2SZG"].names[1] == Name("KHUSEYN AKTAMIROV", "aka", script="Latn")
    assert rows["NK-KkXLihRQSzgyAVxzVC3SKu"].birth_dates[0].precision == "year"  # "1958"
    assert rows["interpol-red-2006-18198"].birth_dates == []
    assert rows["Q4235170"].countries == []
    accented = rows["Q116790182"]
    assert accented.primary_name == "HELOÍSA GONÇALVES DUQUE SOARES RIBEIRO"
    assert accented.remarks == "Red Notice - Murder and torture"


# --- counts on the shared corpus ------------------------------------------------------------------


def test_shared_interpol_targets(shared_lists: Path) -> None:
    parsed = opensanctions.parse(shared_lists / "opensanctions" / "interpol_red_notices" / "targets.simple.csv")
    assert len(parsed.entries) == 6_561 and not parsed.quarantine
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 6_561}
    assert parsed.publisher_date == dt.date(2025, 5, 23)


def test_shared_ftm_sample(shared_lists: Path) -> None:
    parsed = opensanctions.parse(shared_lists / "opensanctions" / "ftm_sample")  # a folder works too
    assert len(parsed.entries) == 6 and not parsed.quarantine


# --- dispatch and malformed input ------------------------------------------------------------------


def test_dispatch_on_name_and_gzip(tmp_path: Path) -> None:
    import gzip

    gz = tmp_path / "entities.ftm.json.gz"
    gz.write_bytes(gzip.compress(FTM.read_bytes()))
    assert len(opensanctions.parse(gz).entries) == 6
    folder = tmp_path / "export"
    folder.mkdir()
    shutil.copy(SIMPLE, folder / "targets.simple.csv")
    assert len(opensanctions.parse(folder).entries) == 22
    other = tmp_path / "entities.xml"
    other.write_text("<x/>")
    with pytest.raises(ListFormatError, match="not an OpenSanctions export"):
        opensanctions.parse(other)


def test_ftm_non_targets_unknown_schemas_and_bad_lines_are_quarantined(tmp_path: Path) -> None:
    lines = FTM.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["target"] = False
    second = json.loads(lines[1])
    second["schema"] = "Vehicle"
    path = tmp_path / "entities.ftm.json"
    path.write_text("\n".join([json.dumps(first), json.dumps(second), "{not json", *lines[2:]]) + "\n",
                    encoding="utf-8")
    parsed = opensanctions.parse(path)
    assert len(parsed.entries) == 4
    reasons = [q.reason for q in parsed.quarantine]
    assert reasons[0] == "line 3 is not JSON: Expecting property name enclosed in double quotes"
    assert "Organization is not a target (context entity)" in reasons
    assert "unknown schema 'Vehicle'" in reasons


def test_ftm_without_entities_raises(tmp_path: Path) -> None:
    path = tmp_path / "entities.ftm.json"
    path.write_text('{"rows": []}\n', encoding="utf-8")
    with pytest.raises(ListFormatError, match="no FollowTheMoney entity"):
        opensanctions.parse(path)


def test_simple_missing_columns_raise_and_unknown_schema_is_quarantined(tmp_path: Path) -> None:
    text = SIMPLE.read_text(encoding="utf-8")
    path = tmp_path / "targets.simple.csv"
    path.write_text(text.replace('"aliases"', '"alias"', 1), encoding="utf-8")
    with pytest.raises(ListFormatError, match="missing column\\(s\\) aliases"):
        opensanctions.parse(path)
    path.write_text(text.replace('"NK-22baaNEkbgBeZokNLmpaKd","Person"', '"NK-22baaNEkbgBeZokNLmpaKd","Pet"'),
                    encoding="utf-8")
    parsed = opensanctions.parse(path)
    assert len(parsed.entries) == 21
    assert [(q.source_id, q.reason) for q in parsed.quarantine] == [("NK-22baaNEkbgBeZokNLmpaKd", "unknown schema 'Pet'")]


def test_spec_carries_the_licence() -> None:
    spec = opensanctions.SPEC
    assert spec.key == "opensanctions" and spec.regime == "multi"
    assert spec.licence and "CC BY-NC" in spec.licence  # so the default refresh skips it
