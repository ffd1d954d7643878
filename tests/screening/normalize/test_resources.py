"""The normalisation data files load, agree with each other and carry their provenance."""
from __future__ import annotations

import itertools

from pypinyin.pinyin_dict import pinyin_dict

from screening.normalize import chinese, name_forms
from screening.normalize.affixes import legal_form_tables, org_stopwords, title_tables
from screening.normalize.resources import RESOURCE_DIR, load_csv


def _pinyin_syllables() -> set[str]:
    return {chinese._plain(r) for v in pinyin_dict.values() for r in v.split(",")}


def test_surname_readings_are_pinyin_syllables() -> None:
    syllables = _pinyin_syllables()
    readings, _ = chinese.surname_table()
    assert len(readings) > 250
    for surname, reading in readings.items():
        if len(surname) == 1:
            assert reading in syllables, (surname, reading)
        else:
            assert reading.isascii() and reading.isalpha(), (surname, reading)


def test_surname_rows_are_simplified_and_unique() -> None:
    rows = load_csv("chinese_surnames.csv")
    surnames = [r["surname"] for r in rows]
    assert len(surnames) == len(set(surnames))
    assert all(chinese.to_simplified(s) == s for s in surnames)


def test_variant_targets_are_known_readings() -> None:
    readings, variants = chinese.surname_table()
    known = set(readings.values())
    assert {"chang", "hsiao", "chou", "wong", "lee", "chan", "tsai", "hsu", "cheung", "ng"} <= set(variants)
    for form, targets in variants.items():
        assert form not in targets
        assert set(targets) <= known, (form, targets)


def test_licence_lines_on_copied_data() -> None:
    for name in ("chinese_surnames.csv", "korean_surnames.csv"):
        head = (RESOURCE_DIR / name).read_text(encoding="utf-8").splitlines()[:4]
        assert any("MIT" in line for line in head), name


def test_legal_form_tables_load() -> None:
    suffix, prefix, family, han = legal_form_tables()
    assert ("co", "ltd") in suffix.phrases and suffix.phrases[("co", "ltd")] == "ltd"
    assert prefix.phrases[("ooo",)] == "llc"
    assert set(family.values()) >= {"limited", "stock", "corp"}
    assert [a for a, _ in han][:1] and all(len(a) >= len(b) for (a, _), (b, _) in itertools.pairwise(han))


def test_titles_and_stopwords_load() -> None:
    prefixes, person_prefixes, suffixes, _, han = title_tables()
    assert ("mr",) in prefixes.phrases and ("general",) in person_prefixes.phrases
    assert ("general",) not in prefixes.phrases  # ordinary word in organisation names
    assert ("jr",) in suffixes.phrases and "先生" in han
    assert {"the", "of", "and"} <= org_stopwords()


def test_phrase_overrides_fix_heteronyms() -> None:
    overrides, _ = chinese.phrase_overrides()
    assert overrides["银行"] == ("yin", "hang")
    assert chinese.syllables("重庆银行") == ["chong", "qing", "yin", "hang"]


def test_vessel_prefix() -> None:
    assert [f.text for f in name_forms("M/V ATLANTIC STAR", "vessel")] == ["atlantic star"]
