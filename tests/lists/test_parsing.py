"""The helpers every adapter shares (lists/parsing.py): date forms, countries, CSV and folder reading."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lists.model import BirthDate, Quarantined
from lists.parsing import (
    ListFormatError,
    alternative_names,
    joined,
    locate_file,
    parse_birth_date,
    parse_date,
    read_csv,
    span_precision,
    to_country,
    unique_id,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "start", "end", "precision"),
    [
        # strict forms
        ("1957-07-30", D(1957, 7, 30), D(1957, 7, 30), "exact"),
        ("1957-07-30T00:00:00", D(1957, 7, 30), D(1957, 7, 30), "exact"),
        ("1957-07", D(1957, 7, 1), D(1957, 7, 31), "month"),  # FtM (OpenSanctions) ISO prefix
        ("30/07/1957", D(1957, 7, 30), D(1957, 7, 30), "exact"),
        ("30.07.1957", D(1957, 7, 30), D(1957, 7, 30), "exact"),
        ("00/00/1994", D(1994, 1, 1), D(1994, 12, 31), "year"),
        ("dd/mm/1994", D(1994, 1, 1), D(1994, 12, 31), "year"),
        ("00/02/1994", D(1994, 2, 1), D(1994, 2, 28), "month"),
        ("02/1994", D(1994, 2, 1), D(1994, 2, 28), "month"),
        ("30 Jul 1957", D(1957, 7, 30), D(1957, 7, 30), "exact"),
        ("30 July 1957", D(1957, 7, 30), D(1957, 7, 30), "exact"),
        ("Nov. 1973", D(1973, 11, 1), D(1973, 11, 30), "month"),
        ("1957", D(1957, 1, 1), D(1957, 12, 31), "year"),
        ("1960 to 1962", D(1960, 1, 1), D(1962, 12, 31), "range"),
        ("1955-1958", D(1955, 1, 1), D(1958, 12, 31), "range"),
        ("circa 1960", D(1960, 1, 1), D(1960, 12, 31), "approximate"),
        ("Approximately 1955-1958", D(1955, 1, 1), D(1958, 12, 31), "range"),
        # looser spellings (DFAT, UN notes)
        ("Sept 1958", D(1958, 9, 1), D(1958, 9, 30), "month"),
        ("16 Sept. 1973", D(1973, 9, 16), D(1973, 9, 16), "exact"),
        ("approximately Sept 1958", D(1958, 9, 1), D(1958, 9, 30), "approximate"),
        ("24 Jan.1973", D(1973, 1, 24), D(1973, 1, 24), "exact"),
        ("21. Jul 1997", D(1997, 7, 21), D(1997, 7, 21), "exact"),
        ("March 16, 1972", D(1972, 3, 16), D(1972, 3, 16), "exact"),
        ("29-Aprl-1967", D(1967, 4, 29), D(1967, 4, 29), "exact"),
        ("23-Apr-1968", D(1968, 4, 23), D(1968, 4, 23), "exact"),
        ("09/11/ 1954", D(1954, 11, 9), D(1954, 11, 9), "exact"),
        # `<date> to <date>` spans (OFAC remarks): one exact year or month gets that precision
        ("01 Jan 1961 to 31 Dec 1963", D(1961, 1, 1), D(1963, 12, 31), "range"),
        ("01 Jan 1973 to 31 Dec 1973", D(1973, 1, 1), D(1973, 12, 31), "year"),
        ("01 Feb 1970 to 28 Feb 1970", D(1970, 2, 1), D(1970, 2, 28), "month"),
        ("Feb 1970 to Mar 1970", D(1970, 2, 1), D(1970, 3, 31), "range"),
    ],
)
def test_parse_birth_date(text: str, start: dt.date, end: dt.date, precision: str) -> None:
    assert parse_birth_date(text) == BirthDate(start, end, precision, text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "-0-",
        "30-35 years old",
        "24/06/1402 (Hijri Calendar)",
        "1849",  # before any plausible date of birth
        "1971-13",
        "2001-02-30",
        "31 Dec 1963 to 01 Jan 1961",  # a span that ends before it starts
        "1962 to 1960",
        "23-Apr-68",  # two-digit years are ambiguous for a date of birth: not guessed
    ],
)
def test_parse_birth_date_rejects(text: str | None) -> None:
    assert parse_birth_date(text) is None


def test_parse_birth_date_keeps_the_published_text() -> None:
    assert parse_birth_date("  29-Aprl-1967 ").text == "29-Aprl-1967"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("start", "end", "precision"),
    [
        (D(1973, 1, 1), D(1973, 12, 31), "year"),
        (D(1972, 2, 1), D(1972, 2, 29), "month"),
        (D(1972, 2, 1), D(1972, 2, 28), "range"),
        (D(1973, 1, 2), D(1973, 12, 31), "range"),
        (D(1961, 1, 1), D(1963, 12, 31), "range"),
    ],
)
def test_span_precision(start: dt.date, end: dt.date, precision: str) -> None:
    assert span_precision(start, end) == precision


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("2020-07-13", None, D(2020, 7, 13)),
        ("2020-07-13T18:28:10", None, D(2020, 7, 13)),
        ("13/07/2020", None, D(2020, 7, 13)),
        ("07/13/2020", None, D(2020, 7, 13)),  # not a valid dd/mm date, so mm/dd
        ("13.07.2020", None, D(2020, 7, 13)),
        ("13.07.20", None, D(2020, 7, 13)),  # China's notices
        ("07/13/2020", ("%d/%m/%Y",), None),  # a list with one known form passes it
        ("3033-09-30", ("%Y-%m-%d",), D(3033, 9, 30)),  # plausibility is the caller's check
        ("", None, None),
        ("soon", None, None),
    ],
)
def test_parse_date(text: str, formats: tuple[str, ...] | None, expected: dt.date | None) -> None:
    assert (parse_date(text) if formats is None else parse_date(text, formats)) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("UK", "GB"),
        ("TX", None),  # a US state code, not a country
        ("USSR", None),  # a former country has no ISO-2
        ("Crimea", "UA"),  # a subdivision belongs to its country
        ("Iran", "IR"),
        ("ru", "RU"),
        ("-0-", None),
        ("", None),
        (None, None),
    ],
)
def test_to_country(value: str | None, code: str | None) -> None:
    assert to_country(value) == code


def test_joined() -> None:
    assert joined("Kabul", None, "", " Afghanistan ") == "Kabul, Afghanistan"
    assert joined("Abdul", "Ghani", sep=" ") == "Abdul Ghani"
    assert joined(None, "") is None


def test_unique_id_numbers_repeats_in_file_order() -> None:
    seen: dict[str, int] = {}
    assert [unique_id(k, seen) for k in ("a", "b", "a", "a")] == ["a", "b", "a-2", "a-3"]


# --- version folders --------------------------------------------------------------------------------


def test_locate_file_prefers_the_names_in_order(tmp_path: Path) -> None:
    (tmp_path / "consolidatedLegacyByPRN.xml").write_text("<x/>")
    (tmp_path / "CONSOLIDATED.XML.gz").write_bytes(b"")
    found = locate_file(tmp_path, "UN list", ("consolidated.xml", "consolidatedLegacyByPRN.xml"))
    assert found.name == "CONSOLIDATED.XML.gz"
    assert locate_file(found, "UN list", ("other.xml",)) == found  # a file is taken as it is


def test_locate_file_falls_back_to_the_only_file_of_its_kind(tmp_path: Path) -> None:
    (tmp_path / "renamed.xml.gz").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("")
    assert locate_file(tmp_path, "EU FSF", ("list.xml",), (".xml", ".xml.gz")).name == "renamed.xml.gz"
    (tmp_path / "second.xml").write_text("<x/>")
    with pytest.raises(ListFormatError, match="EU FSF: expected one XML file in .*, found 2"):
        locate_file(tmp_path, "EU FSF", ("list.xml",), (".xml", ".xml.gz"))


def test_locate_file_without_fallback_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="UN list: no a.xml or b.xml in"):
        locate_file(tmp_path, "UN list", ("a.xml", "b.xml"))


# --- CSV ---------------------------------------------------------------------------------------------


def _csv(tmp_path: Path, text: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_csv_rows_are_keyed_by_the_cleaned_header(tmp_path: Path) -> None:
    path = _csv(tmp_path, "\ufeff id , Name ,extra\n1,Ann,x\n")
    quarantine: list[Quarantined] = []
    rows = list(read_csv(path, ("id", "Name"), "a test CSV", quarantine))
    assert rows == [({"id": "1", "Name": "Ann", "extra": "x"}, "1,Ann,x")]
    assert quarantine == []


def test_read_csv_missing_columns_raise_at_once(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,name\n1,Ann\n")
    with pytest.raises(ListFormatError, match=r"list.csv: not a test CSV, missing column\(s\) Type, QID"):
        read_csv(path, ("id", "Type", "QID"), "a test CSV", [])


def test_read_csv_quarantines_rows_of_the_wrong_width_and_skips_blank_ones(tmp_path: Path) -> None:
    path = _csv(tmp_path, 'id,name,type\n1,Ann,person\n\n,,\n2,"Bo"\n3,Cy,person,extra\n4,Di,person\n')
    quarantine: list[Quarantined] = []
    rows = list(read_csv(path, ("id",), "a test CSV", quarantine, id_column="id"))
    assert [row["id"] for row, _ in rows] == ["1", "4"]
    assert quarantine == [
        Quarantined("row does not have the header's 3 fields", "2,Bo", "2"),
        Quarantined("row does not have the header's 3 fields", "3,Cy,person,extra", "3"),
    ]


def test_read_csv_other_delimiter(tmp_path: Path) -> None:
    path = _csv(tmp_path, '"Name"\t"City"\n"A B"\t""\n', name="dpl.txt")
    quarantine: list[Quarantined] = []
    assert list(read_csv(path, ("Name",), "a DPL file", quarantine, delimiter="\t")) == [
        ({"Name": "A B", "City": ""}, "A B")
    ]


def test_alternative_names_split_lists_and_transliterations_not_acronyms() -> None:
    assert alternative_names("حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)") == [
        "حسن غول", "Hassan Ghul", "Hassan Gul", "Hasan Gul"]
    assert alternative_names("Abdullah Sindhi (عبدالله السندي)") == ["Abdullah Sindhi", "عبدالله السندي"]
    nested = "A Front (AF) (جبهة (original script); B Front; C Front (CF))"
    assert alternative_names(nested) == ["A Front (AF)", "جبهة", "B Front", "C Front (CF)"]
    for unchanged in ["ATOMIC ENERGY ORGANISATION OF IRAN (AEOI)", "中国电子科技集团公司 (CETC)",
                      "Leader (Hong Kong) International", "Broken (a; b", "(a; b)", "Plain Name"]:
        assert alternative_names(unchanged) == [], unchanged
