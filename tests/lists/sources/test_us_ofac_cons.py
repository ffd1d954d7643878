"""OFAC Consolidated (non-SDN): legacy CSV set and Enhanced XML, mapping, counts, malformed input."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from lists.model import Address, BirthDate, Country, Identifier, ListEntry, ParsedList
from lists.parsing import ListFormatError
from lists.sources import us_ofac_cons, us_ofac_sdn
from tests.conftest import FIXTURES, SNAPSHOT

CSV_FIX = FIXTURES / "lists" / "us_ofac_cons" / "2025-12-19"
XML_FIX = FIXTURES / "lists" / "us_ofac_cons" / "2025-01-10" / "CONS_ENHANCED.XML"


@pytest.fixture(scope="module")
def csv_parsed() -> ParsedList:
    return us_ofac_cons.parse(CSV_FIX)


@pytest.fixture(scope="module")
def xml_parsed() -> ParsedList:
    return us_ofac_cons.parse(XML_FIX)


def _by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def _names(entry: ListEntry) -> set[tuple[str, str, str, str | None]]:
    return {(n.name, n.name_type, n.quality, n.script) for n in entry.names}


# --- legacy CSV set ---------------------------------------------------------------------------------


def test_csv_code_is_shared_with_sdn() -> None:
    assert us_ofac_cons.parse_csv_set is us_ofac_sdn.parse_csv_set


def test_csv_excerpt(csv_parsed: ParsedList) -> None:
    assert (CSV_FIX / "cons_prim.csv").read_bytes().endswith(b"\r\n\x1a")
    assert len(csv_parsed.entries) == 6 and not csv_parsed.quarantine
    assert csv_parsed.publisher_date is None
    entries = _by_id(csv_parsed)
    haniya = entries["9639"]
    assert haniya.subject_type == "person" and haniya.programs == ["NS-PLC"]
    assert haniya.birth_dates == [BirthDate(dt.date(1962, 1, 1), dt.date(1962, 12, 31), "year", "1962")]
    assert ("HANIYYA, Ismaeel", "aka", "strong", "Latn") in _names(haniya)
    assert entries["9641"].addresses == [Address("Gaza, Palestinian", "Gaza", "PS")]


def test_csv_remarks_continuation(csv_parsed: ParsedList) -> None:
    entries = _by_id(csv_parsed)
    # both quoted aliases sit in cons_comments.csv, past the 1,000-character cut
    assert ("RUSAG", "aka", "weak", "Latn") in _names(entries["17014"])
    cccc = entries["30930"]
    assert ("CCCC", "aka", "weak", "Latn") in _names(cccc)
    assert Identifier("registration", "91110000710934369E", "CN") in cccc.identifiers  # USCC
    assert Identifier("isin", "US1689261030") in cccc.identifiers


# --- Enhanced XML ------------------------------------------------------------------------------------


def test_xml_excerpt(xml_parsed: ParsedList) -> None:
    assert xml_parsed.publisher_date == dt.date(2025, 1, 10)  # <dataAsOf>
    assert not xml_parsed.quarantine
    assert sorted(_by_id(xml_parsed)) == ["18714", "23552", "26182", "33091", "33114", "9647"]


def test_xml_person(xml_parsed: ParsedList) -> None:
    person = _by_id(xml_parsed)["26182"]
    assert (person.subject_type, person.primary_name) == ("person", "KAYAKIRAN, Evren")
    assert person.programs == ["FSE-IR"]
    assert person.listed_on == dt.date(2019, 2, 7)
    assert person.birth_dates == [BirthDate(dt.date(1980, 2, 8), dt.date(1980, 2, 8), "exact", "08 Feb 1980")]
    assert person.identifiers == [Identifier("passport", "U00242309", "TR")]
    assert set(person.countries) == {Country("TR", "citizenship"), Country("TR", "address")}


def test_xml_low_quality_alias_and_year_dob(xml_parsed: ParsedList) -> None:
    zahhar = _by_id(xml_parsed)["9647"]
    assert _names(zahhar) == {
        ("ZAHHAR, Mahmoud Khaled", "primary", "strong", "Latn"),
        ("AL ZAHAR, Mahmoud Khaled", "aka", "strong", "Latn"),
        ("ZAHAR, Mahmoud", "aka", "weak", "Latn"),  # isLowQuality true
        ("AL-ZAHAR, Mahmoud", "aka", "weak", "Latn"),
    }
    [dob] = zahhar.birth_dates
    assert (dob.date_from, dob.date_to, dob.precision) == (dt.date(1945, 1, 1), dt.date(1945, 12, 31), "year")
    assert {Country("PS", "birth"), Country("PS", "nationality")} <= set(zahhar.countries)
    assert zahhar.addresses == [Address("Gaza", None, None)]  # REGION part only, no country element


def test_xml_cyrillic_translations(xml_parsed: ParsedList) -> None:
    bank = _by_id(xml_parsed)["18714"]
    names = _names(bank)
    primary_in_cyrillic = "ОТКРЫТОЕ АКЦИОНЕРНОЕ ОБЩЕСТВО СБЕР БАНК"
    assert (primary_in_cyrillic, "original_script", "strong", "Cyrl") in names
    assert ("ОАО СБЕР БАНК", "aka", "strong", "Cyrl") in names  # translation of an alias keeps its type
    assert ("BPS-SBERBANK OAO", "aka", "strong", "Latn") in names
    assert Identifier("swift", "BPSBBY2X") in bank.identifiers  # SWIFT/BIC feature
    assert Identifier("tax_id", "100219673", "BY") in bank.identifiers
    assert bank.addresses == [Address("6 Mulyavina Boulevard, Minsk, 220005, Belarus", "Minsk", "BY")]


def test_xml_chinese_scripts(xml_parsed: ParsedList) -> None:
    entries = _by_id(xml_parsed)
    assert ("旷视科技有限公司", "original_script", "strong", "Hans") in _names(entries["33091"])
    assert ("商湯集團有限公司", "original_script", "strong", "Hant") in _names(entries["33114"])
    assert entries["33114"].programs == ["CMIC-EO13959"]


def test_xml_nationality_of_registration(xml_parsed: ParsedList) -> None:
    company = _by_id(xml_parsed)["23552"]
    assert Country("RU", "jurisdiction") in company.countries
    assert Identifier("registration", "1057803105755", "RU") in company.identifiers


def test_zip_file_and_folder_with_only_the_zip(tmp_path: Path, xml_parsed: ParsedList) -> None:
    zip_path = tmp_path / "CONS_ENHANCED.ZIP"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(XML_FIX, "CONS_ENHANCED.XML")
    expected = [e.fingerprint() for e in xml_parsed.entries]
    assert [e.fingerprint() for e in us_ofac_cons.parse(zip_path).entries] == expected
    assert [e.fingerprint() for e in us_ofac_cons.parse(tmp_path).entries] == expected


def test_spec() -> None:
    spec = us_ofac_cons.SPEC
    assert (spec.key, spec.regime, spec.parse) == ("us_ofac_cons", "US", us_ofac_cons.parse)
    assert set(spec.urls) == {"cons_prim.csv", "cons_add.csv", "cons_alt.csv", "cons_comments.csv"}
    assert "cons_prim.csv" not in spec.optional_files


# --- acceptance counts ----------------------------------------------------------------------------------


def test_snapshot_csv_2025_12_19() -> None:
    parsed = us_ofac_cons.parse(SNAPSHOT / "us_ofac_cons" / "2025-12-19")
    assert len(parsed.entries) == 442
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 79, "organization": 363}
    strong_aliases = Counter(n.name_type for e in parsed.entries for n in e.names
                             if n.quality == "strong" and n.name_type != "primary")
    assert strong_aliases == {"aka": 932, "fka": 141}  # = the 1,073 cons_alt.csv rows
    assert not parsed.quarantine


def test_shared_enhanced_zip_2025_01_10(shared_lists: Path) -> None:
    parsed = us_ofac_cons.parse(shared_lists / "ofac_cons" / "2025-01-10" / "CONS_ENHANCED.ZIP")
    assert parsed.publisher_date == dt.date(2025, 1, 10)
    assert len(parsed.entries) == 443
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 80, "organization": 363}
    scripts = Counter(n.script for e in parsed.entries for n in e.names)
    assert scripts == {"Latn": 1_579, "Cyrl": 39, "Hans": 5, "Hant": 1}  # every name translation
    assert not parsed.quarantine


# --- malformed input -----------------------------------------------------------------------------------


def test_wrong_root_raises(tmp_path: Path) -> None:
    bad = tmp_path / "export.xml"
    bad.write_text('<?xml version="1.0"?><export xmlns="http://eu.europa.ec/fpi/fsd/export"/>')
    with pytest.raises(ListFormatError, match="root element is 'export'"):
        us_ofac_cons.parse(bad)


def test_not_xml_raises(tmp_path: Path) -> None:
    bad = tmp_path / "CONS_ENHANCED.XML"
    bad.write_bytes((CSV_FIX / "cons_prim.csv").read_bytes())
    with pytest.raises(ListFormatError, match="not well-formed XML"):
        us_ofac_cons.parse(bad)


def test_zip_without_xml_raises(tmp_path: Path) -> None:
    zip_path = tmp_path / "CONS_ENHANCED.ZIP"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.write(CSV_FIX / "cons_prim.csv", "cons_prim.csv")
    with pytest.raises(ListFormatError, match="expected one XML file"):
        us_ofac_cons.parse(zip_path)


def test_unusable_paths_raise(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="neither cons_prim.csv nor"):
        us_ofac_cons.parse(tmp_path)
    other = tmp_path / "cons.txt"
    other.write_text("x")
    with pytest.raises(ListFormatError, match="expected a CSV version folder"):
        us_ofac_cons.parse(other)


def test_unknown_codes_are_quarantined(tmp_path: Path) -> None:
    text = XML_FIX.read_text(encoding="utf-8")
    text = text.replace('<entityType refId="601">Entity</entityType>',
                        '<entityType refId="9">Spaceship</entityType>', 1)
    text = text.replace("<aliasType refId=\"1400\">A.K.A.</aliasType>", "<aliasType refId=\"9\">X.K.A.</aliasType>", 1)
    text = text.replace('<type refId="1571">Passport</type>', '<type refId="9">Moon Passport</type>', 1)
    bad = tmp_path / "CONS_ENHANCED.XML"
    bad.write_text(text, encoding="utf-8")
    parsed = us_ofac_cons.parse(bad)
    reasons = [q.reason for q in parsed.quarantine]
    assert "unknown entityType 'Spaceship'" in reasons
    assert "unknown aliasType 'X.K.A.'" in reasons
    assert "unknown identityDocument type 'Moon Passport'" in reasons
    assert len(parsed.entries) == 5  # only the entity of unknown type is held back
    assert _by_id(parsed)["26182"].identifiers == []


def test_csv_folder_quirks_quarantine(tmp_path: Path) -> None:
    folder = tmp_path / "version"
    shutil.copytree(CSV_FIX, folder)
    comments = (folder / "cons_comments.csv").read_bytes()
    (folder / "cons_comments.csv").write_bytes(comments.replace(b"30930,", b"99999,", 1))
    parsed = us_ofac_cons.parse(folder)
    held = {q.source_id: q.reason for q in parsed.quarantine}
    assert "not in cons_prim.csv" in held["99999"]
    assert "no continuation in cons_comments.csv" in held["30930"]  # its remarks stay cut, and say so
    assert ("CCCC", "aka", "weak", "Latn") not in _names(_by_id(parsed)["30930"])
