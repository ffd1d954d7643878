"""Each variant generator produces what its variation type claims (case tables on hand-picked names)."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

import opencc
import polars as pl
import pytest
from rapidfuzz.distance import DamerauLevenshtein, Levenshtein

from screening.evaluation.variants import (
    VARIATIONS,
    VARIATIONS_BY_KEY,
    Listed,
    Variant,
    generate_variants,
    make_variant,
    script_of,
    wade_giles_of_pinyin,
)
from tests.conftest import REPO

DOB = dt.date(1970, 3, 5)
PERSON = Listed("un_sc", "QDi.1", "person", "Muhammad bin Abdullah AL-HARBI", birth_date=DOB,
                birth_precision="exact", country="SA", passport="A1234567")
ORG = Listed("us_csl", "c1", "organization", "Acme Trading International Company Limited")
PINYIN = Listed("us_csl", "c2", "person", "WANG Jianhua")
HAN = Listed("cn_sanctions", "cn1", "person", "王建华")
HAN_ORG = Listed("cn_sanctions", "cn2", "organization", "中国电子科技集团有限公司")
CYRL = Listed("eu_fsf", "e1", "person", "Александр Евгеньевич Шойгу")
GERMAN = Listed("gb_ofsi", "g1", "person", "Jürgen Müller")
NUMBERED = Listed("us_ofac_sdn", "s1", "organization", "Plant No. 410")
WEAK = Listed("us_ofac_sdn", "s2", "person", "Abu Ali", quality="weak", birth_date=dt.date(1960, 1, 1),
              birth_precision="year")
SHORT = Listed("un_sc", "QDi.2", "person", "Ali Hassanein", birth_date=DOB, birth_precision="exact", country="SA",
               common_name=True)
ALL = [PERSON, ORG, PINYIN, HAN, HAN_ORG, CYRL, GERMAN, NUMBERED, WEAK, SHORT]


def run(key: str, item: Listed, seed: int = 1) -> Variant | None:
    return make_variant(VARIATIONS_BY_KEY[key], item, random.Random(seed))


def plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def test_every_domain_section_has_a_type_and_all_three_classes_exist() -> None:
    sections = {v.section for v in VARIATIONS}
    for s in ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "B8", "B9", "B10", "B11", "C12", "C13", "C14", "C15",
              "C16", "C17", "C18", "D19", "D20", "D21", "D22", "D23", "D24", "D25", "D26", "D27", "D28", "E29",
              "E30", "E31", "F32", "F33", "F34"]:
        assert s in sections, s
    assert {v.expected for v in VARIATIONS} == {"must_hit", "should_hit", "must_not_hit"}
    assert len(VARIATIONS_BY_KEY) == len(VARIATIONS)


@pytest.mark.parametrize(
    "key,item,check",
    [
        ("exact", PERSON, lambda v, o: v == o),
        ("original_script", HAN, lambda v, o: v == o),
        ("original_script", PERSON, None),
        ("case", PERSON, lambda v, o: v != o and v.casefold() == o.casefold()),
        ("fullwidth", ORG, lambda v, o: v != o and plain(v) == plain(o)),
        ("zero_width", PERSON, lambda v, o: v != o and len(v) > len(o)),
        ("diacritics", GERMAN, lambda v, o: v in ("Jurgen Muller", "Juergen Mueller")),
        ("punctuation_spacing", PERSON, lambda v, o: "-" not in v and v.replace(" ", "") in ("MuhammadbinAbdullahALHARBI",)),
        ("legal_form", ORG, lambda v, o: v.startswith("Acme Trading International") and v != o),
        ("legal_form", HAN_ORG, lambda v, o: v.startswith("中国电子科技") and v != o),
        ("legal_form", PERSON, None),
        ("typo_edit1", PERSON, lambda v, o: Levenshtein.distance(v, o) == 1),
        ("typo_edit2", ORG, lambda v, o: 1 <= Levenshtein.distance(v, o) <= 2),
        ("transposition", PERSON, lambda v, o: DamerauLevenshtein.distance(v, o) == 1 and sorted(v) == sorted(o)),
        ("keyboard", PERSON, lambda v, o: Levenshtein.distance(v, o) == 1 and len(v) == len(o)),
        ("double_letter", PERSON, lambda v, o: Levenshtein.distance(v, o) == 1),
        ("token_reorder", PERSON, lambda v, o: v.split() == o.split()[::-1]),
        ("token_reorder", Listed("x", "n", "person", "JOSEPH, Wilson"), lambda v, o: v == "Wilson JOSEPH"),
        ("comma_inverted", PINYIN, lambda v, o: v == "WANG, Jianhua"),
        ("comma_inverted", GERMAN, lambda v, o: v == "Müller, Jürgen"),
        ("field_misalignment", PERSON, lambda v, o: sorted(v.replace(",", "").split()) == sorted(o.split())),
        ("drop_middle", PERSON, lambda v, o: len(v.split()) == 3 and set(v.split()) < set(o.split())),
        ("extra_token", PERSON, lambda v, o: len(v.split()) == 5 and set(o.split()) < set(v.split())),
        ("token_merge", GERMAN, lambda v, o: v == "Jürgenmüller"),
        ("token_split", ORG, lambda v, o: len(v.split()) == 6 and v.replace(" ", "") == o.replace(" ", "")),
        ("initials_middle", PERSON, lambda v, o: v == "Muhammad bin A. AL-HARBI"),
        ("initials_given", GERMAN, lambda v, o: v == "J. Müller"),
        ("initials_given", PINYIN, None),  # surname WANG has fewer than 5 letters
        ("org_abbreviation", ORG, lambda v, o: v in ("Acme Trdg International Company Limited",
                                                     "Acme Trading Intl Company Limited")),
        ("truncation", ORG, lambda v, o: len(v) <= 35 and o.startswith(v)),
        ("translit_arabic", PERSON, lambda v, o: v.split()[0] in ("Muhammed", "Mohammed", "Mohamed", "Mohammad",
                                                                   "Mohamad", "Mehmed", "Mehmet") and v.split()[1:] == o.split()[1:]),
        ("translit_cyrillic", CYRL, lambda v, o: script_of(v) == "Latn" and v.split()[0] == "Aleksandr"),
        ("wade_giles", HAN, lambda v, o: v == "Wang Chien-hua"),
        ("wade_giles", PINYIN, lambda v, o: v == "WANG Chien-hua"),
        ("cantonese", HAN, lambda v, o: v == "Wong Jianhua"),
        ("pinyin_segmentation", HAN, lambda v, o: v == "Wang Jian Hua"),
        ("pinyin_segmentation", PINYIN, lambda v, o: v == "WANG Jian Hua"),
        # a six-character stem needs a word segmenter: no joined form is guessed
        ("pinyin_segmentation", HAN_ORG, None),
        ("han_pinyin", HAN, lambda v, o: v == "Wang Jianhua"),
        ("han_pinyin", HAN_ORG, lambda v, o: v.startswith("Zhong Guo Dian Zi")),
        ("han_pinyin", PERSON, None),
        ("homoglyph", ORG, lambda v, o: v != o and script_of(v) == "Cyrl" and len(v) == len(o)),
        ("han_simplified_traditional", HAN, lambda v, o: v == "王建華"),
        ("han_simplified_traditional", HAN_ORG, lambda v, o: v == opencc.OpenCC("s2t").convert(o)),
        ("chinese_telegraph_code", HAN, lambda v, o: v == "3769 1696 5478"),
        ("title_honorific", PERSON, lambda v, o: o in v and len(v.split()) == 5),
        ("arabic_particles", PERSON, lambda v, o: v.split()[1] in ("Ibn", "Ben", "Bn")),
        ("nickname", Listed("x", "n", "person", "William Ivanov"), lambda v, o: v.endswith(" Ivanov") and v != o),
        ("gendered_surname", Listed("x", "n", "person", "William Ivanov"), lambda v, o: v == "William Ivanova"),
        ("gendered_surname", Listed("x", "n", "person", "Olga PETROVA"), lambda v, o: v == "Olga PETROV"),
        ("gendered_surname", Listed("x", "n", "person", "Polina Evgenyevna PRIGOZHINA"), lambda v, o: v == "Polina Evgenyevna PRIGOZHIN"),
        ("gendered_surname", Listed("x", "n", "person", "LAPPO, Anatoliy"), None),
        ("gendered_surname", Listed("x", "n", "person", "IVANOV, Ivan"), lambda v, o: v == "IVANOVA, Ivan"),
        ("phonetic", PERSON, lambda v, o: v != o),
        ("digits_to_words", Listed("x", "n", "organization", "5 Batallion"), lambda v, o: v == "Five Batallion"),
        ("digit_changed", NUMBERED, lambda v, o: v != o and v.startswith("Plant No. ") and len(v) == len(o)),
        ("weak_alias", WEAK, lambda v, o: v == o),
        ("weak_alias", PERSON, None),
        ("substring_trap", SHORT, lambda v, o: "ali" in v.split()[0].lower() and v.split()[0].lower() != "ali"),
        ("han_different_given", HAN, lambda v, o: v[0] == "王" and len(v) == 3 and v[1:] != o[1:]),
    ],
)
def test_generator_case(key: str, item: Listed, check) -> None:
    variant = run(key, item)
    if check is None:
        assert variant is None
        return
    assert variant is not None, key
    assert check(variant.name, item.name), (key, variant.name)


def test_secondary_identifier_types_carry_the_right_secondary_data() -> None:
    v = run("dob_match", PERSON)
    assert v and v.birth_date == DOB and v.name != PERSON.name
    v = run("dob_day_month_swapped", PERSON)
    assert v and v.birth_date == dt.date(1970, 5, 3)
    v = run("dob_off_by_one", PERSON)
    assert v and abs(v.birth_date.year - 1970) == 1 and (v.birth_date.month, v.birth_date.day) == (3, 5)
    v = run("id_number", PERSON)
    assert v and v.id_type == "passport" and v.id_number.replace(" ", "").replace("-", "").upper() == "A1234567"
    v = run("weak_alias_dob", WEAK)
    assert v and v.name == WEAK.name and v.birth_date.year == 1960
    v = run("entity_type_mismatch", ORG)
    assert v and v.subject_type == "person" and v.name == ORG.name
    v = run("near_miss_contradicting", SHORT)
    assert v and abs(v.birth_date.year - DOB.year) >= 15 and v.country != "SA"
    assert Levenshtein.distance(v.name, SHORT.name) == 1
    # only common names make near-miss negatives (a rare name one edit off is still that person)
    assert run("near_miss_contradicting", Listed(**{**SHORT.__dict__, "common_name": False})) is None


def test_generation_is_deterministic_and_respects_per_type() -> None:
    a = generate_variants(ALL, seed=7, per_type=3)
    b = generate_variants(ALL, seed=7, per_type=3)
    c = generate_variants(ALL, seed=8, per_type=3)
    assert a.equals(b)
    assert not a.equals(c)
    assert a.group_by("variation_type").len().get_column("len").max() <= 3
    assert a.get_column("variant_id").is_unique().all()
    # the labels come from the table
    for row in a.iter_rows(named=True):
        assert row["expected"] == VARIATIONS_BY_KEY[row["variation_type"]].expected
    # weak names feed only the weak-alias types
    weak_rows = a.filter(a["original_quality"] == "weak")
    assert set(weak_rows["variation_type"]) <= {"weak_alias", "weak_alias_dob"}


def test_weak_alias_that_is_also_a_strong_name_is_not_used() -> None:
    both = [Listed("x", "1", "person", "Abu Ali", quality="weak"), Listed("x", "1", "person", "Abu Ali")]
    assert generate_variants(both, seed=1, per_type=5, types=["weak_alias"]).height == 0
    assert generate_variants(both[:1], seed=1, per_type=5, types=["weak_alias"]).height == 1


def test_negatives_never_equal_a_listed_name() -> None:
    # every one-digit change of "Plant 0" … "Plant 9" is another listed name: nothing may come out
    items = [Listed("x", f"p{d}", "organization", f"Plant {d}") for d in range(10)]
    assert generate_variants(items, seed=3, per_type=20, types=["digit_changed"]).height == 0
    assert generate_variants(items[:1], seed=3, per_type=20, types=["digit_changed"]).height == 1


def test_negatives_that_are_listed_names_once_legal_forms_or_numbers_are_folded_are_not_used() -> None:
    # a weak alias the entry also lists as a strong name with another legal form (as on the CSL's SSI rows)
    weak = [Listed("x", "1", "organization", "RT-AVTO, AO", quality="weak"), Listed("x", "1", "organization", "RT-AVTO OJSC")]
    assert generate_variants(weak, seed=1, per_type=5, types=["weak_alias"]).height == 0
    assert generate_variants(weak[:1], seed=1, per_type=5, types=["weak_alias"]).height == 1
    # another number where the name without any number is listed: a listed name inside it, not a trap
    numbered = [Listed("x", "v8", "organization", "VALFAJR 8 SHIPPING CO."),
                Listed("x", "v", "organization", "Valfajr Shipping Company")]
    assert generate_variants(numbered, seed=3, per_type=20, types=["digit_changed"]).height == 0
    assert generate_variants(numbered[:1], seed=3, per_type=20, types=["digit_changed"]).height == 1


MIXED_ORG = Listed("cn_sanctions", "cn3", "organization", "Teledyne FLIR公司")
BRAND_ORG = Listed("cn_sanctions", "cn4", "organization", "爱尔康公司")


@pytest.mark.parametrize(
    "key,item,expected",
    [
        # the Latin part of a mixed-script name is kept as it is
        ("han_pinyin", MIXED_ORG, "Teledyne FLIR Gong Si"),
        ("han_pinyin", Listed("x", "n", "organization", "L3哈里斯公司"), "L3 Ha Li Si Gong Si"),
        ("han_pinyin", Listed("x", "n", "organization", "华为技术有限公司（深圳）"), "Hua Wei Ji Shu You Xian Gong Si (Shen Zhen)"),
        ("wade_giles", MIXED_ORG, None),  # company and foreign names are not written in Wade-Giles
        ("wade_giles", Listed("x", "n", "person", "托马斯·琼斯"), None),
        ("pinyin_segmentation", MIXED_ORG, "Teledyne FLIR Gongsi"),
        # Japanese (kana) and mixed-script person names have no faithful pinyin form
        ("han_pinyin", Listed("x", "n", "organization", "株式会社ザ·カン"), None),
        ("han_pinyin", Listed("x", "n", "person", "王Jack"), None),
        ("wade_giles", Listed("x", "n", "person", "王Jack"), None),
        # ü as a passport writes it (GB/T 28039-2011), not pypinyin's v
        ("han_pinyin", Listed("x", "n", "person", "吕铁女"), "Lyu Tienyu"),
        ("cantonese", Listed("x", "n", "person", "陈女"), "Chan Nyu"),
        # genuine Wade-Giles: -ai stays -ai, ü is written u, -uo after h/sh kept, t'ieh, apostrophes
        ("wade_giles", Listed("x", "n", "person", "蔡爱赛"), "Ts'ai Ai-sai"),
        ("wade_giles", Listed("x", "n", "person", "徐学军"), "Hsu Hsueh-chun"),
        ("wade_giles", Listed("x", "n", "person", "霍说"), "Huo Shuo"),
        ("wade_giles", Listed("x", "n", "person", "吕铁女"), "Lu T'ieh-nu"),
        ("wade_giles", Listed("x", "n", "person", "蔡来"), "Ts'ai Lai"),
        ("wade_giles", Listed("x", "n", "person", "XU Yuanchao"), "HSU Yuan-ch'ao"),
        ("wade_giles", Listed("x", "n", "person", "Zhou Xiaomai"), "Chou Hsiao-mai"),
        ("wade_giles", Listed("x", "n", "person", "王呣"), None),  # no standard Wade-Giles syllable
        # a short stem is one word, the legal form two-syllable words
        ("pinyin_segmentation", BRAND_ORG, "Aierkang Gongsi"),
        ("han_pinyin", Listed("x", "n", "person", "邓肯—史密斯"), "Dengken Shimisi"),
        # a surname that is the same in traditional characters is not converted with the given name
        ("han_simplified_traditional", Listed("x", "n", "person", "于建华"), "于建華"),
        ("han_simplified_traditional", Listed("x", "n", "person", "范冰冰"), None),
        ("han_simplified_traditional", Listed("x", "n", "person", "叶剑英"), "葉劍英"),
        ("pinyin_segmentation", Listed("x", "n", "organization", "三井E&S株式会社"), "Sanjing E&S Zhushi Huishe"),
    ],
)
def test_chinese_generator_fidelity(key: str, item: Listed, expected: str | None) -> None:
    variant = run(key, item)
    assert (variant.name if variant else None) == expected


# pinyin → Wade-Giles from a standard conversion table (Library of Congress pinyin/Wade-Giles table)
STANDARD_WADE_GILES = {
    "ai": "ai", "hai": "hai", "lai": "lai", "mai": "mai", "nai": "nai", "sai": "sai", "shai": "shai", "wai": "wai",
    "bai": "pai", "pai": "p'ai", "zhai": "chai", "chai": "ch'ai", "cai": "ts'ai", "zai": "tsai",
    "zhi": "chih", "chi": "ch'ih", "shi": "shih", "ri": "jih", "zi": "tzu", "ci": "tz'u", "si": "ssu",
    "ji": "chi", "qi": "ch'i", "xi": "hsi", "jiang": "chiang", "qing": "ch'ing", "xiong": "hsiung",
    "ju": "chü", "qu": "ch'ü", "xu": "hsü", "yu": "yü", "lv": "lü", "nv": "nü", "jue": "chüeh", "xue": "hsüeh",
    "quan": "ch'üan", "yuan": "yüan", "yun": "yün", "lve": "lüeh",
    "huo": "huo", "shuo": "shuo", "guo": "kuo", "kuo": "k'uo", "luo": "lo", "duo": "to", "tuo": "t'o",
    "zuo": "tso", "cuo": "ts'o", "zhuo": "cho", "chuo": "ch'o", "ruo": "jo",
    "tie": "t'ieh", "die": "tieh", "lie": "lieh", "ye": "yeh", "yi": "i", "you": "yu", "yan": "yen",
    "gui": "kuei", "kui": "k'uei", "hui": "hui", "chua": "ch'ua", "rong": "jung", "zhong": "chung",
    "e": "o", "ge": "ko", "ke": "k'o", "he": "ho", "er": "erh", "zhe": "che", "re": "je", "ze": "tse",
}


def test_wade_giles_table_agrees_with_the_standard_table() -> None:
    wg = wade_giles_of_pinyin()
    assert {py: wg.get(py) for py in STANDARD_WADE_GILES} == STANDARD_WADE_GILES
    assert all("v" not in w and "`" not in w for w in wg.values())
    assert all(w.endswith("ai") for py, w in wg.items() if py.endswith("ai"))
    assert all(w.endswith("ieh") for py, w in wg.items() if py.endswith("ie"))


PINNED = REPO / "tests" / "fixtures" / "evaluation" / "variants_pinned.csv"


def _pinned_set() -> pl.DataFrame:
    return pl.concat([generate_variants(ALL, seed=seed, per_type=10).with_columns(pl.lit(seed).alias("seed"))
                      for seed in range(5)])


def test_generated_set_is_pinned() -> None:
    """The generators give the pinned set on the hand-picked names above, row for row (ORIGIN.md beside it).

    The input is fixed here, not read from the lists, so only a change to a generator or its tables moves
    it; such a change regenerates the file (`_pinned_set().write_csv(PINNED)`) and says so in the commit.
    """
    assert _pinned_set().write_csv() == PINNED.read_text(encoding="utf-8"), "the generated variants changed"
