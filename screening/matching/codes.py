"""Small integer codes shared by both sides of a pair: name kinds, subject types, scripts, countries,
legal-form families, date precisions; and the ID-number normaliser (`screening.ids`, re-exported).

Every code is stable across processes and machines (no salted `hash()`), so a code may reach a stored
table or another worker.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import Sequence

import numpy as np
import polars as pl

from screening import normalize
from screening.ids import normalise_id, normalise_id_expr  # noqa: F401  the one ID normaliser, both sides
from screening.scripts import non_latin_script

KIND_CODES: dict[str, int] = {"latin": 0, "original": 1, "pinyin": 2, "variant": 3}
KIND_NAMES: dict[int, str] = {v: k for k, v in KIND_CODES.items()} | {4: "other"}
SUBJECT_CODES: dict[str, int] = {"person": 1, "organization": 2, "vessel": 3, "aircraft": 4}

DATE_PRECISION = {"exact": 0, "month": 1, "year": 2, "range": 3, "approximate": 4}
NO_DATE = np.iinfo(np.int32).min  # an account without a birth date (days since 1970)


# Non-Latin scripts the matcher's rules tell apart (0 = Latin; 99 = any other script), from the one
# detector in screening/scripts.py.
SCRIPT_CODES = {"Hani": 1, "Hang": 2, "Hira": 3, "Kana": 3, "Cyrl": 4, "Arab": 5, "Grek": 6, "Hebr": 7, "Geor": 8,
                "Armn": 9, "Thai": 10, "Deva": 11, "Beng": 12, "Ethi": 13, "Khmr": 14, "Taml": 15}
SCRIPT_HAN, SCRIPT_HANGUL = SCRIPT_CODES["Hani"], SCRIPT_CODES["Hang"]


@functools.lru_cache(maxsize=100_000)
def script_code(text: str) -> int:
    """The script a name is written in, when it is not Latin (0): Han, Hangul, Cyrillic, Arabic …"""
    script = non_latin_script(text)
    return 0 if script is None else SCRIPT_CODES.get(script, 99)


def script_codes(texts: Sequence[str]) -> np.ndarray:
    return np.fromiter((script_code(t or "") for t in texts), dtype=np.int32, count=len(texts))


_LATIN_RE = re.compile("[A-Za-z]")


def cjk_person_names(texts: Sequence[str | None], scripts: np.ndarray) -> np.ndarray:
    """Per name (and its `script_codes`): a Chinese or Korean person's own name, two to four Han or Hangul
    characters and nothing else (a foreign name written in Han is longer and keeps its parts apart:
    詹姆斯·泰克利特). Its romanisations have no optional middle name."""
    stripped = ((t or "").strip() for t in texts)
    own = np.fromiter((2 <= len(t) <= 4 and t.isalpha() and not _LATIN_RE.search(t) for t in stripped), dtype=bool,
                      count=len(texts))
    return own & ((scripts == SCRIPT_HAN) | (scripts == SCRIPT_HANGUL))


def legal_family_codes(values: Sequence[str | None]) -> np.ndarray:
    """Integer per legal-form family (Ltd and GmbH are both `limited`; 0 = none), from the normaliser's
    `legal_form_family`: a digest of the family's name, the same in every process."""
    return np.fromiter((legal_family_code(v) if v else 0 for v in values), dtype=np.int64, count=len(values))


@functools.lru_cache(maxsize=1024)
def legal_family_code(code: str) -> int:
    family = normalize.legal_form_family(code) or code
    return int.from_bytes(hashlib.blake2b(family.encode(), digest_size=6).digest(), "big") or 1


def country_code(value: str | None) -> int:
    return ord(value[0].upper()) * 256 + ord(value[1].upper()) if value and len(value) == 2 else 0


def country_codes(values: Sequence[str | None] | pl.Series) -> np.ndarray:
    """ISO-2 codes as small integers (0 = none); each distinct value converted once."""
    if isinstance(values, list) and len(values) <= 4:
        return np.asarray([country_code(v) for v in values], dtype=np.int32)
    series = values if isinstance(values, pl.Series) else pl.Series(list(values), dtype=pl.String)
    distinct = series.drop_nulls().unique().to_list()
    table = {v: country_code(v) for v in distinct}
    return series.replace_strict(table, default=0, return_dtype=pl.Int32).fill_null(0).to_numpy()

