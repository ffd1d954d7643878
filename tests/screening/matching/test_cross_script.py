"""Names written in another script than their listing (issue 13 §1, §2), scored with compare().

The listed names are copied as written from the bundled snapshot (source in each case); the Han and
Hangul names are the organisations' registered names and the persons' names in Korean sources.
"""
from __future__ import annotations

import pytest

from screening.matching.config import DEFAULT_CONFIG
from screening.matching.pairwise import compare

REVIEW = DEFAULT_CONFIG.review

CN_ORGS = [
    ("华为技术有限公司", "HUAWEI TECHNOLOGIES CO., LTD."),  # us_csl
    ("浙江大华技术股份有限公司", "Dahua Technology"),  # us_csl: listed without the place or legal form
    ("浙江大华技术股份有限公司", "Zhejiang Dahua Technology Co., Ltd."),
    ("杭州海康威视数字技术股份有限公司", "HANGZHOU HIKVISION DIGITAL TECHNOLOGY CO., LTD."),  # us_csl, alias table
    ("北京理工大学", "Beijing Institute of Technology"),  # us_csl
    ("北京航空航天大学", "Beijing University of Aeronautics and Astronautics (BUAA)"),  # us_csl
    ("江西洪都航空工业股份有限公司", "JIANGXI HONGDU AVIATION INDUSTRY CO., LTD."),  # us_csl
    ("华为软件技术有限公司", "Huawei Software Technologies Co., Ltd., Nanjing, Jiangsu"),  # us_csl
    ("中国电子科技集团公司第十三研究所",
     "China Electronics Technology Group Corporation 13th Research Institute (CETC 13)"),  # us_csl
    ("丹东鸿祥实业发展有限公司", "DANDONG HONGXIANG INDUSTRIAL DEVELOPMENT CO LTD"),  # us_ofac_sdn
    # alias table: official English names that are no word-for-word reading
    ("中国船舶重工集团有限公司", "CHINA SHIPBUILDING INDUSTRY COMPANY LIMITED"),  # us_ofac_cons
    ("中国核工业集团有限公司", "CHINA NATIONAL NUCLEAR CORPORATION"),  # us_ofac_cons
    ("西北工业大学", "Northwestern Polytechnical University"),  # us_csl
]


@pytest.mark.parametrize(("han", "listed"), CN_ORGS)
def test_chinese_legal_name_hits_its_english_listing(han: str, listed: str) -> None:
    assert compare(han, listed, subject_type="organization").score >= REVIEW


def test_latin_name_with_place_hits_the_listing_without_it() -> None:
    """US CSL lists "Dahua Technology"; the company writes itself "Zhejiang Dahua Technology Co., Ltd."."""
    assert compare("Zhejiang Dahua Technology Co., Ltd.", "Dahua Technology", subject_type="organization").score >= REVIEW


@pytest.mark.parametrize(("han", "listed"), [
    ("浙江大华技术股份有限公司", "HUAWEI TECHNOLOGIES CO., LTD."),  # another brand, same generic word
    ("上海某某科技有限公司", "Beijing Moumou Technology Co., Ltd."),  # hypothetical: places alone never match
    ("华立科技有限公司", "Huawei Technology"),  # one syllable apart: a Han name's pinyin is exact
    ("北京大学", "Beijing Institute of Technology"),  # place + generic word only
])
def test_other_companies_do_not_alert(han: str, listed: str) -> None:
    assert compare(han, listed, subject_type="organization").score < REVIEW


def test_place_is_optional_only_at_the_ends_of_longer_names() -> None:
    """A place name that is a given name (Jilin) in a two-token name is a name like any other."""
    assert compare("Wang Jilin", "WANG", subject_type="person").score < REVIEW


KOREAN = [
    ("金正恩", "KIM, Jong Un"),  # us_ofac_sdn
    ("김정은", "KIM, Jong Un"),
    ("崔龙海", "CHOE, Ryong Hae"),  # us_ofac_sdn
    ("최룡해", "CHOE, Ryong Hae"),
    ("李万建", "RI MAN GON"),  # un_sc
    ("张昌河", "JANG, Chang Ha"),  # us_ofac_sdn
]


@pytest.mark.parametrize(("name", "listed"), KOREAN)
def test_korean_name_in_hanja_or_hangul_hits_its_romanised_listing(name: str, listed: str) -> None:
    assert compare(name, listed, subject_type="person").score >= REVIEW


@pytest.mark.parametrize(("name", "listed"), [("金正恩", "KIM, Jong Il"), ("김정은", "KIM, Yo Jong"),
                                              ("金英哲", "KIM, Yong Su")])
def test_another_korean_name_does_not_alert(name: str, listed: str) -> None:
    assert compare(name, listed, subject_type="person").score < REVIEW
