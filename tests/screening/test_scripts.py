"""The one script detector: the lists' dominant-script view and the matcher's first-non-Latin view share
one per-letter table, so they cannot disagree about what a letter is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.matching.codes import SCRIPT_CODES, SCRIPT_HAN, script_code
from screening.scripts import char_script, detect_script, non_latin_script

CASES = [
    # text, dominant script (lists), first non-Latin script (matcher), why
    ("Vladimir Putin", "Latn", None, "plain Latin"),
    ("Baššār Ḥāfiẓ al-ʾAsad", "Latn", None, "diacritics and a modifier-letter hamza are Latin"),
    ("ＴｅｒｒａＱｕａｎｔａ", "Latn", None, "full-width Latin letters are Latin"),
    ("Владимир Путин", "Cyrl", "Cyrl", "Cyrillic"),
    ("习近平", "Hans", "Hani", "Han: the lists tell Simplified apart, the matcher only needs Han"),
    ("習近平", "Hant", "Hani", "Traditional Han"),
    ("김정은", "Hang", "Hang", "Hangul"),
    ("安倍 しんぞう", "Jpan", "Hani", "Han + kana is Japanese; the first non-Latin letter is Han"),
    ("ｶﾀｶﾅ", "Jpan", "Kana", "half-width katakana"),
    ("John 李", "Latn", "Hani", "mixed: dominant Latin, but the name holds Han writing"),
    ("123 - ...", None, None, "no letters"),
]


@pytest.mark.parametrize("text, dominant, first, why", CASES)
def test_both_views(text: str, dominant: str | None, first: str | None, why: str) -> None:
    assert detect_script(text) == dominant, why
    assert non_latin_script(text) == first, why


def test_matcher_codes_come_from_the_detector() -> None:
    assert script_code("习近平") == SCRIPT_HAN and script_code("Ali") == 0
    assert script_code("ܐܠܗܐ") == 99  # Syriac: a script the matcher's rules do not single out
    assert set(SCRIPT_CODES) <= {char_script(c) for c in "中한ひカжعαאაաกदবአកத"}


@given(st.text(max_size=12))
def test_views_agree_on_latin(text: str) -> None:
    """A name the matcher treats as Latin is never stored as another script; one it sees non-Latin
    writing in is stored with a script."""
    if non_latin_script(text) is None:
        assert detect_script(text) in (None, "Latn")
    else:
        assert detect_script(text) is not None
