"""The English-listing reading of Chinese organisation names (chinese_org, cn_org_glossary.yml)."""
from __future__ import annotations

import pytest

from screening.normalize import chinese_org, name_forms, name_forms_frame


@pytest.mark.parametrize(("han", "reading"), [
    ("华为技术", "huawei technology"),  # brand in pinyin joined, generic word translated
    ("浙江大华技术", "zhejiang dahua technology"),  # place in front
    ("杭州海康威视数字技术", "hangzhou hikvision digital technology"),  # brand from the alias table
    ("北京理工大学", "beijing university technology"),  # longest glossary word wins (理工大学, not 大学)
    ("东莞市都润光学科技", "dongguan durun optical technology"),  # 市 belongs to the place; 都 read du in a brand
    ("中国电子科技集团公司第十三研究所", "china electronic technology group corporation 13th research institute"),
    ("中国船舶集团第七二二研究所", "china shipbuilding group 722nd research institute"),
])
def test_readings(han: str, reading: str) -> None:
    assert chinese_org.readings([han])[0] == reading.split()


def test_second_rendering_gives_a_second_form() -> None:
    assert chinese_org.readings(["北京理工大学"]) == [["beijing", "university", "technology"],
                                                 ["beijing", "institute", "technology"]]


def test_one_word_in_its_second_rendering_gives_a_mixed_form() -> None:
    """us_csl "CHINA ACADEMY OF LAUNCH VEHICLE TECHNOLOGY": 中国 and 技术 as usual, 研究院 as "academy"; the
    frame path (batch screens) gives the same forms as name_forms."""
    readings = [" ".join(r) for r in chinese_org.readings(["中国运载火箭技术研究院"])]
    assert readings[0] == "china launch vehicle technology research institute"
    assert "china launch vehicle technology academy" in readings
    frame = name_forms_frame(["中国运载火箭技术研究院"], ["organization"])
    assert set(frame["form"].to_list()) == {f.text for f in name_forms("中国运载火箭技术研究院", "organization")}


def test_a_name_the_glossary_does_not_know_is_read_as_a_brand() -> None:
    """Lists write a Chinese brand's syllables joined (HUAWEI, DJI's 大疆 "dajiang"); the pinyin form keeps
    them apart, so 华为有限公司 met "Huawei International" only through a merge a Chinese name never gets."""
    assert chinese_org.readings(["华为"]) == [["huawei"]]
    assert chinese_org.readings(["人权观察"]) == [["renquanguancha"]]
    assert chinese_org.readings(["SpaceKnow"]) == []  # no Han: nothing to read
    kinds = [(f.text, f.kind) for f in name_forms("华为有限公司", "organization")]
    assert kinds == [("华为", "original"), ("hua wei", "pinyin"), ("huawei", "pinyin")]


def test_unknown_type_with_an_organisation_word_gets_the_reading() -> None:
    kinds = [(f.text, f.kind) for f in name_forms("北京华为科技", None)]
    assert ("beijing huawei technology", "pinyin") in kinds
    # a person's name of two to four characters may hold a glossary word: 张中华, 李海洋
    assert all(f.text != "zhang china" for f in name_forms("张中华", None))


def test_persons_never_get_the_reading() -> None:
    assert all(f.text != "huawei technology" for f in name_forms("华为科技", "person"))


def test_frame_equals_name_forms_for_organisations() -> None:
    names = ["浙江大华技术股份有限公司", "华为技术有限公司", "北京理工大学", "某某有限公司", "北京华为科技", "张中华"]
    types = ["organization", "organization", "organization", "organization", None, None]
    frame = name_forms_frame(names, types)
    for i, (name, stype) in enumerate(zip(names, types)):
        rows = frame.filter(frame["idx"] == i)
        assert [(r["form"], r["kind"], r["legal_form"]) for r in rows.iter_rows(named=True)] == [
            (f.text, f.kind, f.legal_form) for f in name_forms(name, stype)]


def test_listed_latin_address_and_acronym_are_not_the_name() -> None:
    """US CSL writes "Huawei Software Technologies Co., Ltd., Nanjing, Jiangsu" and "... (BUAA)"."""
    assert name_forms("Huawei Software Technologies Co., Ltd., Nanjing, Jiangsu", "organization")[0].text == \
        "huawei software technologies"
    assert name_forms("Beijing University of Aeronautics and Astronautics (BUAA)", "organization")[0].text == \
        "beijing university aeronautics astronautics"
    # brackets that are not the name's initials stay
    assert "sichuan" in name_forms("Huawei Device (Sichuan) Co., Ltd.", "organization")[0].text
