"""OFAC SDN legacy CSV set: field mapping on a real excerpt, acceptance counts, malformed input."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest

from lists.model import Address, Country, Identifier, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import us_ofac_sdn
from tests.conftest import FIXTURES, SNAPSHOT

FIX = FIXTURES / "lists" / "us_ofac_sdn" / "2023-12-28"


@pytest.fixture(scope="module")
def parsed() -> ParsedList:
    return us_ofac_sdn.parse(FIX)


@pytest.fixture(scope="module")
def by_id(parsed: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in parsed.entries}


def _names(entry: ListEntry) -> set[tuple[str, str, str]]:
    return {(n.name, n.name_type, n.quality) for n in entry.names}


def _ids(entry: ListEntry, id_type: str) -> list[Identifier]:
    return [i for i in entry.identifiers if i.id_type == id_type]


def _reasons(parsed: ParsedList, source_id: str) -> list[str]:
    return [q.reason for q in parsed.quarantine if q.source_id == source_id]


# --- the excerpt keeps the published quirks ---------------------------------------------------------


def test_fixture_keeps_original_bytes() -> None:
    sdn = (FIX / "sdn.csv").read_bytes()
    assert sdn.endswith(b"\r\n\x1a") and b"-0- ," in sdn
    comments = (FIX / "sdn_comments.csv").read_bytes()
    assert comments.endswith(b"\x1a") and b"\r\n" not in comments  # this copy has LF line ends


def test_excerpt_entries_and_types(parsed: ParsedList) -> None:
    assert len(parsed.entries) == 17
    assert parsed.publisher_date is None  # the legacy CSV carries no date
    assert Counter(e.subject_type for e in parsed.entries) == {
        "person": 9, "organization": 5, "vessel": 2, "aircraft": 1}
    assert all(e.regime == "US" for e in parsed.entries)


# --- persons ---------------------------------------------------------------------------------------


def test_individual_remarks_are_read(by_id: dict[str, ListEntry]) -> None:
    qasemi = by_id["11786"]
    assert qasemi.subject_type == "person"
    assert qasemi.primary_name == "QASEMI, Rostam"  # published `LAST, First` form kept
    assert qasemi.programs == ["SDGT", "NPWMD", "IRGC", "IFSR"]
    [dob] = qasemi.birth_dates
    assert (dob.date_from, dob.date_to, dob.precision) == (dt.date(1964, 5, 22), dt.date(1964, 5, 22), "exact")
    assert set(qasemi.countries) == {
        Country("IR", "birth"), Country("IR", "nationality"), Country("IR", "citizenship"), Country("IR", "address")}
    assert _ids(qasemi, "passport") == [Identifier("passport", "A2463775", "IR")]
    assert _ids(qasemi, "national_id") == [Identifier("national_id", "6579726970", "IR")]
    assert qasemi.addresses == [Address("Iran", None, "IR")]
    assert qasemi.remarks is not None and qasemi.remarks.startswith("DOB 22 May 1964; POB Lamerd, Iran")


@pytest.mark.parametrize(
    ("ent_num", "expected"),
    [
        ("7854", [(dt.date(1946, 1, 1), dt.date(1946, 12, 31), "approximate", "circa 1946"),
                  (dt.date(1949, 1, 1), dt.date(1949, 12, 31), "year", "1949")]),
        ("30511", [(dt.date(1956, 7, 1), dt.date(1956, 7, 31), "month", "Jul 1956")]),
        ("17166", [(dt.date(1973, 1, 1), dt.date(1973, 12, 31), "year", "01 Jan 1973 to 31 Dec 1973")]),
        ("23470", [(dt.date(1962, 3, 1), dt.date(1963, 2, 28), "range", "Mar 1962 to Feb 1963")]),
    ],
)
def test_birth_date_forms(by_id: dict[str, ListEntry], ent_num: str, expected: list[tuple]) -> None:
    got = [(b.date_from, b.date_to, b.precision, b.text) for b in by_id[ent_num].birth_dates]
    assert got == expected


def test_mexican_tax_and_curp(by_id: dict[str, ListEntry]) -> None:
    villa = by_id["15843"]
    assert Identifier("tax_id", "39037400668", "MX") in villa.identifiers
    assert Identifier("national_id", "VISA740131HGRLNR07", "MX") in villa.identifiers  # C.U.R.P.
    assert Country("MX", "birth") in villa.countries  # `POB Guerrero, Mexico`


def test_unrecognised_nationality_is_noted_not_dropped(parsed: ParsedList, by_id: dict[str, ListEntry]) -> None:
    dhess = by_id["7940"]  # `nationality possibly Palestinian;arrested 23 Apr 2002`
    assert Country("IQ", "birth") in dhess.countries
    assert not any(c.role == "nationality" for c in dhess.countries)
    assert any("possibly Palestinian" in r for r in _reasons(parsed, "7940"))
    assert ("ABU ALI", "aka", "weak") in _names(dhess)


def test_region_country_of_address(by_id: dict[str, ListEntry]) -> None:
    zahhar = by_id["9647"]
    assert zahhar.programs == ["SDGT", "NS-PLC"]
    assert Address("Region: Gaza", None, "PS") in zahhar.addresses
    assert {Country("PS", "nationality"), Country("PS", "address")} <= set(zahhar.countries)


# --- names -------------------------------------------------------------------------------------------


def test_alt_rows_strong_remark_akas_weak(by_id: dict[str, ListEntry]) -> None:
    bnc = by_id["306"]
    assert _names(bnc) == {
        ("BANCO NACIONAL DE CUBA", "primary", "strong"),
        ("NATIONAL BANK OF CUBA", "aka", "strong"),  # alt.csv
        ("BNC", "aka", "weak"),  # a.k.a. 'BNC' in remarks
    }
    assert all(n.script == "Latn" for n in bnc.names)


def test_nka_and_fka(by_id: dict[str, ListEntry]) -> None:
    assert ("NUEVO CONTINENTE S.A.", "nka", "strong") in _names(by_id["8244"])
    assert {("ANA I", "fka", "weak"), ("SAND SWAN", "fka", "weak")} <= _names(by_id["4243"])


def test_quoted_alias_with_inner_apostrophe(by_id: dict[str, ListEntry]) -> None:
    names = _names(by_id["17166"])
    assert ("KUWAITI, Abu Shaima'", "aka", "weak") in names
    assert ("AL-'ANZI, 'Abd al-Rahman Khalaf", "aka", "strong") in names


# --- vessels, aircraft, organisations ------------------------------------------------------------------


def test_vessel_imo_flag_call_sign(by_id: dict[str, ListEntry]) -> None:
    ebano = by_id["4243"]
    assert ebano.subject_type == "vessel"
    assert ebano.identifiers == [Identifier("imo", "7406784")]
    assert ebano.countries == [Country("PA", "flag")]
    mar_azul = by_id["4238"]
    assert Identifier("call_sign", "CL2192") in mar_azul.identifiers
    assert Country("CU", "flag") in mar_azul.countries
    assert mar_azul.addresses == []  # its add.csv row is all `-0-`


def test_aircraft(by_id: dict[str, ListEntry]) -> None:
    plane = by_id["15431"]
    assert plane.subject_type == "aircraft" and plane.primary_name == "EP-GOM"
    assert _ids(plane, "aircraft_serial") == [Identifier("aircraft_serial", "8401"),
                                              Identifier("aircraft_serial", "1023409321")]


def test_program_split_and_organisation(by_id: dict[str, ListEntry]) -> None:
    pkk = by_id["4702"]
    assert pkk.subject_type == "organization"  # SDN_Type `-0- `
    assert pkk.programs == ["SDNTK", "FTO", "SDGT"]


def test_organisation_ids_and_addresses(by_id: dict[str, ListEntry]) -> None:
    aero = by_id["8244"]
    assert Identifier("tax_id", "8300720300", "CO") in aero.identifiers  # NIT #
    assert Identifier("tax_id", "20108363101", "PE") in aero.identifiers  # RUC #
    bnc = by_id["306"]
    assert Address("Zweierstrasse 35, Zurich CH-8022, Switzerland", "Zurich CH-8022", "CH") in bnc.addresses
    assert len(bnc.addresses) == 4


# --- remarks continued in sdn_comments.csv -------------------------------------------------------------


def test_remarks_continuation_appended(by_id: dict[str, ListEntry]) -> None:
    lazarus = by_id["27307"]
    assert ("WHOIS HACKING TEAM", "aka", "weak") in _names(lazarus)  # cut as `'WHOIS HACKIN` + `G TEAM'`
    assert ("APPLEWORM", "aka", "weak") in _names(lazarus)
    sber = by_id["17018"]
    assert sber.remarks is not None and "Listing Date (EO 14024 Directive 3): 24 Feb 2022" in sber.remarks
    assert Identifier("tax_id", "7707083893", "RU") in sber.identifiers  # only in the continuation
    assert Identifier("swift", "SABRRUMM") in sber.identifiers


def test_comment_for_unlisted_entry_is_quarantined(parsed: ParsedList) -> None:
    [orphan] = [q for q in parsed.quarantine if q.source_id == "12300"]
    assert "not in sdn.csv" in orphan.reason
    assert orphan.raw.startswith("12300,")


def test_cut_remarks_without_continuation_noted(parsed: ParsedList, by_id: dict[str, ListEntry]) -> None:
    assert "29703" in by_id  # kept, with the text it has
    assert any("cut at 1000" in r for r in _reasons(parsed, "29703"))


def test_gzipped_copies_parse_the_same(tmp_path: Path, parsed: ParsedList) -> None:
    for src in FIX.iterdir():
        (tmp_path / (src.name + ".gz")).write_bytes(gzip.compress(src.read_bytes()))
    again = us_ofac_sdn.parse(tmp_path)
    assert [e.fingerprint() for e in again.entries] == [e.fingerprint() for e in parsed.entries]


def test_spec() -> None:
    spec = us_ofac_sdn.SPEC
    assert (spec.key, spec.regime, spec.parse) == ("us_ofac_sdn", "US", us_ofac_sdn.parse)
    assert set(spec.urls) == {"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"}
    assert spec.optional_files == {"add.csv", "alt.csv", "sdn_comments.csv"}
    assert all(url.startswith("https://sanctionslistservice.ofac.treas.gov/") for url in spec.urls.values())


# --- acceptance counts ----------------------------------------------------------------------------------


def _alias_counts(parsed: ParsedList) -> Counter[str]:
    return Counter(n.name_type for e in parsed.entries for n in e.names
                   if n.quality == "strong" and n.name_type != "primary")


def test_snapshot_2023_12_28() -> None:
    parsed = us_ofac_sdn.parse(SNAPSHOT / "us_ofac_sdn" / "2023-12-28")
    assert len(parsed.entries) == 13_821
    assert Counter(e.subject_type for e in parsed.entries) == {
        "person": 6_646, "organization": 6_033, "vessel": 764, "aircraft": 378}
    aliases = _alias_counts(parsed)
    assert sum(aliases.values()) == 17_091  # every alt.csv row, all strong
    assert aliases == {"aka": 16_507, "fka": 567, "nka": 17}
    assert sum(n.quality == "weak" for e in parsed.entries for n in e.names) > 3_000  # remark a.k.a.s on top
    assert {q.source_id for q in parsed.quarantine if "not in sdn.csv" in q.reason} == {"12300", "15599", "15600"}


def test_shared_2024_05_03_without_alt_add(shared_lists: Path) -> None:
    parsed = us_ofac_sdn.parse(shared_lists / "ofac_sdn" / "2024-05-03")
    assert len(parsed.entries) == 14_965
    assert Counter(e.subject_type for e in parsed.entries) == {
        "person": 6_854, "organization": 6_884, "vessel": 851, "aircraft": 376}
    assert not _alias_counts(parsed) and not any(e.addresses for e in parsed.entries)


def test_shared_2021_07_07(shared_lists: Path) -> None:
    parsed = us_ofac_sdn.parse(shared_lists / "ofac_sdn" / "2021-07-07")
    assert len(parsed.entries) == 8_976
    assert sum(_alias_counts(parsed).values()) == 11_910


def test_shared_sample_2025(shared_lists: Path) -> None:
    parsed = us_ofac_sdn.parse(shared_lists / "ofac_sdn" / "sample_2025")
    assert len(parsed.entries) == 17
    assert Counter(e.subject_type for e in parsed.entries) == {
        "person": 4, "organization": 7, "vessel": 4, "aircraft": 2}
    # The trimmed sample took some alt/add rows by their second column: their ent_num is not listed.
    orphans = [q for q in parsed.quarantine if "is not a listed entry" in q.reason]
    assert len(orphans) == 9


# --- malformed input -----------------------------------------------------------------------------------


def _copy_fixture(tmp_path: Path) -> Path:
    folder = tmp_path / "version"
    shutil.copytree(FIX, folder)
    return folder


def test_wrong_layout_raises(tmp_path: Path) -> None:
    folder = tmp_path / "version"
    folder.mkdir()
    (folder / "sdn.csv").write_bytes(b'ent_num,SDN_Name,SDN_Type\r\n36,"AEROCARIBBEAN AIRLINES",-0- \r\n')
    with pytest.raises(ListFormatError, match="expected 12 columns"):
        us_ofac_sdn.parse(folder)


def test_missing_primary_file_raises(tmp_path: Path) -> None:
    shutil.copy(FIX / "alt.csv", tmp_path / "alt.csv")
    with pytest.raises(ListFormatError, match="sdn.csv is missing"):
        us_ofac_sdn.parse(tmp_path)
    with pytest.raises(ListFormatError, match="version folder"):
        us_ofac_sdn.parse(FIX / "sdn.csv")


def test_unknown_values_are_quarantined(tmp_path: Path) -> None:
    folder = _copy_fixture(tmp_path)
    sdn = (folder / "sdn.csv").read_bytes()
    # unknown SDN_Type
    sdn = sdn.replace(b'8244,"AERO CONTINENTE S.A",-0- ,', b'8244,"AERO CONTINENTE S.A","airline",', 1)
    sdn = sdn.replace(b'4238,"MAR AZUL"', b'4238x,"MAR AZUL"', 1)  # not a number
    sdn = sdn.replace(b'\r\n4702,"KURDISTAN', b'\r\n4702,"KURDISTAN",-0- \r\n4702,"KURDISTAN', 1)  # short row
    (folder / "sdn.csv").write_bytes(sdn)
    alt = (folder / "alt.csv").read_bytes().replace(b'306,220,"aka"', b'306,220,"xka"', 1)
    (folder / "alt.csv").write_bytes(alt)
    parsed = us_ofac_sdn.parse(folder)
    ids = {e.source_id for e in parsed.entries}
    assert "8244" not in ids and "4238" not in ids and "4702" in ids
    assert len(parsed.entries) == 15
    reasons = [q.reason for q in parsed.quarantine]
    assert any("unknown SDN_Type 'airline'" in r for r in reasons)
    assert any("'4238x' is not a number" in r for r in reasons)
    assert any("expected 12 columns, got 3" in r for r in reasons)
    assert any("unknown alt_type 'xka'" in r for r in reasons)
    assert Name("NATIONAL BANK OF CUBA", "aka", "strong", "Latn") not in next(
        e for e in parsed.entries if e.source_id == "306").names


def test_duplicate_ent_num_is_quarantined(tmp_path: Path) -> None:
    folder = _copy_fixture(tmp_path)
    sdn = (folder / "sdn.csv").read_bytes()
    first_row = sdn.split(b"\r\n", 1)[0]
    (folder / "sdn.csv").write_bytes(first_row + b"\r\n" + sdn)
    parsed = us_ofac_sdn.parse(folder)
    assert len(parsed.entries) == 17
    assert any(q.reason.startswith("duplicate ent_num") for q in parsed.quarantine)
