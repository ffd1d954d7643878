"""The registration decision on the fresh real lists: never `clear` for a name that could not be screened,
data the user must correct, or a subject who may not register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from screening.ids import mask_id
from screening.registration import Screener, lookup
from screening.registration.decision import NO_USABLE_NAME, parse_birth_date, usable_name

CLEAN = "Zhang Xiuying"
LISTED = "Igor Ivanovich Sechin"
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def ric(region: str, birth: dt.date, sequence: str = "001") -> str:
    """A resident ID number with a correct check character (GB 11643, ISO 7064 MOD 11-2)."""
    body = f"{region}{birth:%Y%m%d}{sequence}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


def _years_ago(years: int) -> dt.date:
    today = dt.date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28))


@pytest.mark.parametrize("name", ["", "   ", "😀😀", "!!! ###", "12345", "\u202e\u200b\u2066", "\x00\x07"])
def test_a_name_without_letters_is_review_never_clear(fresh: Path, name: str) -> None:
    assert not usable_name(name)
    result = Screener(fresh).lookup(name, subject_type="person")
    assert (result.decision, result.hits, result.reasons) == ("review", [], [NO_USABLE_NAME])


def test_letters_in_any_script_make_a_usable_name() -> None:
    assert all(usable_name(n) for n in ("王小明", "Иван", "محمد", "x", "😀 Ali"))


def test_the_latin_name_is_screened_when_the_name_has_no_letters(fresh: Path) -> None:
    result = Screener(fresh).lookup("😀", name_latin=LISTED, subject_type="person")
    assert result.decision == "block" and result.hits


@pytest.mark.parametrize("value", ["1984-02-30", "1984-13-01", "30/02/1984", "yesterday"])
def test_an_impossible_birth_date_is_a_reason_and_the_name_still_screened(fresh: Path, value: str) -> None:
    screener = Screener(fresh)
    listed = screener.lookup(LISTED, subject_type="person", birth_date=value)
    assert listed.decision == "block" and listed.hits
    expected = f"correct: birth date {value!r} is not a valid date (YYYY-MM-DD); the name was screened without it"
    assert expected in listed.reasons
    clean = screener.lookup(CLEAN, subject_type="person", birth_date=value)
    assert (clean.decision, clean.reasons) == ("review", [expected])


def test_birth_date_forms() -> None:
    assert parse_birth_date("1985-03-03") == (dt.date(1985, 3, 3), None)
    assert parse_birth_date(dt.datetime(1985, 3, 3, 12)) == (dt.date(1985, 3, 3), None)
    assert parse_birth_date(" ") == (None, None) and parse_birth_date(None) == (None, None)


def test_an_eligible_adult_with_a_valid_id_is_clear(fresh: Path) -> None:
    born = dt.date(1985, 3, 3)
    result = lookup(CLEAN, subject_type="person", birth_date=born, nationality="CN", id_type="RIC",
                    id_number=ric("110101", born), db=fresh, eligibility=True)
    assert result.eligibility["status"] == "eligible"
    assert (result.decision, result.reasons) == ("clear", [])


def test_a_minor_who_may_not_register_is_blocked(fresh: Path) -> None:
    born = _years_ago(10)
    result = lookup(CLEAN, subject_type="person", birth_date=born, nationality="CN", id_type="RIC",
                    id_number=ric("110101", born), db=fresh, eligibility=True)
    assert result.eligibility["status"] == "ineligible" and result.hits == []
    assert result.decision == "block"
    assert any(r.startswith("ineligible (minor_") and "aged 10" in r for r in result.reasons)
    sanctions_only = lookup(CLEAN, subject_type="person", birth_date=born, id_type="RIC",
                            id_number=ric("110101", born), db=fresh)
    assert sanctions_only.decision == "clear" and sanctions_only.eligibility is None  # sanctions screening only


def test_an_id_failing_its_checksum_asks_for_a_correction(fresh: Path) -> None:
    born = dt.date(1985, 3, 3)
    good = ric("110101", born)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    result = lookup(CLEAN, subject_type="person", birth_date=born, nationality="CN", id_type="RIC", id_number=bad,
                    db=fresh, eligibility=True)
    assert result.decision == "review"
    assert result.reasons == [f"correct: ID number {mask_id(bad)} fails its RIC check character"]


def test_a_birth_date_disagreeing_with_the_id_asks_for_a_correction(fresh: Path) -> None:
    born = dt.date(1985, 3, 3)
    result = lookup(CLEAN, subject_type="person", birth_date=dt.date(1986, 3, 3), nationality="CN", id_type="RIC",
                    id_number=ric("110101", born), db=fresh, eligibility=True)
    assert result.decision == "review"
    assert result.reasons == ["correct: declared birth date 1986-03-03 differs from ID birth date 1985-03-03"]


def test_a_hit_and_an_ineligible_subject_both_give_their_reason(fresh: Path) -> None:
    born = _years_ago(12)  # known from the ID only: the name is screened without a birth date
    result = lookup(LISTED, subject_type="person", id_type="RIC", id_number=ric("110101", born), db=fresh,
                    eligibility=True)
    assert result.decision == "block"
    assert result.reasons[0].startswith("block_review hit: ") and any(r.startswith("ineligible (") for r in result.reasons)
