"""EU Financial Sanctions Files (XML 1.1) adapter: field mapping on the real 5-entity extract,
acceptance counts on the bundled snapshot, malformed input."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from lists.model import BirthDate, Country, Identifier, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import eu_fsf
from tests.conftest import FIXTURES, SNAPSHOT

SAMPLE = FIXTURES / "lists" / "eu_fsf" / "sample_eu_fsf.xml"


@pytest.fixture(scope="module")
def parsed() -> ParsedList:
    return eu_fsf.parse(SAMPLE)


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def test_entries_types_and_publisher_date(parsed: ParsedList) -> None:
    assert parsed.publisher_date == dt.date(2026, 8, 5)
    assert [e.source_id for e in parsed.entries] == ["191", "521", "3822", "6106", "6177"]
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 4, "organization": 1}
    assert all(e.regime == "EU" for e in parsed.entries)
    assert parsed.quarantine == []


def test_every_name_alias_is_a_name(parsed: ParsedList, by_id: dict[str, ListEntry]) -> None:
    assert sum(len(e.names) for e in parsed.entries) == 45
    assert {k: len(e.names) for k, e in by_id.items()} == {"191": 7, "521": 3, "3822": 16, "6106": 4, "6177": 15}


def test_primary_name_is_the_first_recorded_strong_latin_name(by_id: dict[str, ListEntry]) -> None:
    # 191: the FR aliases come first in the file, but "Khalid Sheikh MOHAMMED" (logicalId 289) was recorded first
    assert by_id["191"].primary_name == "Khalid Sheikh MOHAMMED"
    assert by_id["191"].names[0] == Name("Khalid Sheikh MOHAMMED", "primary", "strong", "Latn", "en")
    # 3822: the GA and HU translations come first in the file
    assert by_id["3822"].primary_name == "Parchin Chemical Industries (PCI)"
    # 6177: the Arabic names come first in the file
    assert by_id["6177"].primary_name == "Ibrahim Hassan Tali Al-Asiri"
    assert by_id["6106"].primary_name == "Abu Zayd Umar DORDA"
    assert by_id["521"].primary_name == "Haji Ahmad Jan"


def test_languages_scripts_and_name_types(by_id: dict[str, ListEntry]) -> None:
    names = {n.name: n for n in by_id["3822"].names}
    assert names["Tionscail Ceimiceán Parchin"] == Name("Tionscail Ceimiceán Parchin", "aka", "strong", "Latn", "ga")
    assert names["صنایع شیمیایی پارچین"] == Name("صنایع شیمیایی پارچین", "original_script", "strong", "Arab", "fa")
    arabic = [n for n in by_id["6177"].names if n.name_type == "original_script"]
    assert [(n.name, n.lang, n.script) for n in arabic] == [
        ("إبراهيم حسن طالع عسيري", "ar", "Arab"),
        ("إبراهيم حسن طالع العسيري", "ar", "Arab"),
    ]
    # no nameLanguage → lang None
    assert Name("Henin Ashraf Refaat Nabith", "aka", "strong", "Latn", None) in by_id["191"].names


def test_low_quality_remark_makes_a_name_weak(by_id: dict[str, ListEntry]) -> None:
    quality = {n.name: n.quality for n in by_id["6177"].names}
    assert quality["Abu-Salaah"] == "weak"  # "low quality alias"
    assert quality["Abosslah"] == "weak"
    assert quality["Abu Saleh"] == "weak"  # "low quality aliias" (sic)
    assert quality["Ibrahim Hasan Talea Aseeri"] == "strong"  # "good quality alias"
    assert Counter(quality.values()) == {"strong": 12, "weak": 3}
    # quality remarks are consumed; other name remarks are kept
    remarks = by_id["6177"].remarks or ""
    assert "quality" not in remarks
    assert "Believed to be hiding in Yemen as at March 2011" in remarks


def test_strong_false_makes_a_name_weak(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes().replace(
        b'wholeName="Ahmed Jan Akhund" function="" title="" nameLanguage="" strong="true"',
        b'wholeName="Ahmed Jan Akhund" function="" title="" nameLanguage="" strong="false"',
    )
    (tmp_path / "x.xml").write_bytes(data)
    entry = {e.source_id: e for e in eu_fsf.parse(tmp_path / "x.xml").entries}["521"]
    assert Name("Ahmed Jan Akhund", "aka", "weak", "Latn", None) in entry.names


def test_programs_listing_and_remarks(by_id: dict[str, ListEntry]) -> None:
    assert {k: e.programs for k, e in by_id.items()} == {
        "191": ["TERR"],
        "521": ["AFG"],
        "3822": ["IRN"],
        "6106": ["LBY"],
        "6177": ["TAQA"],
    }
    assert by_id["521"].listed_on == dt.date(2001, 1, 25)
    assert by_id["191"].listed_on is None  # no designationDate published
    assert (by_id["3822"].remarks or "").startswith("UN designation:24/03/2007 (no longer valid)")
    assert "Function: Minister of Water and Electricity under the Taliban regime" in (by_id["521"].remarks or "")
    assert "Place of birth: Alrhaybat" in (by_id["6106"].remarks or "")
    assert "UNKNOWN" not in (by_id["6106"].remarks or "")


def test_birth_dates(by_id: dict[str, ListEntry]) -> None:
    assert by_id["191"].birth_dates == [
        BirthDate(dt.date(1965, 4, 14), dt.date(1965, 4, 14), "exact", "1965-04-14"),
        BirthDate(dt.date(1964, 3, 1), dt.date(1964, 3, 1), "exact", "1964-03-01"),
    ]
    # circa="true" yearRangeFrom 1953 yearRangeTo 1958, published twice (two birth places)
    assert by_id["521"].birth_dates == [
        BirthDate(dt.date(1953, 1, 1), dt.date(1958, 12, 31), "range", "circa 1953-1958")
    ]
    # ISLAMIC row: its parts are Hijri (24/6/1402), @birthdate is the Gregorian date
    islamic = by_id["6177"].birth_dates[1]
    assert (islamic.date_from, islamic.precision) == (dt.date(1982, 4, 19), "exact")
    assert islamic.text == "1982-04-19 (islamic calendar 24/6/1402)"


def test_birth_date_from_parts(tmp_path: Path) -> None:
    data = SAMPLE.read_bytes().replace(b'birthdate="1964-03-01" dayOfMonth="1" monthOfYear="3"', b'monthOfYear="3"')
    (tmp_path / "x.xml").write_bytes(data)
    entry = {e.source_id: e for e in eu_fsf.parse(tmp_path / "x.xml").entries}["191"]
    assert entry.birth_dates[1] == BirthDate(dt.date(1964, 3, 1), dt.date(1964, 3, 31), "month", "3/1964")


def test_countries(by_id: dict[str, ListEntry]) -> None:
    assert by_id["521"].countries == [Country("AF", "birth"), Country("AF", "citizenship")]
    assert by_id["6177"].countries == [
        Country("SA", "birth"),
        Country("SA", "citizenship"),
        Country("YE", "address"),
    ]
    # countryIso2Code="00" (UNKNOWN) on 6106's birthdate gives no country
    assert by_id["6106"].countries == [Country("LY", "address")]


def test_identifiers(by_id: dict[str, ListEntry]) -> None:
    assert by_id["191"].identifiers == [Identifier("passport", "488555", None)]  # issuer 00 = UNKNOWN
    assert by_id["3822"].identifiers == [Identifier("registration", "892", None)]
    assert by_id["6177"].identifiers == [
        Identifier("national_id", "1028745097", "SA"),
        Identifier("passport", "F654645", "SA"),
    ]


def test_addresses(by_id: dict[str, ListEntry]) -> None:
    first = by_id["3822"].addresses[0]
    assert (first.text, first.city, first.country) == (
        "Pasdaran Square, PO Box 16765/358, Tehran, IRAN (ISLAMIC REPUBLIC OF)",
        "Tehran",
        "IR",
    )
    assert len(by_id["3822"].addresses) == 6
    assert "Address: Head Office. Cooperative Company Registration No 892." in (by_id["3822"].remarks or "")


# --- acceptance counts on the bundled snapshot --------------------------------------------------


def test_snapshot_2026_08_05_counts() -> None:
    parsed = eu_fsf.parse(SNAPSHOT / "eu_fsf" / "2026-08-05")  # folder with the gzipped copy
    assert parsed.publisher_date == dt.date(2026, 8, 5)
    assert len(parsed.entries) == 5
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 4, "organization": 1}
    assert sum(len(e.names) for e in parsed.entries) == 45
    assert len(parsed.entries) >= eu_fsf.SPEC.min_entries
    assert [e.fingerprint() for e in parsed.entries] == [e.fingerprint() for e in eu_fsf.parse(SAMPLE).entries]


# --- malformed input ------------------------------------------------------------------------------


def _variant(tmp_path: Path, old: bytes, new: bytes) -> Path:
    data = SAMPLE.read_bytes()
    assert old in data
    path = tmp_path / "sample_eu_fsf.xml"
    path.write_bytes(data.replace(old, new))
    return path


def test_wrong_namespace_raises(tmp_path: Path) -> None:
    path = _variant(tmp_path, b'xmlns="http://eu.europa.ec/fpi/fsd/export"', b'xmlns="http://example.org/other"')
    with pytest.raises(ListFormatError, match="root element"):
        eu_fsf.parse(path)


def test_truncated_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "sample_eu_fsf.xml"
    path.write_bytes(SAMPLE.read_bytes()[:3000])
    with pytest.raises(ListFormatError, match="not well-formed"):
        eu_fsf.parse(path)


def test_unknown_subject_type_quarantines_the_entry(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        b'<subjectType code="enterprise" classificationCode="E" />',
        b'<subjectType code="vessel" classificationCode="V" />',
    )
    parsed = eu_fsf.parse(path)
    assert [e.source_id for e in parsed.entries] == ["191", "521", "6106", "6177"]
    assert [(q.source_id, q.reason) for q in parsed.quarantine] == [("3822", "unknown subjectType code 'vessel'")]
    assert "Parchin" in parsed.quarantine[0].raw


def test_unknown_identification_type_is_quarantined(tmp_path: Path) -> None:
    path = _variant(tmp_path, b'identificationTypeCode="regnumber"', b'identificationTypeCode="shoesize"')
    parsed = eu_fsf.parse(path)
    entry = {e.source_id: e for e in parsed.entries}["3822"]
    assert entry.identifiers == []
    assert [(q.source_id, q.reason) for q in parsed.quarantine] == [("3822", "unknown identificationTypeCode 'shoesize'")]


def test_unknown_strong_value_is_quarantined_name_kept(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        b'wholeName="Ali Salem" function="" gender="M" title="" nameLanguage="" strong="true"',
        b'wholeName="Ali Salem" function="" gender="M" title="" nameLanguage="" strong="maybe"',
    )
    parsed = eu_fsf.parse(path)
    entry = {e.source_id: e for e in parsed.entries}["191"]
    assert Name("Ali Salem", "aka", "strong", "Latn", None) in entry.names
    assert [(q.source_id, q.reason) for q in parsed.quarantine] == [
        ("191", "unknown nameAlias strong='maybe'; name kept as strong")
    ]


def test_folder_with_several_xml_files_raises(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_bytes(SAMPLE.read_bytes())
    (tmp_path / "b.xml").write_bytes(SAMPLE.read_bytes())
    with pytest.raises(ListFormatError, match="expected one XML file"):
        eu_fsf.parse(tmp_path)


def test_spec() -> None:
    spec = eu_fsf.SPEC
    assert (spec.key, spec.regime) == ("eu_fsf", "EU")
    assert list(spec.urls.values()) == [
        "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=dG9rZW4tMjAxNw"
    ]
    assert spec.parse is eu_fsf.parse
