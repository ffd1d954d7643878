"""US Consolidated Screening List adapter: field mapping on real excerpts (2022 and 2025 layouts),
acceptance counts on the bundled snapshot, the 2025 sample from the shared corpus, malformed input."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from lists.model import BirthDate, Country, Identifier, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import us_csl
from tests.conftest import FIXTURES, SNAPSHOT

HERE = FIXTURES / "lists" / "us_csl"
EXCERPT_2022 = HERE / "consolidated_2022-05-16_excerpt.csv"
SAMPLE_2025 = HERE / "consolidated_sample_2025.csv"
SNAPSHOT_FILE = SNAPSHOT / "us_csl" / "2022-05-16" / "consolidated.csv.gz"

SDN = "Specially Designated Nationals (SDN) - Treasury Department"
DPL = "Denied Persons List (DPL) - Bureau of Industry and Security"


@pytest.fixture(scope="module")
def excerpt() -> ParsedList:
    return us_csl.parse(EXCERPT_2022)


@pytest.fixture(scope="module")
def by_id(excerpt: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in excerpt.entries}


@pytest.fixture(scope="module")
def sample() -> dict[str, ListEntry]:
    return {e.source_id: e for e in us_csl.parse(SAMPLE_2025).entries}


@pytest.fixture(scope="module")
def snapshot() -> ParsedList:
    return us_csl.parse(SNAPSHOT_FILE)


def _by_name(parsed: ParsedList, name: str) -> ListEntry:
    return next(e for e in parsed.entries if e.primary_name == name)


# --- field mapping on real excerpts -------------------------------------------------------------


def test_every_row_is_one_entry_with_a_distinct_id(excerpt: ParsedList, by_id: dict[str, ListEntry]) -> None:
    assert len(excerpt.entries) == 23 and not excerpt.quarantine
    assert len(by_id) == 23
    assert excerpt.publisher_date is None
    assert all(e.regime == "US" for e in excerpt.entries)


def test_ofac_entity_number_shared_across_treasury_lists(by_id: dict[str, ListEntry]) -> None:
    # BANK BELVEB OJSC is _id 18291 on CAP, SDN and SSI: SDN keeps the bare number.
    assert by_id["18291"].programs[0] == SDN
    assert by_id["18291-CAP"].programs[0] == "Capta List (CAP) - Treasury Department"
    assert by_id["18291-SSI"].programs[0] == "Sectoral Sanctions Identifications List (SSI) - Treasury Department"
    # BANK OF KUNLUN 15268 is published twice on CAP: the repeat gets -2 (file order).
    assert by_id["15268-CAP"].primary_name == by_id["15268-CAP-2"].primary_name == "BANK OF KUNLUN CO LTD"
    assert "9696-PLC" in by_id and "30902-CMIC" in by_id
    # Commerce/State hash ids stay as published.
    assert by_id["7978188e265903a577a7798c219d02d2111cbfa2"].primary_name == "Naser Golshekan"


def test_programs_are_the_list_name_then_the_program_codes(by_id: dict[str, ListEntry]) -> None:
    assert by_id["18291"].programs == [SDN, "RUSSIA-EO14024", "UKRAINE-EO13662"]
    assert by_id["1bf1e690fbfca79c2ef8a4f8b6e465f76b41b87c"].programs == [DPL]


def test_published_types(by_id: dict[str, ListEntry]) -> None:
    assert by_id["11884"].subject_type == "person"
    assert by_id["18291"].subject_type == "organization"
    assert by_id["31920"].subject_type == "vessel"
    assert by_id["24507"].subject_type == "aircraft"


def test_untyped_rows_take_their_lists_default(excerpt: ParsedList) -> None:
    assert _by_name(excerpt, "Naser Golshekan").subject_type == "organization"  # EL: organization
    assert _by_name(excerpt, "Laiza Moreno").subject_type == "person"  # DTC: person
    assert _by_name(excerpt, "FUYI SUN A/K/A FRANK SUN").subject_type == "person"  # DPL: person
    # ... unless a person-default list's name carries a legal form
    assert _by_name(excerpt, "BIB INDUSTRIE-HANDEL DIPL.ING M. MANGELSEN GMBH").subject_type == "organization"
    precision = next(e for e in excerpt.entries if e.primary_name.startswith("Precision Image Corporation"))
    assert precision.subject_type == "organization"


def test_alt_names_are_strong_akas(by_id: dict[str, ListEntry]) -> None:
    names = by_id["19810"].names
    assert names[0] == Name("ABU DAWUD, Musa", "primary", "strong")
    assert Name("ABOU DAOUD, Moussa", "aka", "strong") in names
    assert Name("MOUSSA, Bourahla", "aka", "strong") in names
    assert len(names) == 5


def test_names_hidden_in_the_published_name(excerpt: ParsedList) -> None:
    precision = next(e for e in excerpt.entries if e.primary_name.startswith("Precision Image Corporation"))
    assert Name("Precision Image Corporation", "variation") in precision.names
    assert Name("CK Enterprises, Inc.", "aka") in precision.names
    gazprom = next(e for e in excerpt.entries if e.primary_name.startswith("Gazprom Russkaya, OOO"))
    assert Name("Obshchestvo S Ogranichennoi Otvetstvennostyu Kovyktneftegaz", "fka") in gazprom.names
    fuyi = _by_name(excerpt, "FUYI SUN A/K/A FRANK SUN")
    assert [n.name for n in fuyi.names] == ["FUYI SUN A/K/A FRANK SUN", "FUYI SUN", "FRANK SUN"]
    isn = _by_name(excerpt, "Asia-Invest LLC and any successor, sub-unit, or subsidiary thereof")
    assert Name("Asia-Invest LLC", "variation") in isn.names
    assert isn.listed_on == dt.date(2021, 7, 29)


def test_entity_list_connectors_are_not_names(snapshot: ParsedList) -> None:
    # Entity List rows end their alt_names with "…; and ANPP Temp-Avia" or a bare "…; and"
    missile = next(e for e in snapshot.entries if e.source_id == "0fd0d9a106e5c0bb2ebedf157fd38d70daa0a063")
    assert "TEMP-AVIA" in [n.name for n in missile.names]
    arzam = next(e for e in snapshot.entries if e.source_id == "9ba19be80a21f31e145c320f33221b837b9aafe6")
    assert "ANPP Temp-Avia" in [n.name for n in arzam.names]
    assert not [n.name for e in snapshot.entries for n in e.names if n.name.lower() == "and" or n.name.startswith("and ")]


def test_birth_date_precisions(by_id: dict[str, ListEntry]) -> None:
    assert by_id["11884"].birth_dates == [BirthDate(dt.date(1972, 5, 25), dt.date(1972, 5, 25), "exact", "1972-05-25")]
    assert by_id["8596"].birth_dates[0].precision == "year"
    circa = by_id["8183"].birth_dates[0]
    assert (circa.precision, circa.date_from, circa.date_to) == ("approximate", dt.date(1967, 1, 1), dt.date(1967, 12, 31))
    assert by_id["19810"].birth_dates == [BirthDate(dt.date(1958, 1, 1), dt.date(1960, 12, 31), "range", "1958 to 1960")]


def test_countries_with_roles(by_id: dict[str, ListEntry]) -> None:
    countries = by_id["11884"].countries
    assert Country("IQ", "nationality") in countries
    assert Country("GB", "citizenship") in countries
    assert Country("GB", "address") in countries and Country("IQ", "address") in countries
    assert Country("IQ", "birth") in countries  # place of birth "al-Fallujah, Iraq"
    assert Country("RU", "flag") in by_id["31920"].countries  # vessel_flag "Russia"


def test_identifiers_in_the_2022_layout(by_id: dict[str, ListEntry]) -> None:
    # "IQ, G1407597, Passport; 2015-05-25, 2005-12-08, C00168817, Passport"
    assert by_id["11884"].identifiers == [Identifier("passport", "G1407597", "IQ"),
                                          Identifier("passport", "C00168817", None)]
    # "SD, 1998-10-28, 562605, Passport": country, issue date, number
    assert by_id["8596"].identifiers == [Identifier("passport", "562605", "SD")]
    assert by_id["31920"].identifiers == [Identifier("imo", "8770261"), Identifier("call_sign", "UDQB")]
    assert by_id["30902-CMIC"].identifiers == [Identifier("uscc", "91110000MA005UCQ5P", "CN")]
    assert by_id["18291"].identifiers == [Identifier("tax_id", "7750004150", "RU"),
                                          Identifier("lei", "25340038P8SYW80B9W34", "RU"),
                                          Identifier("swift", "BELBBY2X")]
    assert by_id["24507"].identifiers == [Identifier("aircraft_msn", "530")]


def test_informational_id_items_go_to_remarks(by_id: dict[str, ListEntry]) -> None:
    remarks = by_id["18291"].remarks or ""
    assert remarks.startswith("All offices worldwide")
    assert "bveb.by, Website" in remarks and "Financial Institution, Target Type" in remarks
    assert "A320, Aircraft Model" in (by_id["24507"].remarks or "")
    assert "title: IARA Peshwar, Pakistan Director" in (by_id["8596"].remarks or "")


def test_addresses_split_and_country_from_last_part(by_id: dict[str, ListEntry]) -> None:
    aero = by_id["f815c2f5d7df676ca06b13337af8d887fb71ef80"]
    assert [a.country for a in aero.addresses] == [None, "PK", "PK"]
    assert aero.addresses[0].text == "Lub Thatoo Hazara Road, The Taxila district"  # "; and" dropped
    assert aero.addresses[1].text.startswith("53/2 26th Street")
    elink = by_id["026dba5afe5742c3d9b83179846272ca67cdb5c0"]  # the embedded newline is collapsed
    assert elink.addresses[0].text == "Room 717, Building 41, No.8633 Zhongchun Road, Minhang District, Shanghai, CN"


def test_published_bytes_kept_in_names(by_id: dict[str, ListEntry]) -> None:
    # The CSL carries a C1 control character where cp1252 had a right quote; kept as published.
    assert by_id["a0370b407aeb2a264477376bad653c57a2a8a94c"].primary_name == "CAST Xi\x92an Spaceflight Engine Factory"


def test_identifiers_in_the_2025_layout(sample: dict[str, ListEntry]) -> None:
    assert sample["52291"].identifiers == [Identifier("passport", "836238033", "KP")]
    assert sample["28603-SSI"].identifiers == [Identifier("tax_id", "CHE-267.936.404", "CH"),
                                               Identifier("registration", "CH-660.0.559.011-2", "CH")]
    assert sample["18283-SSI"].identifiers == [Identifier("registration", "1027739108649"),
                                               Identifier("swift", "RUDVRUMM")]
    assert "Gender, Male" in (sample["26182-FSE"].remarks or "")


def test_2025_sample_names_and_types(sample: dict[str, ListEntry]) -> None:
    sinobright = sample["233a4d725770c81fb561ffe3842c14010c2201971d6be62eca1e613b"]
    assert sinobright.subject_type == "organization"
    assert Name("Sinobright Import and Export Company", "variation") in sinobright.names
    cetc = sample["99ed1b052fdb09695fae1ba87516d8a0882b0df04652e07aeb5ce7be"]
    assert Name("CETC Research Institute 13", "aka") in cetc.names  # "; and CETC …"
    assert [a.country for a in cetc.addresses] == ["CN", "CN", "CN"]
    assert sample["b601cbf2841d0aaedfe63661581ffbc3d54b6ba39d7e3a9027cff50e"].subject_type == "person"  # I. ASH, DPL
    assert sample["9673-PLC"].birth_dates[0].precision == "year"


# --- acceptance counts on the bundled snapshot ----------------------------------------------------


def test_snapshot_counts(snapshot: ParsedList) -> None:
    assert len(snapshot.entries) == 14_160 and not snapshot.quarantine
    assert len({e.source_id for e in snapshot.entries}) == 14_160
    by_list = Counter(us_csl.list_code(e.programs[0]) for e in snapshot.entries)
    assert by_list == {"SDN": 10_026, "EL": 2_001, "DTC": 727, "DPL": 462, "SSI": 290, "UVL": 201, "ISN": 163,
                       "PLC": 78, "MEU": 71, "CMIC": 68, "CAP": 53, "NS-MBS": 17, "FSE": 3}
    assert Counter(e.subject_type for e in snapshot.entries) == {
        "organization": 7_117, "person": 6_327, "vessel": 433, "aircraft": 283}


def test_snapshot_mapping_totals(snapshot: ParsedList) -> None:
    """Regression totals: every DOB is readable, and the id map covers the identifier kinds."""
    assert sum(len(e.birth_dates) for e in snapshot.entries) == 5_859  # every published DOB value
    assert not any("unreadable date of birth" in (e.remarks or "") for e in snapshot.entries)
    kinds = Counter(i.id_type for e in snapshot.entries for i in e.identifiers)
    assert kinds["passport"] == 1_679 and kinds["imo"] == 440 and kinds["swift"] == 177
    # 19,932 published alt names less the two bare "and"s the Entity List ends a list with
    assert Counter(n.name_type for e in snapshot.entries for n in e.names)["aka"] == 19_930


# --- the shared corpus ---------------------------------------------------------------------------


def test_shared_2025_sample(shared_lists: Path) -> None:
    parsed = us_csl.parse(shared_lists / "us_csl" / "sample_2025" / "consolidated.csv")
    assert len(parsed.entries) == 13 and not parsed.quarantine
    assert len({e.programs[0] for e in parsed.entries}) == 10


# --- malformed input ------------------------------------------------------------------------------


def test_missing_columns_raise(tmp_path: Path) -> None:
    lines = EXCERPT_2022.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].replace("_id,", "id,").replace(",ids", ",identifiers")
    path = tmp_path / "consolidated.csv"
    path.write_text(header + "".join(lines[1:]), encoding="utf-8")
    with pytest.raises(ListFormatError, match="missing column\\(s\\) _id, ids"):
        us_csl.parse(path)


def test_unknown_type_and_unknown_untyped_list_are_quarantined(tmp_path: Path) -> None:
    text = SAMPLE_2025.read_text(encoding="utf-8")
    text = text.replace('"9673","Individual"', '"9673","Ship"')
    text = text.replace('"Unverified List (UVL) - Bureau of Industry and Security"', '"Some New List (SNL) - Commerce"')
    path = tmp_path / "consolidated.csv"
    path.write_text(text, encoding="utf-8")
    parsed = us_csl.parse(path)
    assert len(parsed.entries) == 11
    reasons = {q.source_id: q.reason for q in parsed.quarantine}
    assert reasons["9673"] == "unknown type 'Ship'"
    assert reasons["1b5979e8fd3920a1a0985bf5088dad930a6a5562d1513f9e4b015e42"] == (
        "untyped row of unknown list 'Some New List (SNL) - Commerce'")


def test_short_row_is_quarantined(tmp_path: Path) -> None:
    lines = SAMPLE_2025.read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "consolidated.csv"
    path.write_text(lines[0] + lines[1] + '"broken","row"\n', encoding="utf-8")
    parsed = us_csl.parse(path)
    assert len(parsed.entries) == 1
    assert parsed.quarantine[0].reason == "row does not have the header's 29 fields"


def test_spec() -> None:
    assert us_csl.SPEC.key == "us_csl" and us_csl.SPEC.regime == "US"
    assert us_csl.SPEC.urls == {
        "consolidated.csv": "https://data.trade.gov/downloadable_consolidated_screening_list/v1/consolidated.csv"}
    assert us_csl.SPEC.parse is us_csl.parse
