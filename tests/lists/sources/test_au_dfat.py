"""Australia DFAT Consolidated List adapter: field mapping on a real excerpt (spelling dirt included),
acceptance counts on the bundled snapshot, gzip input, malformed input."""

from __future__ import annotations

import datetime as dt
import gzip
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from lists.model import Address, BirthDate, Country, Identifier, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import au_dfat
from tests.conftest import FIXTURES, SNAPSHOT

HERE = FIXTURES / "lists" / "au_dfat"
EXCERPT = HERE / "regulation8_consolidated_excerpt.xlsx"
SNAPSHOT_FILE = SNAPSHOT / "au_dfat" / "2024-11-11" / "regulation8_consolidated.xlsx"


@pytest.fixture(scope="module")
def excerpt() -> ParsedList:
    return au_dfat.parse(EXCERPT)


@pytest.fixture(scope="module")
def by_id(excerpt: ParsedList) -> dict[str, ListEntry]:
    return {e.source_id: e for e in excerpt.entries}


@pytest.fixture(scope="module")
def snapshot() -> ParsedList:
    return au_dfat.parse(SNAPSHOT_FILE)


def _dob(entry: ListEntry) -> list[tuple[str, str, str, str]]:
    return [(str(b.date_from), str(b.date_to), b.precision, b.text) for b in entry.birth_dates]


# --- field mapping on the real excerpt ------------------------------------------------------------


def test_excerpt_references_and_publisher_date(excerpt: ParsedList) -> None:
    # 102 name rows of 20 references; the file has no date: the latest Control Date stands in
    assert len(excerpt.entries) == 20
    assert excerpt.publisher_date == dt.date(2024, 3, 4)
    # Type spelt `Individual`, `Individual `, `individual`, `Entity `
    assert Counter(e.subject_type for e in excerpt.entries) == {"person": 16, "organization": 4}
    assert all(e.regime == "AU" for e in excerpt.entries)


def test_primary_row_alias_rows_and_float_reference(by_id: dict[str, ListEntry]) -> None:
    e = by_id["2"]  # Reference is the float 2.0 on the primary row, `2a` on its original-script row
    assert e.primary_name == "MOHAMMAD HASSAN AKHUND"
    assert e.names == [
        Name("MOHAMMAD HASSAN AKHUND", "primary", "strong", "Latn"),
        Name("محمد حسن أخوند", "original_script", "strong", "Arab"),
    ]
    assert e.programs == ["1988 (Taliban)"]
    assert e.listed_on == dt.date(2001, 1, 25)  # `Listed by UN 1267 Committee on 25 January 2001 (amended …)`
    assert set(e.countries) == {Country("AF", "citizenship"), Country("AF", "birth")}
    assert "Place of birth: Pashmul village, Panjwai District, Kandahar Province, Afghanistan" in (e.remarks or "")


def test_free_text_dob_lists_ranges_and_approximations(by_id: dict[str, ListEntry]) -> None:
    assert _dob(by_id["2"]) == [  # `a) Approximately 1955- 1958 b) Approximately 1945-1950`
        ("1955-01-01", "1958-12-31", "range", "Approximately 1955- 1958"),
        ("1945-01-01", "1950-12-31", "range", "Approximately 1945-1950"),
    ]
    assert _dob(by_id["21"])[0] == ("1953-01-01", "1953-12-31", "approximate", "Approximately 1953")
    assert _dob(by_id["7311"]) == [  # `a) 03/1965; b) 04/1965`
        ("1965-03-01", "1965-03-31", "month", "03/1965"),
        ("1965-04-01", "1965-04-30", "month", "04/1965"),
    ]
    # Excel date cell, and the same day as text on another row: one date
    assert by_id["147"].birth_dates == [BirthDate(dt.date(1951, 6, 19), dt.date(1951, 6, 19), "exact", "1951-06-19")]
    assert ("1955-01-01", "1955-12-31", "year", "1955") in _dob(by_id["1241"])  # a year stored as float 1955.0
    assert by_id["6266"].birth_dates == []  # `na`


def test_name_type_spellings(by_id: dict[str, ListEntry]) -> None:
    assert Counter(n.name_type for n in by_id["2943"].names) == {"primary": 1, "aka": 1, "fka": 3}  # `Formerly known as`
    assert Name("Qari Rahmat", "fka", "strong", "Latn") in by_id["2954"].names  # `Previously listed as`
    assert by_id["6241"].primary_name == "Jamaah Ansharut Daulah"  # `Primary Name ` with a trailing space
    assert [n.name for n in by_id["7445"].names if n.name_type == "aka"] == ["Kalashnikov Concern", "JSC Kalashnikov"]
    assert Name("Умаров Доку Хаматович", "original_script", "strong", "Cyrl") in by_id["1241"].names


def test_citizenship_lists_and_documents(by_id: dict[str, ListEntry]) -> None:
    chouka = by_id["1291"]  # Citizenship `a) German b) Moroccan`
    assert [c.code for c in chouka.countries if c.role == "citizenship"] == ["DE", "MA"]
    assert Identifier("passport", "5208323009", "DE") in chouka.identifiers  # `German passport number …`
    assert Identifier("national_id", "5209530116", "DE") in chouka.identifiers
    assert chouka.addresses == [Address("Ungartenstraße 6, Bonn, 53229, Germany (previous)", country="DE")]
    # `OR1961825` and `OR 1961825` on two rows are one passport
    assert [i for i in by_id["34"].identifiers if i.id_type == "passport"] == [
        Identifier("passport", "OR1961825", "AF"),
        Identifier("passport", "TR024417", "AF"),
    ]
    assert Identifier("imo", "1790183") in by_id["2947"].identifiers


def test_committees_listing_and_trailing_space_reference(by_id: dict[str, ListEntry]) -> None:
    assert by_id["1297"].programs == ["1970 (Libya)", "1973 (Libya)"]  # two committees in one cell
    assert by_id["2580"].listed_on == dt.date(2013, 3, 7)  # Listing Information is an Excel date
    assert by_id["7311"].listed_on is None  # only an instrument name, no date
    assert by_id["7311"].programs == ["Autonomous (Ukraine)"]
    assert len([n for n in by_id["1140"].names if n.name_type == "aka"]) == 15  # alias row `1140g ` included


def test_free_text_leftovers_are_quarantined_entry_kept(excerpt: ParsedList, by_id: dict[str, ListEntry]) -> None:
    assert [(q.source_id, q.reason, q.raw) for q in excerpt.quarantine] == [
        ("139", "date of birth not (fully) understood (entry kept)", "1965, 29 March"),
        ("485", "unrecognised citizenship (entry kept)", "Kuwaiti citizenship withdrawn in 2002"),
        ("1241", "unrecognised citizenship (entry kept)", "USSR"),
    ]
    assert _dob(by_id["139"]) == [("1965-01-01", "1965-12-31", "year", "1965")]
    assert by_id["485"].countries == [Country("KW", "birth")]


def test_gzip_copy_parses_the_same(tmp_path: Path, excerpt: ParsedList) -> None:
    gz = tmp_path / "regulation8_consolidated.xlsx.gz"
    gz.write_bytes(gzip.compress(EXCERPT.read_bytes()))
    assert [e.fingerprint() for e in au_dfat.parse(gz).entries] == [e.fingerprint() for e in excerpt.entries]


# --- malformed input (deliberately broken copies of the real rows, see ORIGIN.md) -------------------


def test_missing_columns_raise() -> None:
    with pytest.raises(ListFormatError, match=r"missing columns \['Name Type', 'Committees'\]"):
        au_dfat.parse(HERE / "broken_missing_columns.xlsx")


def test_not_a_workbook_raises(tmp_path: Path) -> None:
    bad = tmp_path / "regulation8_consolidated.xlsx"
    bad.write_text("<html>Access denied</html>")
    with pytest.raises(ListFormatError, match="not a readable Excel workbook"):
        au_dfat.parse(bad)


def test_unknown_values_are_quarantined() -> None:
    parsed = au_dfat.parse(HERE / "broken_values.xlsx")
    reasons = Counter((q.source_id, q.reason) for q in parsed.quarantine)
    assert reasons[("2", "unknown or conflicting Type ['Vessel']")] == 1
    assert reasons[("3", "unknown Name Type 'Nickname'")] == 1
    assert reasons[("21", "name row without a primary row for its reference")] == 4  # 21a-21d, row 21 removed
    assert reasons[(None, "unreadable Reference 'X139'")] == 1
    assert {e.source_id for e in parsed.entries}.isdisjoint({"2", "21", "139"})
    assert len(parsed.entries) == 17
    three = next(e for e in parsed.entries if e.source_id == "3")
    assert [n.name for n in three.names] == ["Abdul Kabir Mohammad Jan", "A. Kabir"]  # `Nickname` row not guessed


# --- acceptance counts: bundled snapshot ---------------------------------------------------------------


def test_snapshot_acceptance_counts(snapshot: ParsedList) -> None:
    rows = CalamineWorkbook.from_path(str(SNAPSHOT_FILE)).get_sheet_by_index(0).to_python()
    assert len(rows) - 1 == 9_553  # name rows under the header
    assert len(snapshot.entries) == 3_062  # distinct reference numbers
    assert len({e.source_id for e in snapshot.entries}) == 3_062
    assert snapshot.publisher_date == dt.date(2024, 11, 11)  # max Control Date
    assert Counter(e.subject_type for e in snapshot.entries) == {"person": 2_316, "organization": 746}
    assert au_dfat.SPEC.min_entries <= len(snapshot.entries)


def test_snapshot_names_dates_and_quarantine(snapshot: ParsedList) -> None:
    names = [n for e in snapshot.entries for n in e.names]
    # 9,553 rows, 35 repeat a name already kept for the same reference
    assert len(names) == 9_518
    assert Counter(n.name_type for n in names) == {"aka": 6_013, "primary": 3_062, "original_script": 439, "fka": 4}
    precisions = Counter(b.precision for e in snapshot.entries for b in e.birth_dates)
    assert precisions == {"exact": 2_020, "year": 380, "approximate": 121, "range": 33, "month": 19}
    assert Counter(q.reason for q in snapshot.quarantine) == {
        "date of birth not (fully) understood (entry kept)": 7,
        "unrecognised citizenship (entry kept)": 2,
    }
