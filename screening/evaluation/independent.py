"""A clean base from an independent generator: Faker's names and companies in the languages the platform sees.

The synthetic base (synth.py) and its hard part (clean.py) draw names from the project's own tables, the ones
the matcher was tuned against; an outside measurement found clean alerts several times higher on names the
project never saw (issue 13 §3). Faker (MIT; https://github.com/joke2k/faker) writes names and company names
per locale from its own data, so this base shares no table with the matcher. Its clean alerts are reported as
a second figure beside the synthetic base's (`screening eval --parts independent_clean`). Real companies a
locale names (ru_RU: Первый канал, Уралвагонзавод, several of them listed) are drawn again. The names are
Faker's for the installed major version; the report says which version made them.
"""
from __future__ import annotations

import datetime as dt
import random

import polars as pl

from screening.accounts import ACCOUNT_SCHEMA

# (Faker locale, weight, country): persons as a Beijing platform's registrants are spread, with more of the
# names that alert most (Chinese, Korean, Arabic, Russian) than a plain sample would have
PERSON_LOCALES = (
    ("zh_CN", 30, "CN"), ("zh_TW", 5, "TW"), ("ko_KR", 5, "KR"), ("ja_JP", 3, "JP"), ("ru_RU", 6, "RU"),
    ("uk_UA", 2, "UA"), ("ar_AA", 6, "SA"), ("fa_IR", 3, "IR"), ("tr_TR", 3, "TR"), ("en_US", 8, "US"),
    ("en_GB", 3, "GB"), ("fr_FR", 2, "FR"), ("de_DE", 2, "DE"), ("es_ES", 2, "ES"), ("id_ID", 2, "ID"),
    ("vi_VN", 2, "VN"), ("en_IN", 3, "IN"), ("it_IT", 1, "IT"), ("pt_BR", 1, "BR"),
)
ORG_LOCALES = (
    ("zh_CN", 10, "CN"), ("en_US", 8, "US"), ("en_GB", 3, "GB"), ("ru_RU", 2, "RU"), ("de_DE", 2, "DE"),
    ("ja_JP", 1, "JP"), ("ko_KR", 1, "KR"), ("fr_FR", 1, "FR"), ("ar_AA", 1, "SA"), ("tr_TR", 1, "TR"),
)
PERSON_SHARE = 0.8
SURNAME_FIRST = frozenset({"zh_CN", "zh_TW", "ko_KR"})  # written as one word, surname first (王伟, 김민준)
ROMANISED_SHARE = 0.3  # zh_CN persons registered under Faker's romanised (pinyin) name instead


def _real_companies(f: "Faker") -> frozenset[str]:  # noqa: F821 - Faker is imported where it is used
    """The real companies a locale's company provider names (ru_RU: Первый канал, Уралвагонзавод …)."""
    return frozenset(name for provider in f.get_providers() for name in getattr(provider, "large_companies", ()))


def faker_version() -> str:
    from importlib.metadata import version

    return version("faker")


def independent_clean_accounts(n: int, seed: int) -> pl.DataFrame:
    """`n` accounts in ACCOUNT_SCHEMA (ids "F000000" …), 80 % persons with a birth date, the rest companies;
    the same rows for the same seed and Faker version."""
    from faker import Faker

    rng = random.Random(f"independent:{seed}")
    fakers: dict[str, Faker] = {}

    def faker(locale: str) -> Faker:
        if locale not in fakers:
            fakers[locale] = Faker(locale)
            fakers[locale].seed_instance(seed)
        return fakers[locale]

    rows = []
    for i in range(n):
        person = rng.random() < PERSON_SHARE
        locale, _, country = rng.choices(PERSON_LOCALES if person else ORG_LOCALES,
                                         weights=[w for _, w, _ in (PERSON_LOCALES if person else ORG_LOCALES)])[0]
        f = faker(locale)
        if not person:
            name = f.company()
            while name in _real_companies(f):  # a real company's name may be a listed one: not a clean name
                name = f.company()
        elif locale in SURNAME_FIRST:
            name = f.last_name() + f.first_name()
            if locale == "zh_CN" and rng.random() < ROMANISED_SHARE:
                name = f.romanized_name()
        elif locale == "ja_JP":
            name = f"{f.last_name()} {f.first_name()}"
        else:
            name = f"{f.first_name()} {f.last_name()}"
        rows.append({"account_id": f"F{i:06d}", "subject_type": "person" if person else "organization", "name": name,
                     "birth_date": dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(19_000)) if person else None,
                     "country": country, "nationality": country if person else None})
    frame = pl.DataFrame(rows, schema={"account_id": pl.String, "subject_type": pl.String, "name": pl.String,
                                       "birth_date": pl.Date, "country": pl.String, "nationality": pl.String})
    return frame.select([(pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c)
                         for c, t in ACCOUNT_SCHEMA.items()])
