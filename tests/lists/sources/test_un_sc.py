"""UN Security Council Consolidated List adapter: field mapping on real excerpts, acceptance counts
on the bundled snapshot, history counts and deltas on the shared corpus, malformed input."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from lists.model import BirthDate, Country, Identifier, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import un_sc
from tests.conftest import FIXTURES, SNAPSHOT

HERE = FIXTURES / "lists" / "un_sc"
EXCERPT_2026 = HERE / "consolidated_2026-02-27_excerpt.xml"
EXCERPT_2024 = HERE / "consolidated_2024-11-30_excerpt.xml"
EXCERPT_LEGACY = HERE / "consolidatedLegacyByPRN_2025-11-15_excerpt.xml"


@pytest.fixture(scope="module")
def excerpt() -> ParsedList:
    return un_sc.parse(EXCERPT_2026)


@pytest.fixture(scope="module")
def by_id(excerpt: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in excerpt.entries}


def _names(entry: ListEntry, name_type: str | None = None) -> list[Name]:
    return [n for n in entry.names if name_type is None or n.name_type == name_type]


@lru_cache(maxsize=None)
def _parsed(path: Path) -> ParsedList:
    """Each full file is parsed once per test session (they take a few tenths of a second)."""
    return un_sc.parse(path)


def _ids(path: Path) -> set[str]:
    return {e.source_id for e in _parsed(path).entries}


def _original_script_count(parsed: ParsedList) -> int:
    return sum(1 for e in parsed.entries for n in e.names if n.name_type == "original_script")


# --- field mapping on real excerpts -------------------------------------------------------------


def test_excerpt_entries_and_publisher_date(excerpt: ParsedList) -> None:
    assert excerpt.publisher_date == dt.date(2026, 2, 27)
    assert Counter(e.subject_type for e in excerpt.entries) == {"person": 13, "organization": 5}
    assert all(e.regime == "UN" for e in excerpt.entries)


def test_individual_name_parts_programs_listing(by_id: dict[str, ListEntry]) -> None:
    e = by_id["TAi.002"]
    assert e.subject_type == "person"
    assert e.primary_name == "MOHAMMAD HASSAN AKHUND"  # FIRST + SECOND + THIRD_NAME
    assert e.programs == ["Taliban"]
    assert e.listed_on == dt.date(2001, 1, 25)
    assert e.names[0] == Name("MOHAMMAD HASSAN AKHUND", "primary", "strong", "Latn")
    assert "Title: Mullah; Haji" in (e.remarks or "")
    assert "Place of birth: Pashmul village, Panjwai District, Kandahar Province, Afghanistan" in (e.remarks or "")


def test_original_script_names_with_detected_script(by_id: dict[str, ListEntry]) -> None:
    assert _names(by_id["TAi.002"], "original_script") == [Name("محمد حسن آخوند", "original_script", "strong", "Arab")]
    assert _names(by_id["QDi.290"], "original_script") == [
        Name("Умаров Доку Хаматович", "original_script", "strong", "Cyrl")
    ]
    # QDe.164 publishes its "original script" name in Latin letters: kept, script says so
    assert _names(by_id["QDe.164"], "original_script") == [
        Name("JAMAAH ANSHARUT DAULAH", "original_script", "strong", "Latn")
    ]


def test_alias_quality_good_strong_low_weak(by_id: dict[str, ListEntry]) -> None:
    aliases = {n.name: n.quality for n in _names(by_id["QDi.291"], "aka")}
    assert aliases["Ibrahim Hasan Talea Aseeri"] == "strong"  # QUALITY Good
    assert aliases["Abu Saleh"] == "weak"  # QUALITY Low
    assert aliases["Abosslah"] == "weak"
    # 9 published strong aliases, plus the two names "Ibrahim Hassan Tali Asiri (إبراهيم حسن طالع عسيري)" lists
    assert aliases["Ibrahim Hassan Tali Asiri"] == aliases["إبراهيم حسن طالع عسيري"] == "strong"
    assert Counter(aliases.values()) == {"strong": 11, "weak": 3}


def test_placeholder_alias_is_skipped(by_id: dict[str, ListEntry]) -> None:
    # CDi.001 has only <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
    assert by_id["CDi.001"].names == [Name("ERIC BADEGE", "primary", "strong", "Latn")]


def test_entity_aliases_aka_and_fka(by_id: dict[str, ListEntry]) -> None:
    e = by_id["CDe.001"]
    assert e.subject_type == "organization"
    assert e.primary_name == "ADF"
    assert [n.name for n in _names(e, "aka")] == ["Allied Democratic Forces"]
    assert [n.name for n in _names(e, "fka")] == [
        "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda",
        "ADF/NALU",
        "NALU",
    ]
    assert all(n.quality == "strong" for n in e.names)


def test_reference_number_trailing_space_and_chinese_alias(by_id: dict[str, ListEntry]) -> None:
    e = by_id["KPe.055"]  # published as "KPe.055 "
    assert Name("長安海連技術有限公司", "aka", "strong", "Hant") in e.names


def test_birth_date_types(by_id: dict[str, ListEntry]) -> None:
    # EXACT + YEAR
    assert by_id["CDi.001"].birth_dates == [
        BirthDate(dt.date(1971, 1, 1), dt.date(1971, 12, 31), "year", "1971")
    ]
    # placeholder <TYPE_OF_DATE/> only → nothing
    assert by_id["CDi.002"].birth_dates == []
    # EXACT with the date only in NOTE "Nov. 1973 "
    assert by_id["CDi.004"].birth_dates == [
        BirthDate(dt.date(1973, 11, 1), dt.date(1973, 11, 30), "month", "Nov. 1973")
    ]
    # BETWEEN FROM_YEAR/TO_YEAR (+ NOTE Approximately)
    assert by_id["TAi.002"].birth_dates == [
        BirthDate(dt.date(1955, 1, 1), dt.date(1958, 12, 31), "range", "1955-1958 (Approximately)"),
        BirthDate(dt.date(1945, 1, 1), dt.date(1950, 12, 31), "range", "1945-1950 (Approximately)"),
    ]
    # APPROXIMATELY + YEAR, then a DOB stated on an alias
    tai043 = by_id["TAi.043"].birth_dates
    assert tai043[0] == BirthDate(dt.date(1955, 1, 1), dt.date(1955, 12, 31), "approximate", "approximately 1955")
    assert (tai043[1].date_from, tai043[1].precision) == (dt.date(1969, 1, 1), "exact")
    # YEAR 1958 + NOTE "Sep." = September 1958
    assert by_id["QDi.395"].birth_dates == [
        BirthDate(dt.date(1958, 9, 1), dt.date(1958, 9, 30), "month", "Sep. 1958")
    ]
    # NOTE "Between Aug. and Sep. 1977" → range
    assert by_id["QDi.306"].birth_dates[0] == BirthDate(
        dt.date(1977, 8, 1), dt.date(1977, 9, 30), "range", "Between Aug. and Sep. 1977"
    )


def test_alias_birth_dates_do_not_duplicate_main_ones(by_id: dict[str, ListEntry]) -> None:
    dates = [(b.date_from, b.precision) for b in by_id["QDi.290"].birth_dates]
    assert dates == [
        (dt.date(1964, 4, 13), "exact"),
        (dt.date(1965, 4, 13), "exact"),
        (dt.date(1964, 5, 12), "exact"),
        (dt.date(1955, 1, 1), "year"),
    ]


def test_undatable_birth_dates_go_to_remarks(by_id: dict[str, ListEntry]) -> None:
    qdi291 = by_id["QDi.291"]
    assert [b.text for b in qdi291.birth_dates] == ["1982-04-19", "1982-04-18"]
    assert "Date of birth (exact): 24/06/1402 (Hijri Calendar)" in (qdi291.remarks or "")
    lyi022 = by_id["LYi.022"]
    assert lyi022.birth_dates == []
    assert "Date of birth (approximately): 30-35 years old" in (lyi022.remarks or "")


def test_countries_nationality_birth_address(by_id: dict[str, ListEntry]) -> None:
    assert by_id["CDi.001"].countries == [Country("CD", "nationality"), Country("RW", "address")]
    assert Country("SA", "birth") in by_id["QDi.291"].countries
    # SDi.001 nationality "na" = not available, never Namibia
    assert all(c.role != "nationality" for c in by_id["SDi.001"].countries)
    assert by_id["SDi.001"].countries == [Country("SD", "address")]


def test_unmappable_country_is_quarantined_entry_kept(excerpt: ParsedList, by_id: dict[str, ListEntry]) -> None:
    assert [(q.source_id, q.reason) for q in excerpt.quarantine] == [
        ("QDi.290", "unrecognised nationality country 'former Soviet Union'")
    ]
    assert Country("RU", "nationality") in by_id["QDi.290"].countries


def test_documents(by_id: dict[str, ListEntry]) -> None:
    assert by_id["QDi.291"].identifiers == [
        Identifier("passport", "F654645", "SA"),
        Identifier("national_id", "1028745097", "SA"),
    ]
    assert by_id["KPi.006"].identifiers == [Identifier("passport", "381420754", None)]  # "Numéro de passeport"
    # documents published without a NUMBER are no identifiers; their text is kept in remarks
    qdi060 = by_id["QDi.060"]
    assert qdi060.identifiers == []
    assert "Passport: Tunisian passport number L 191609 issued on 28 Feb. 1996" in (qdi060.remarks or "")
    assert "National Identification Number: Italian Fiscal Code: DAOMMD74T11Z352Z" in (qdi060.remarks or "")


def test_addresses(by_id: dict[str, ListEntry]) -> None:
    assert [(a.text, a.city, a.country) for a in by_id["CDi.001"].addresses] == [
        ("Rwanda (as of early 2016)", None, "RW")
    ]
    sdi001 = by_id["SDi.001"].addresses[0]
    assert (sdi001.text, sdi001.city, sdi001.country) == ("El Waha, Omdurman, Sudan", "Omdurman", "SD")


def test_alias_note_in_remarks(by_id: dict[str, ListEntry]) -> None:
    assert "Alias 'Al Kawthar Co.': in Arabic script: شركة الكوثر" in (by_id["QDe.157"].remarks or "")


def test_2024_format_nameless_alias_dates_and_document_spelling() -> None:
    parsed = un_sc.parse(EXCERPT_2024)
    assert parsed.publisher_date == dt.date(2024, 11, 30)
    assert parsed.quarantine == []
    by_id = {e.source_id: e for e in parsed.entries}
    assert set(by_id) == {"TAi.004", "QDi.336", "KPe.001"}
    # nameless <INDIVIDUAL_ALIAS> elements carrying only DATE_OF_BIRTH 1960 / 1953
    assert [(b.text, b.precision) for b in by_id["TAi.004"].birth_dates] == [
        ("approximately 1966", "approximate"),
        ("1960", "year"),
        ("1953", "year"),
    ]
    assert by_id["QDi.336"].identifiers == [Identifier("national_id", "00351762055", None)]


def test_legacy_by_prn_ordering_parses_the_same_way() -> None:
    parsed = un_sc.parse(EXCERPT_LEGACY)
    assert parsed.publisher_date == dt.date(2025, 11, 15)
    assert [(e.source_id, e.subject_type) for e in parsed.entries] == [
        ("CDi.001", "person"),
        ("IQi.074", "person"),
        ("IRe.001", "organization"),
    ]
    same = {e.source_id: e for e in un_sc.parse(EXCERPT_2026).entries}["CDi.001"]
    legacy = parsed.entries[0]
    assert legacy.fingerprint() == same.fingerprint()  # unchanged between the two versions


# --- acceptance counts on the bundled snapshot --------------------------------------------------


def test_snapshot_2026_02_27_counts() -> None:
    folder = SNAPSHOT / "un_sc" / "2026-02-27"
    parsed = _parsed(folder)  # the version folder; the file inside is gzipped
    assert parsed.publisher_date == dt.date(2026, 2, 27)
    assert len(parsed.entries) == 1003
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 730, "organization": 273}
    assert _original_script_count(parsed) == 378
    assert len({e.source_id for e in parsed.entries}) == 1003
    assert len(parsed.entries) >= un_sc.SPEC.min_entries
    assert [q.source_id for q in parsed.quarantine] == ["QDi.290"]


def test_names_listed_in_a_trailing_bracket_are_aliases_too() -> None:
    by_id = {e.source_id: e for e in _parsed(SNAPSHOT / "un_sc" / "2026-02-27").entries}
    aliases = {n.name: n for n in _names(by_id["QDe.137"], "aka")}
    # the published alias is kept whole, and each name it lists is an alias of the same quality
    assert any(name.startswith("جبهة فتح الشام (Jabhat Fath al Sham;") for name in aliases)
    for name, script in [("جبهة فتح الشام", "Arab"), ("Jabhat Fath al-Sham", "Latn"), ("Fateh al-Sham Front", "Latn"),
                         ("Hay’at Tahrir al-Sham (HTS)", "Latn"), ("هيئة تحرير الشام", "Arab"),
                         ("Ansar al-Mujahideen Network", "Latn")]:
        assert aliases[name].quality == "strong" and aliases[name].script == script, name
    assert not any("original script" in name or "sub-unit name" in name for name in aliases if "(" not in name)
    names = {n.name for n in by_id["QDi.398"].names}
    assert "Абу Мухаммад Аль-Кадари" in names and "Abu Muhammad Al-Kadari" in names


# --- older versions from the shared corpus -------------------------------------------------------


def test_shared_2025_11_15_legacy_by_prn_counts(shared_lists: Path) -> None:
    parsed = _parsed(shared_lists / "un_sc" / "2025-11-15" / "consolidatedLegacyByPRN.xml")
    assert parsed.publisher_date == dt.date(2025, 11, 15)
    assert len(parsed.entries) == 1000
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 727, "organization": 273}


def test_shared_2024_11_30_counts(shared_lists: Path) -> None:
    parsed = _parsed(shared_lists / "un_sc" / "2024-11-30" / "consolidated.xml")
    assert parsed.publisher_date == dt.date(2024, 11, 30)
    assert len(parsed.entries) == 879
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 686, "organization": 193}


def test_shared_real_deltas_between_versions(shared_lists: Path) -> None:
    v2024 = _ids(shared_lists / "un_sc" / "2024-11-30" / "consolidated.xml")
    v2025 = _ids(shared_lists / "un_sc" / "2025-11-15" / "consolidatedLegacyByPRN.xml")
    v2026 = _ids(SNAPSHOT / "un_sc" / "2026-02-27")
    assert (len(v2025 - v2024), len(v2024 - v2025)) == (126, 5)
    assert sorted(v2026 - v2025) == ["SDi.007", "SDi.008", "SDi.009", "SDi.010"]
    assert sorted(v2025 - v2026) == ["IQi.074"]


# --- malformed input ------------------------------------------------------------------------------


def _variant(tmp_path: Path, old: bytes, new: bytes, source: Path = EXCERPT_2026) -> Path:
    data = source.read_bytes()
    assert old in data
    out = tmp_path / "consolidated.xml"
    out.write_bytes(data.replace(old, new, 1))
    return out


def test_wrong_root_element_raises(tmp_path: Path) -> None:
    data = EXCERPT_2026.read_bytes().replace(b"CONSOLIDATED_LIST", b"SANCTIONS_LIST")
    (tmp_path / "consolidated.xml").write_bytes(data)
    with pytest.raises(ListFormatError, match="root element"):
        un_sc.parse(tmp_path / "consolidated.xml")


def test_not_xml_raises(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(EXCERPT_2026.read_bytes()[:5000])  # truncated download
    with pytest.raises(ListFormatError, match="not well-formed"):
        un_sc.parse(path)


def test_missing_group_raises(tmp_path: Path) -> None:
    data = EXCERPT_2026.read_bytes()
    start, end = data.index(b"  <ENTITIES>"), data.index(b"</ENTITIES>\n") + len(b"</ENTITIES>\n")
    (tmp_path / "consolidated.xml").write_bytes(data[:start] + data[end:])
    with pytest.raises(ListFormatError, match="no <ENTITIES>"):
        un_sc.parse(tmp_path / "consolidated.xml")


def test_folder_without_the_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="consolidated.xml"):
        un_sc.parse(tmp_path)


def test_unknown_record_element_is_quarantined(tmp_path: Path) -> None:
    path = _variant(tmp_path, b"<ENTITY>\n      <DATAID>", b"<VESSEL>\n      <DATAID>")
    text = path.read_text(encoding="utf-8")
    first_close = text.index("</ENTITY>\n")
    path.write_text(text[:first_close] + "</VESSEL>\n" + text[first_close + len("</ENTITY>\n") :], encoding="utf-8")
    parsed = un_sc.parse(path)
    assert len(parsed.entries) == 17
    assert any(q.reason == "unknown element <VESSEL> in <ENTITIES>" for q in parsed.quarantine)


def test_record_without_reference_number_is_quarantined(tmp_path: Path) -> None:
    parsed = un_sc.parse(_variant(tmp_path, b"<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>", b"<REFERENCE_NUMBER/>"))
    assert "CDi.001" not in {e.source_id for e in parsed.entries}
    assert len(parsed.entries) == 17
    assert any(q.reason == "record without REFERENCE_NUMBER" and "ERIC" in q.raw for q in parsed.quarantine)


def test_unknown_alias_quality_is_quarantined_name_kept_strong(tmp_path: Path) -> None:
    parsed = un_sc.parse(
        _variant(
            tmp_path,
            b"<QUALITY>Low</QUALITY>\n        <ALIAS_NAME>India Queen",
            b"<QUALITY>Medium</QUALITY>\n        <ALIAS_NAME>India Queen",
        )
    )
    e = {x.source_id: x for x in parsed.entries}["CDi.004"]
    assert Name("India Queen", "aka", "strong", "Latn") in e.names
    assert any(q.source_id == "CDi.004" and "unknown alias QUALITY 'medium'" in q.reason for q in parsed.quarantine)


def test_unknown_date_type_and_document_type_are_quarantined(tmp_path: Path) -> None:
    path = _variant(
        tmp_path,
        b"<TYPE_OF_DATE>EXACT</TYPE_OF_DATE>\n        <NOTE>Nov. 1973",
        b"<TYPE_OF_DATE>GUESSED</TYPE_OF_DATE>\n        <NOTE>Nov. 1973",
    )
    data = path.read_bytes().replace(
        b"<TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT>\n        <NUMBER>F654645",
        b"<TYPE_OF_DOCUMENT>Laissez-passer</TYPE_OF_DOCUMENT>\n        <NUMBER>F654645",
        1,
    )
    path.write_bytes(data)
    parsed = un_sc.parse(path)
    reasons = {(q.source_id, q.reason) for q in parsed.quarantine}
    assert ("CDi.004", "unknown TYPE_OF_DATE 'GUESSED'") in reasons
    assert ("QDi.291", "unknown TYPE_OF_DOCUMENT 'Laissez-passer'") in reasons
    e = {x.source_id: x for x in parsed.entries}
    assert e["CDi.004"].birth_dates == []
    assert e["QDi.291"].identifiers == [Identifier("national_id", "1028745097", "SA")]


def test_spec() -> None:
    spec = un_sc.SPEC
    assert (spec.key, spec.regime, spec.mandatory) == ("un_sc", "UN", True)
    assert spec.urls == {"consolidated.xml": "https://scsanctions.un.org/resources/xml/en/consolidated.xml"}
    assert spec.parse is un_sc.parse
