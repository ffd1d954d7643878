"""Brand look-alikes must be found; legitimate look-alike words must not trip the check."""

from __future__ import annotations

import polars as pl
import pytest

from screening.eligibility.brand import BrandConfig, brand_reasons, default_config

IMITATIONS = {
    "TerraQuanta官方": "impersonation words",
    "TerraQuanta Support Team": "impersonation words",
    "Terr4Quanta": "leetspeak",
    "T3rraQuanta": "leetspeak",
    "TerraQuаnta": "homoglyphs",  # Cyrillic а
    "ТerraQuanta": "mixed scripts",  # Cyrillic capital Т
    "TerrαQuαntα": "homoglyphs",  # Greek alpha
    "ＴｅｒｒａＱｕａｎｔａ": "full-width forms",
    "Terra\u200bQuanta": "invisible characters",
    "Terra\u2060Quanta": "invisible characters",
    "T.e.r.r.a-Q.u.a.n.t.a": "separators",
    "泰拉宽塔客服": "impersonation words",
    "泰拉寬塔": "traditional or look-alike characters",
    "秦拉宽塔": "traditional or look-alike characters",  # shape-similar 秦/泰
    "泰 拉 宽 塔": "separators",
    "tailakuanta": "pinyin or homophones",
    "Tai La Kuan Ta": "pinyin or homophones",
    "太拉宽塔": "pinyin or homophones",  # homophone 太/泰
    "TerraQuantta": "misspelling",  # doubled letter
    "TeraQuanta": "misspelling",  # dropped letter
    "TerarQuanta": "misspelling",  # swapped neighbours
    "TerraQanuta": "misspelling",
    "TerraQunta": "misspelling",  # one deletion
    "TerraQuamta": "misspelling",  # one substitution
    "TorraQuenta": "misspelling",  # two substitutions in a long form
    "TeraQuantaa": "misspelling",
    "Best TerraQuanat Shop": "misspelling",  # inside a longer name
    "tailakuanda": "misspelling",  # the pinyin of 泰拉宽塔, misspelt
}

# Legitimate names that resemble parts of the brand: must stay clean.
NEGATIVES = [
    "Terra Quantum", "Quanta Computer", "TerraCotta Studio", "Terrace Cafe", "quantum", "terra nova",
    "Terraform Labs", "Qantas", "泰拉瑞亚", "宽带服务", "泰山", "拉萨旅行", "华信官方旗舰店", "Support Group",
    "Team Liquid", "Tesla Quant", "王伟", "小明", "sunny88", "泰拉", "quanta", "terra_88", "Quant Terra",
    # two or more changes away, or explained by a real word (lookalike_words)
    "Terra Quantum Labs", "TerraQuest", "Tetra Quark", "Sierra Quant", "Terra Quantity",
]


def test_misspelling_edits_counts_changes() -> None:
    from screening.eligibility.brand import misspelling_edits, word_bounds

    assert misspelling_edits("terarquanta", "terraquanta", 2) == 1
    assert misspelling_edits("xxterraqunta", "terraquanta", 1) == 1
    assert misspelling_edits("torraquenta", "terraquanta", 2) == 2
    assert misspelling_edits("torraquenta", "terraquanta", 1) is None
    assert misspelling_edits("terraquantta", "terraquanta", 1) == 1
    # the stretch must be whole words of the display name
    assert misspelling_edits("sierraquant", "terraquanta", 2, word_bounds("sierra quant")) is None
    assert misspelling_edits("bestterraquanatshop", "terraquanta", 2, word_bounds("best terraquanat shop")) == 1


def test_short_forms_allow_one_change_and_very_short_none() -> None:
    base = default_config()
    other = BrandConfig(**{**base.__dict__, "protected": (("a", ("Alipay",)), ("b", ("Qoo",))),
                           "lookalike_words": ()})
    assert run(["Alipey", "Aliapy", "Alpiey", "Qxo", "Qoa"], other)["display_name"].to_list() == ["Alipey", "Aliapy"]


def run(names: list[str], config: BrandConfig | None = None) -> pl.DataFrame:
    df = pl.DataFrame({"account_id": [f"A{i}" for i in range(len(names))], "display_name": names, "name": ["x"] * len(names)})
    return brand_reasons(df, config).join(df.select("account_id", "display_name"), on="account_id")


@pytest.mark.parametrize(("name", "technique"), list(IMITATIONS.items()))
def test_imitations_are_found(name: str, technique: str) -> None:
    reasons = run([name])
    assert reasons.height == 1, name
    row = reasons.row(0, named=True)
    assert row["severity"] == "review"
    assert row["code"] in ("brand_imitation", "brand_near_spelling")
    assert technique in row["detail"]


def test_negatives_stay_clean() -> None:
    assert run(NEGATIVES)["display_name"].to_list() == []


def test_staff_impersonation_and_allow_list() -> None:
    reasons = run(["官方客服", "Official Support", "华信官方旗舰店"])
    assert reasons.select("display_name", "code").rows() == [("官方客服", "staff_impersonation"), ("Official Support", "staff_impersonation")]
    base = default_config()
    allowed = BrandConfig(**{**base.__dict__, "allow_accounts": frozenset({"A0"})})
    assert run(["TerraQuanta官方", "TerraQuanta官方"], allowed)["account_id"].to_list() == ["A1"]


def test_protected_names_are_configuration() -> None:
    base = default_config()
    other = BrandConfig(**{**base.__dict__, "protected": (("acme", ("AcmeCloud", "艾克云")),)})
    assert run(["Acm3Cloud", "艾克云客服", "TerraQuanta"], other)["display_name"].to_list() == ["Acm3Cloud", "艾克云客服"]
