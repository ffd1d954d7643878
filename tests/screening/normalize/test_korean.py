"""Korean names: Hanja readings (Unihan kHangul) and the romanisations lists use (korean.py)."""
from __future__ import annotations

import pytest

from screening.normalize import korean, name_forms, name_forms_frame


@pytest.mark.parametrize(("hanja", "hangul"), [
    ("金正恩", "김정은"), ("崔龍海", "최룡해"), ("崔龙海", "최룡해"),  # simplified input reads as traditional
    ("李洙墉", "리수용"),  # 李: the DPRK reading first (이 comes through the surname table)
    ("南宫珉", "남궁민"),  # two-syllable surname
])
def test_hanja_to_hangul(hanja: str, hangul: str) -> None:
    assert korean.hanja_to_hangul(hanja) == hangul


def test_names_that_cannot_be_korean_get_no_reading() -> None:
    assert korean.hanja_to_hangul("王伟") is None  # 왕 is not among the Korean surnames kept
    assert korean.hanja_to_hangul("金") is None
    assert korean.hanja_to_hangul("金正恩金正恩") is None


@pytest.mark.parametrize(("hangul", "spellings"), [
    ("김정은", ["kim jong un", "kim chong un"]),
    ("최룡해", ["choe ryong hae", "choi ryong hae"]),
    ("장성택", ["jang song thaek", "jang song taek", "chang song taek"]),  # DPRK th for ㅌ
    ("리만건", ["ri man gon"]),  # ㄱ voiced after a voiced final inside the given name
    ("박봉주", ["pak pong ju", "park pong ju"]),
])
def test_listed_spellings(hangul: str, spellings: list[str]) -> None:
    assert [" ".join(t) for t in korean.listed_spellings(hangul)] == spellings


def test_hangul_and_hanja_names_carry_the_listed_spelling() -> None:
    """UN / OFAC write the DPRK leader "KIM, Jong Un"."""
    assert "kim jong un" in {f.text for f in name_forms("김정은", "person")}
    assert "kim jong un" in {f.text for f in name_forms("金正恩", "person")}
    assert "kim jong un" not in {f.text for f in name_forms("金正恩", "organization")}


def test_frame_equals_name_forms_for_hanja_names() -> None:
    names = ["金正恩", "张国荣", "王伟", "崔龙海", "欧阳娜娜"]
    frame = name_forms_frame(names, ["person"] * len(names))
    for i, name in enumerate(names):
        rows = frame.filter(frame["idx"] == i)
        assert [(r["form"], r["kind"]) for r in rows.iter_rows(named=True)] == [
            (f.text, f.kind) for f in name_forms(name, "person")]
