"""BIS Denied Persons List adapter: field mapping and quirks on a real excerpt, acceptance counts on the
bundled snapshot, the plain file from the shared corpus, malformed input."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from lists.model import Address, Country, ListEntry, Name, ParsedList
from lists.parsing import ListFormatError
from lists.sources import us_bis_dpl
from tests.conftest import FIXTURES, SNAPSHOT

EXCERPT = FIXTURES / "lists" / "us_bis_dpl" / "dpl_2023-11-30_excerpt.txt"
SNAPSHOT_FILE = SNAPSHOT / "us_bis_dpl" / "2023-11-30" / "dpl.txt.gz"
PROGRAM = "Denied Persons List (DPL) - Bureau of Industry and Security"


@pytest.fixture(scope="module")
def excerpt() -> ParsedList:
    return us_bis_dpl.parse(EXCERPT)


@pytest.fixture(scope="module")
def snapshot() -> ParsedList:
    return us_bis_dpl.parse(SNAPSHOT_FILE)


def _named(parsed: ParsedList, name: str) -> list[ListEntry]:
    return [e for e in parsed.entries if e.primary_name == name]


# --- field mapping on the real excerpt -----------------------------------------------------------


def test_every_row_is_one_entry(excerpt: ParsedList) -> None:
    assert len(excerpt.entries) == 19 and not excerpt.quarantine
    assert excerpt.publisher_date is None
    assert all(e.programs == [PROGRAM] and e.regime == "US" for e in excerpt.entries)


def test_ids_are_short_stable_hashes_and_repeats_stay_distinct(excerpt: ParsedList) -> None:
    ids = [e.source_id for e in excerpt.entries]
    assert len(set(ids)) == 19
    assert all(re.fullmatch(r"[0-9a-f]{16}(-\d+)?", i) for i in ids)
    # DAQING ZHOU is published twice, identically: file order decides -2.
    assert [e.source_id for e in _named(excerpt, "DAQING ZHOU")] == ["c3d09e433693ab36", "c3d09e433693ab36-2"]
    # One person at two addresses = two entries.
    assert len(_named(excerpt, "ZIMO SHENG")) == 2


def test_id_ignores_case_and_spacing() -> None:
    row = {"Name": "ZIMO SHENG", "Street_Address": "3975 N. CRAMER STREET, UNIT 204", "City": "MILWAUKEE",
           "State": "WI", "Country": None, "Postal_Code": "53211"}
    assert us_bis_dpl.row_key(row) == "3055f58311e8e651"
    assert us_bis_dpl.row_key({**row, "Name": "Zimo  Sheng"}) == "3055f58311e8e651"


def test_ids_do_not_depend_on_the_rows_position(excerpt: ParsedList, snapshot: ParsedList) -> None:
    assert {e.source_id for e in excerpt.entries} <= {e.source_id for e in snapshot.entries}


def test_impossible_dates_are_unknown_and_named_in_remarks(excerpt: ParsedList) -> None:
    garcia = _named(excerpt, "JOSE ERNESTO GARCIA")[0]
    assert garcia.listed_on == dt.date(2022, 9, 26)  # Effective_Date
    assert "Last_Update '3033-09-30' is not a valid date (treated as unknown)" in (garcia.remarks or "")
    dubai = next(e for e in _named(excerpt, "AL NASER AIRLINES") if e.addresses[0].city == "DUBAI")
    assert "Last_Update '1023-11-01' is not a valid date" in (dubai.remarks or "")


def test_remarks_carry_the_order_details(excerpt: ParsedList) -> None:
    ash = _named(excerpt, "I. ASH")[0]  # published as " I. ASH"
    assert ash.remarks == ("action: FEDERAL REGISTER NOTICE UPDATED; FR citation: 68 F.R. 38290 6/27/03 "
                           "71 F.R. 38843 7/10/06 72 F.R. 4236 1/30/07; effective: 06/19/2003; "
                           "expires: 06/29/2056; standard order: Y; last update: 2007-01-31")
    assert ash.listed_on == dt.date(2003, 6, 19)


def test_countries(excerpt: ParsedList) -> None:
    assert _named(excerpt, "JOHNSON HU")[0].countries == [Country("CN", "address")]  # "PRC"
    assert _named(excerpt, "AARON ABRAHAM VILLA")[0].countries == [Country("US", "address")]  # TX, no country
    assert _named(excerpt, "STEPHEN EDWARD SMITH")[0].countries == [Country("US", "address")]  # "NM" as country
    assert _named(excerpt, "YARRA ANSTALT A.G.")[0].countries == [Country("LI", "address")]
    assert _named(excerpt, "SIBERIAN AIRLINES D/B/A S7 AIRLINES")[0].countries == []


def test_address(excerpt: ParsedList) -> None:
    assert _named(excerpt, "PEARL (A.K.A. NEI-CHIEN CHU) LI")[0].addresses == [
        Address("1132 SEAGULL LANE, CHERRY HILL, NJ, 08054, US", city="CHERRY HILL", country="US")]


def test_subject_type_from_legal_forms(excerpt: ParsedList) -> None:
    types = {e.primary_name: e.subject_type for e in excerpt.entries}
    for org in ("AL NASER AIRLINES", "BIB INDUSTRIE-HANDEL DIPL.ING M. MANGELSEN GMBH",
                "SIBERIAN AIRLINES D/B/A S7 AIRLINES", "SUNTRONIC F.Z.E.", "YARRA ANSTALT A.G."):
        assert types[org] == "organization", org
    for person in ("I. ASH", "DAQING ZHOU", "FUYI SUN A/K/A FRANK SUN", "PEARL (A.K.A. NEI-CHIEN CHU) LI"):
        assert types[person] == "person", person


def test_aliases_written_into_the_name(excerpt: ParsedList) -> None:
    assert _named(excerpt, "FUYI SUN A/K/A FRANK SUN")[0].names == [
        Name("FUYI SUN A/K/A FRANK SUN", "primary"), Name("FUYI SUN", "variation"), Name("FRANK SUN", "aka")]
    assert _named(excerpt, "PEARL (A.K.A. NEI-CHIEN CHU) LI")[0].names == [
        Name("PEARL (A.K.A. NEI-CHIEN CHU) LI", "primary"), Name("PEARL LI", "variation"),
        Name("NEI-CHIEN CHU", "aka")]
    assert Name("S7 AIRLINES", "aka") in _named(excerpt, "SIBERIAN AIRLINES D/B/A S7 AIRLINES")[0].names
    assert _named(excerpt, "ZIMO SHENG")[0].names == [Name("ZIMO SHENG", "primary")]


# --- acceptance counts on the bundled snapshot ----------------------------------------------------


def test_snapshot_counts(snapshot: ParsedList) -> None:
    assert len(snapshot.entries) == 665 and not snapshot.quarantine
    assert len({e.source_id for e in snapshot.entries}) == 665
    assert sum(1 for e in snapshot.entries if e.source_id.endswith("-2")) == 2  # two verbatim repeats
    assert Counter(e.subject_type for e in snapshot.entries) == {"person": 527, "organization": 138}
    bad_dates = [e.primary_name for e in snapshot.entries if "is not a valid date" in (e.remarks or "")]
    assert sorted(bad_dates) == ["AL NASER AIRLINES", "GIE KERMAN AVIATION", "JOSE ERNESTO GARCIA"]
    assert sum(1 for e in snapshot.entries if not e.countries) == 1


# --- the shared corpus (the plain, un-gzipped original) -------------------------------------------


def test_shared_original_file(shared_lists: Path, snapshot: ParsedList) -> None:
    parsed = us_bis_dpl.parse(shared_lists / "us_bis_dpl" / "2023-11-30" / "dpl.txt")
    assert [e.source_id for e in parsed.entries] == [e.source_id for e in snapshot.entries]


# --- malformed input ------------------------------------------------------------------------------


def test_missing_columns_raise(tmp_path: Path) -> None:
    text = EXCERPT.read_text(encoding="utf-8").replace('"Effective_Date"', '"Effective"', 1)
    path = tmp_path / "dpl.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ListFormatError, match="missing column\\(s\\) Effective_Date"):
        us_bis_dpl.parse(path)


def test_short_row_and_nameless_row_are_quarantined(tmp_path: Path) -> None:
    lines = EXCERPT.read_text(encoding="utf-8").splitlines(keepends=True)
    nameless = lines[2].replace('"AARON ABRAHAM VILLA"', '""')
    short = "\t".join(lines[3].split("\t")[:5]) + "\n"
    path = tmp_path / "dpl.txt"
    path.write_text(lines[0] + lines[1] + nameless + short, encoding="utf-8")
    parsed = us_bis_dpl.parse(path)
    assert [e.primary_name for e in parsed.entries] == ["I. ASH"]
    assert [q.reason for q in parsed.quarantine] == ["row has no name", "row does not have the header's 12 fields"]


def test_spec() -> None:
    assert us_bis_dpl.SPEC.key == "us_bis_dpl" and us_bis_dpl.SPEC.regime == "US"
    assert us_bis_dpl.SPEC.urls == {"dpl.txt": "https://www.bis.doc.gov/dpl/dpl.txt"}
