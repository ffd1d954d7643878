"""UK Sanctions List (FCDO XML) adapter: field mapping on the real 5-designation extract,
acceptance counts on the bundled snapshot, malformed input."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from lists.model import BirthDate, Country, Identifier, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import gb_fcdo
from tests.conftest import FIXTURES, SNAPSHOT

SAMPLE = FIXTURES / "lists" / "gb_fcdo" / "sample_uk_sanctions.xml"


@pytest.fixture(scope="module")
def parsed() -> ParsedList:
    return gb_fcdo.parse(SAMPLE)


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def test_designations_types_and_publisher_date(parsed: ParsedList) -> None:
    assert parsed.publisher_date == dt.date(2026, 9, 10)  # DateGenerated 10/09/2026 is dd/mm/yyyy
    assert [(e.source_id, e.subject_type) for e in parsed.entries] == [
        ("AFG0001", "organization"),
        ("AFG0006", "person"),
        ("BEL0107", "organization"),
        ("DPR0075", "vessel"),
        ("AQD0195", "person"),
    ]
    assert all(e.regime == "UK" for e in parsed.entries)
    assert parsed.quarantine == []


def test_name_parts_types_and_non_latin(by_id: dict[str, ListEntry]) -> None:
    assert by_id["AFG0006"].names == [
        Name("MOHAMMAD HASSAN AKHUND", "primary", "strong", "Latn"),  # Name1 Name2 Name6
        Name("Mohammad Akhwand", "variation", "strong", "Latn"),  # Primary Name Variation
        Name("محمد حسن آخوند", "original_script", "strong", "Arab"),  # NonLatinNames
    ]
    assert by_id["AQD0195"].primary_name == "Fadhil Harun"  # Name1 + Name2, no Name6
    assert by_id["AFG0001"].names[:2] == [
        Name("HAJI KHAIRULLAH MONEY EXCHANGE", "primary", "strong", "Latn"),  # entity: whole name in Name6
        Name("Haji Alim Hawala", "aka", "strong", "Latn"),  # Alias without AliasStrength
    ]


def test_alias_strength(by_id: dict[str, ListEntry]) -> None:
    assert by_id["BEL0107"].names == [
        Name("BNK (UK) Ltd", "primary", "strong", "Latn"),
        Name("BNK UK Limited", "aka", "strong", "Latn"),  # Good quality a.k.a
        Name("BNK", "aka", "weak", "Latn"),  # Low quality a.k.a
    ]


def test_birth_dates_with_unknown_parts(by_id: dict[str, ListEntry]) -> None:
    assert by_id["AFG0006"].birth_dates == [
        BirthDate(dt.date(1958, 5, 12), dt.date(1958, 5, 12), "exact", "12/05/1958"),
        BirthDate(dt.date(1945, 1, 1), dt.date(1945, 12, 31), "year", "dd/mm/1945"),
        BirthDate(dt.date(1946, 1, 1), dt.date(1946, 12, 31), "year", "1946"),
    ]
    assert by_id["AQD0195"].birth_dates == [BirthDate(dt.date(1972, 1, 1), dt.date(1972, 12, 31), "year", "dd/mm/1972")]


def test_countries(by_id: dict[str, ListEntry]) -> None:
    assert by_id["AFG0006"].countries == [
        Country("AF", "nationality"),
        Country("AF", "birth"),
        Country("AF", "address"),
    ]
    assert by_id["DPR0075"].countries == [Country("KM", "flag"), Country("IN", "former_flag")]
    assert by_id["AFG0001"].countries == [Country("AF", "address"), Country("AE", "address")]


def test_identifiers(by_id: dict[str, ListEntry]) -> None:
    # the same passport is listed twice in the file: kept once
    assert by_id["AFG0006"].identifiers == [
        Identifier("passport", "P04581926"),
        Identifier("national_id", "2132370"),
    ]
    assert by_id["BEL0107"].identifiers == [Identifier("registration", "UK Company no. 06527449")]
    assert by_id["DPR0075"].identifiers == [Identifier("imo", "9562233")]  # published as IMO9562233


def test_programs_listing_addresses_remarks(by_id: dict[str, ListEntry]) -> None:
    afg0006 = by_id["AFG0006"]
    assert afg0006.programs == ["The Afghanistan (Sanctions) (EU Exit) Regulations 2020"]
    assert afg0006.listed_on == dt.date(2001, 1, 25)
    assert [(a.text, a.country) for a in afg0006.addresses] == [("Kabul, Afghanistan", "AF")]
    remarks = afg0006.remarks or ""
    assert remarks.startswith("A close associate of Mullah Mohammed Omar (TAi.004).")
    assert "Title: Mullah; Haji" in remarks
    assert "Position: Deputy Minister of Agriculture under the Taliban regime" in remarks
    assert "Place of birth: Pashmul village, Panjwai District, Afghanistan" in remarks
    bel = by_id["BEL0107"]
    assert [(a.text, a.country) for a in bel.addresses] == [
        ("Salatin House, 19 Cedar Road, Sutton, Surrey, SM2 5DA, United Kingdom", "GB")
    ]
    assert "Statement of reasons: BNK (UK) Ltd is controlled by CJSC Belarusian Oil Company" in (bel.remarks or "")
    assert "Parent company: CJSC Belarusian Oil Company; Belneftekhim" in (bel.remarks or "")
    # whitespace-only UKStatementofReasons adds nothing
    assert "Statement of reasons" not in (by_id["DPR0075"].remarks or "")


# --- acceptance counts on the bundled snapshot --------------------------------------------------


def test_snapshot_2026_09_10_counts() -> None:
    parsed = gb_fcdo.parse(SNAPSHOT / "gb_fcdo" / "2026-09-10")  # folder with the gzipped copy
    assert parsed.publisher_date == dt.date(2026, 9, 10)
    assert len(parsed.entries) == 5
    assert Counter(e.subject_type for e in parsed.entries) == {"organization": 2, "person": 2, "vessel": 1}
    assert len(parsed.entries) >= gb_fcdo.SPEC.min_entries
    assert [e.fingerprint() for e in parsed.entries] == [e.fingerprint() for e in gb_fcdo.parse(SAMPLE).entries]


# --- real-world spellings and malformed input ------------------------------------------------------


def _variant(tmp_path: Path, old: bytes, new: bytes, count: int = 1) -> Path:
    data = SAMPLE.read_bytes()
    assert old in data
    path = tmp_path / "UK-Sanctions-List.xml"
    path.write_bytes(data.replace(old, new, count))
    return path


def test_name_type_case_variants_of_the_live_file(tmp_path: Path) -> None:
    # the full list spells "Primary name", "Primary name variation" and once "ALias"
    path = _variant(tmp_path, b"<NameType>Primary Name Variation</NameType>", b"<NameType>Primary name variation</NameType>")
    path.write_bytes(path.read_bytes().replace(b"<NameType>Alias</NameType>", b"<NameType>ALias</NameType>", 1))
    parsed = gb_fcdo.parse(path)
    assert parsed.quarantine == []
    by_id = {e.source_id: e for e in parsed.entries}
    assert Name("Mohammad Akhwand", "variation", "strong", "Latn") in by_id["AFG0006"].names
    assert Name("Haji Alim Hawala", "aka", "strong", "Latn") in by_id["AFG0001"].names


def test_wrong_root_raises(tmp_path: Path) -> None:
    path = tmp_path / "UK-Sanctions-List.xml"
    path.write_bytes(SAMPLE.read_bytes().replace(b"Designations", b"Designationz"))
    with pytest.raises(ListFormatError, match="root element"):
        gb_fcdo.parse(path)


def test_truncated_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "UK-Sanctions-List.xml"
    path.write_bytes(SAMPLE.read_bytes()[:2000])
    with pytest.raises(ListFormatError, match="not well-formed"):
        gb_fcdo.parse(path)


def test_unknown_designation_type_quarantines_the_entry(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        b"<IndividualEntityShip>Ship</IndividualEntityShip>",
        b"<IndividualEntityShip>Aircraft carrier</IndividualEntityShip>",
    )
    parsed = gb_fcdo.parse(path)
    assert [e.source_id for e in parsed.entries] == ["AFG0001", "AFG0006", "BEL0107", "AQD0195"]
    assert [(q.source_id, q.reason) for q in parsed.quarantine] == [
        ("DPR0075", "unknown IndividualEntityShip 'Aircraft carrier'")
    ]


def test_unknown_name_type_and_strength_are_quarantined_names_kept(tmp_path: Path) -> None:
    path = _variant(tmp_path, b"<AliasStrength>Low quality a.k.a</AliasStrength>", b"<AliasStrength>Medium quality a.k.a</AliasStrength>")
    path.write_bytes(path.read_bytes().replace(b"<NameType>Alias</NameType>", b"<NameType>Nickname</NameType>", 1))
    parsed = gb_fcdo.parse(path)
    by_id = {e.source_id: e for e in parsed.entries}
    assert Name("BNK", "aka", "strong", "Latn") in by_id["BEL0107"].names
    assert Name("Haji Alim Hawala", "aka", "strong", "Latn") in by_id["AFG0001"].names
    assert [(q.source_id, q.reason) for q in parsed.quarantine] == [
        ("AFG0001", "unknown NameType 'Nickname'; name kept as a strong a.k.a."),
        ("BEL0107", "unknown AliasStrength 'Medium quality a.k.a'; name kept as strong"),
    ]


def test_unrecognised_country_is_quarantined(tmp_path: Path) -> None:
    parsed = gb_fcdo.parse(_variant(tmp_path, b"<Nationality>Comoros</Nationality>", b"<Nationality>Atlantis</Nationality>"))
    by_id = {e.source_id: e for e in parsed.entries}
    assert by_id["AQD0195"].countries == [Country("KM", "birth")]
    assert [(q.source_id, q.reason) for q in parsed.quarantine] == [
        ("AQD0195", "unrecognised nationality country 'Atlantis'")
    ]


def test_missing_unique_id_is_quarantined(tmp_path: Path) -> None:
    parsed = gb_fcdo.parse(_variant(tmp_path, b"<UniqueID>BEL0107</UniqueID>", b""))
    assert "BEL0107" not in {e.source_id for e in parsed.entries}
    assert [q.reason for q in parsed.quarantine] == ["Designation without UniqueID"]
    assert "BNK (UK) Ltd" in parsed.quarantine[0].raw


def test_spec() -> None:
    spec = gb_fcdo.SPEC
    assert (spec.key, spec.regime) == ("gb_fcdo", "UK")
    assert spec.urls == {"UK-Sanctions-List.xml": "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml"}
    assert spec.parse is gb_fcdo.parse
