"""UK OFSI Consolidated List (2022 format) adapter: field mapping on a real excerpt, acceptance counts
on the bundled snapshot, the 2023 version from the shared corpus, CSV / gzip input, malformed input."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from lists.model import BirthDate, Country, Identifier, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import gb_ofsi
from tests.conftest import FIXTURES, SNAPSHOT

EXCERPT = FIXTURES / "lists" / "gb_ofsi" / "ConList_excerpt.xlsx"
SNAPSHOT_FILE = SNAPSHOT / "gb_ofsi" / "2025-04-14" / "ConList.xlsx"


@pytest.fixture(scope="module")
def excerpt() -> ParsedList:
    return gb_ofsi.parse(EXCERPT)


@pytest.fixture(scope="module")
def by_id(excerpt: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in excerpt.entries}


@pytest.fixture(scope="module")
def snapshot() -> ParsedList:
    return gb_ofsi.parse(SNAPSHOT_FILE)


def _rows(path: Path) -> list[list[str]]:
    return [[str(c) for c in row] for row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


# --- field mapping on the real excerpt ------------------------------------------------------------


def test_excerpt_groups_and_publisher_date(excerpt: ParsedList) -> None:
    assert excerpt.publisher_date == dt.date(2025, 4, 14)  # row 1: `Last Updated`, 14/04/2025
    assert len(excerpt.entries) == 12  # 84 name rows, not contiguous (the file is sorted by name)
    assert Counter(e.subject_type for e in excerpt.entries) == {"person": 6, "organization": 5, "vessel": 1}
    assert all(e.regime == "UK" for e in excerpt.entries)


def test_forenames_then_surname_and_other_information(by_id: dict[str, ListEntry]) -> None:
    e = by_id["15672"]
    assert e.subject_type == "person"
    assert e.primary_name == "Mian Abdul HAQ"  # Name 1 + Name 2 + Name 6
    assert [n.name for n in e.names if n.name_type == "variation"] == [
        "Mian MITHOO", "Mian MITHU", "Mian MITTO", "Mian MITTU",
    ]  # fmt: skip
    assert e.programs == ["Global Human Rights"]
    assert e.listed_on == dt.date(2022, 12, 9)
    assert Identifier("uk_sanctions_list_ref", "GHR0086") in e.identifiers
    assert (e.remarks or "").startswith("(UK Sanctions List Ref):GHR0086. (UK Statement of Reasons):Mian Abdul HAQ")
    assert "(Gender):Male" in (e.remarks or "") and "Title: Mr" in (e.remarks or "")
    assert set(e.countries) == {Country("PK", "nationality"), Country("PK", "birth"), Country("PK", "address")}
    assert [a.text for a in e.addresses] == ["Hafizabad Taluka Daharki, District Ghotki, Pakistan"]


def test_alias_quality_low_is_weak_and_arabic_original_script(by_id: dict[str, ListEntry]) -> None:
    names = {n.name: n for n in by_id["7059"].names}
    assert names["Said BAHAJI"] == Name("Said BAHAJI", "primary", "strong", "Latn")
    assert names["Mohamed ABBATTAY"].quality == "weak"  # Alias Quality: Low quality
    assert names["Zouheir AL MAGHRIBI"].quality == "strong"  # Good quality
    assert names["سعيد باهاجى"] == Name("سعيد باهاجى", "original_script", "strong", "Arab")


def test_enumerated_nationalities_and_passports_with_issuer(by_id: dict[str, ListEntry]) -> None:
    e = by_id["7059"]  # Nationality `(1) Germany. (2) Morocco`, Passport Number `(1) 28642163 (2) 954242`
    assert [c.code for c in e.countries if c.role == "nationality"] == ["DE", "MA"]
    assert Identifier("passport", "28642163", "DE") in e.identifiers  # `(1) German provisional. Issued …`
    assert Identifier("passport", "954242", "MA") in e.identifiers  # `(2) Moroccan. Issued on …`
    assert Identifier("national_id", "1336597587", "DE") in e.identifiers
    assert Identifier("un_reference", "QDi.080") in e.identifiers
    assert e.birth_dates == [BirthDate(dt.date(1975, 7, 15), dt.date(1975, 7, 15), "exact", "15/07/1975")]
    abramovich = by_id["14212"]
    assert [c.code for c in abramovich.countries if c.role == "nationality"] == ["RU", "IL", "PT"]
    assert Identifier("passport", "CB982788", "PT") in abramovich.identifiers
    assert Name("Роман Аркадьевич АБРАМОВИЧ", "original_script", "strong", "Cyrl") in abramovich.names


def test_zeroed_dob_parts_give_month_and_year_precision(by_id: dict[str, ListEntry]) -> None:
    dobs = {b.text: b for b in by_id["12629"].birth_dates}
    assert dobs["00/08/1977"] == BirthDate(dt.date(1977, 8, 1), dt.date(1977, 8, 31), "month", "00/08/1977")
    assert dobs["00/00/1976"] == BirthDate(dt.date(1976, 1, 1), dt.date(1976, 12, 31), "year", "00/00/1976")
    assert len(dobs) == 3  # 30 cross-product rows, 3 distinct dates


def test_ship_imo_and_flag(by_id: dict[str, ListEntry]) -> None:
    e = by_id["13651"]
    assert (e.subject_type, e.primary_name) == ("vessel", "SAM JONG 2")
    assert Identifier("imo", "7408873") in e.identifiers
    assert e.countries == [Country("KP", "flag")]
    assert len([n for n in e.names if n.name_type == "aka"]) == 8


def test_business_registration_numbers(by_id: dict[str, ListEntry]) -> None:
    assert Identifier("tax_id", "7718763393") in by_id["16429"].identifiers  # `(Business Reg No):TIN - 7718763393`
    assert Identifier("registration", "33866023") in by_id["16789"].identifiers


def test_several_regimes_and_primary_names(by_id: dict[str, ListEntry]) -> None:
    e = by_id["11241"]
    assert e.programs == ["Iran (Nuclear)", "Syria"]
    assert [i.number for i in e.identifiers if i.id_type == "uk_sanctions_list_ref"] == ["INU0082", "SYR0310"]
    assert [n.name for n in e.names if n.name_type == "primary"] == [e.primary_name]
    # the group's second `Primary name` row is kept as a variation
    assert Name("ISLAMIC REVOLUTIONARY GUARDS CORPS - QODS FORCE", "variation", "strong", "Latn") in e.names


def test_group_without_primary_row_and_chinese_script(by_id: dict[str, ListEntry]) -> None:
    e = by_id["16789"]  # its only row is a `Primary name variation`
    assert e.primary_name == "PREMERA (H.K.) INTERNATIONAL CO, LIMITED"
    assert Name("普萊米樂(香港)國際貿易有限公司", "original_script", "strong", "Hant", "zh") in e.names
    assert by_id["16601"].primary_name == "33RD SCIENTIFIC RESEARCH AND TESTING INSTITUTE"


def test_fka_and_latin_spelling_in_non_latin_column(by_id: dict[str, ListEntry]) -> None:
    e = by_id["13189"]
    assert {n.name for n in e.names if n.name_type == "fka"} == {
        "ADF/NALU", "NALU", "FORCES DEMOCRATIQUES ALLIEES-ARMEE NATIONALE DE LIBERATION DE L'OUGANDA",
    }  # fmt: skip
    accented = "Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda"
    assert Name(accented, "variation", "strong", "Latn") in e.names
    assert e.countries == [Country("CD", "address")]  # `Congo (Democratic Republic)`


def test_unrecognised_country_is_quarantined_entry_kept(excerpt: ParsedList, by_id: dict[str, ListEntry]) -> None:
    assert [(q.reason, q.raw, q.source_id) for q in excerpt.quarantine] == [
        ("unrecognised country (entry kept)", "USSR", "13721"),  # Country of Birth: a former country
        ("unrecognised country (entry kept)", "Yakut Autonomous SSR", "13523"),
    ]
    assert by_id["13721"].countries == [Country("UA", "nationality"), Country("UA", "address")]
    assert by_id["13523"].countries == [Country("RU", "nationality")]


# --- CSV and gzip copies ----------------------------------------------------------------------------


def test_csv_and_gzip_copies_parse_the_same(tmp_path: Path, excerpt: ParsedList) -> None:
    expected = [e.fingerprint() for e in excerpt.entries]
    as_csv = gb_ofsi.parse(_write_csv(tmp_path / "ConList.csv", _rows(EXCERPT)))
    assert [e.fingerprint() for e in as_csv.entries] == expected
    assert as_csv.publisher_date == excerpt.publisher_date
    gz = tmp_path / "ConList.xlsx.gz"
    gz.write_bytes(gzip.compress(EXCERPT.read_bytes()))
    assert [e.fingerprint() for e in gb_ofsi.parse(gz).entries] == expected


# --- malformed input ---------------------------------------------------------------------------------


def test_missing_required_columns_raise(tmp_path: Path) -> None:
    rows = _rows(EXCERPT)
    drop = {rows[1].index("Group ID"), rows[1].index("Alias Type")}
    broken = [[c for i, c in enumerate(row) if i not in drop] for row in rows]
    with pytest.raises(ListFormatError, match=r"missing columns \['Alias Type', 'Group ID'\]"):
        gb_ofsi.parse(_write_csv(tmp_path / "ConList.csv", broken))


def test_not_a_workbook_raises(tmp_path: Path) -> None:
    bad = tmp_path / "ConList.xlsx"
    bad.write_bytes(b"<html>Service unavailable</html>")
    with pytest.raises(ListFormatError, match="not a readable Excel workbook"):
        gb_ofsi.parse(bad)


def test_unknown_group_type_and_alias_type_are_quarantined(tmp_path: Path) -> None:
    rows = _rows(EXCERPT)
    header = rows[1]
    gid, gtype, atype = header.index("Group ID"), header.index("Group Type"), header.index("Alias Type")
    for row in rows[2:]:
        if row[gid] == "16429":
            row[gtype] = "Aircraft"
        if row[gid] == "15672" and row[atype] == "Primary name":
            row[atype] = "Nickname"
    parsed = gb_ofsi.parse(_write_csv(tmp_path / "ConList.csv", rows))
    reasons = {(q.source_id, q.reason) for q in parsed.quarantine}
    assert ("16429", "unknown or conflicting Group Type ['Aircraft']") in reasons
    assert ("15672", "unknown Alias Type 'Nickname' or Alias Quality ''") in reasons
    ids = {e.source_id for e in parsed.entries}
    assert "16429" not in ids and len(ids) == 11
    haq = next(e for e in parsed.entries if e.source_id == "15672")
    assert "Mian Abdul HAQ" not in [n.name for n in haq.names]  # the unreadable row is not guessed


# --- acceptance counts: bundled snapshot and shared corpus -------------------------------------------


def test_snapshot_acceptance_counts(snapshot: ParsedList) -> None:
    assert len(_rows(SNAPSHOT_FILE)) - 2 == 18_798  # name rows under `Last Updated` + header
    assert snapshot.publisher_date == dt.date(2025, 4, 14)
    assert len(snapshot.entries) == 4_688
    assert Counter(e.subject_type for e in snapshot.entries) == {"person": 3_663, "organization": 1_010, "vessel": 15}
    assert len({e.source_id for e in snapshot.entries}) == 4_688
    assert len(snapshot.quarantine) <= 10 and all(q.source_id for q in snapshot.quarantine)
    assert gb_ofsi.SPEC.min_entries <= len(snapshot.entries)


def test_snapshot_name_quality_and_scripts(snapshot: ParsedList) -> None:
    names = [n for e in snapshot.entries for n in e.names]
    assert sum(n.quality == "weak" for n in names) == 642
    assert sum(n.name_type == "original_script" for n in names) == 3_065
    assert sum(n.script == "Cyrl" for n in names) == 2_321
    uk_refs = [i for e in snapshot.entries for i in e.identifiers if i.id_type == "uk_sanctions_list_ref"]
    assert len({i.number for i in uk_refs}) == len(uk_refs) == 4_700  # one group lacks a ref, some have two


def test_shared_2023_version_counts(shared_lists: Path) -> None:
    folder = next((shared_lists / k / "2023-06-05" for k in ("gb_ofsi", "uk_ofsi") if (shared_lists / k).is_dir()), None)
    if folder is None:
        pytest.skip("OFSI 2023-06-05 not in the shared corpus")
    parsed = gb_ofsi.parse(folder / "ConList.xlsx")
    assert parsed.publisher_date == dt.date(2023, 6, 5)
    assert len(parsed.entries) == 3_993
    assert Counter(e.subject_type for e in parsed.entries) == {"person": 3_231, "organization": 747, "vessel": 15}
