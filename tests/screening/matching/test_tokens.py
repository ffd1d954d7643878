"""Token rules: phonetic keys, pinyin syllables, OCR reading, weights and the pair similarity."""

from __future__ import annotations

import numpy as np
import pytest

from screening.matching.config import DEFAULT_CONFIG
from screening.matching.tokens import (
    _PHONETIC_RULES, TokenTable, Vocab, _Stacked, has_cjk, is_pinyin, ocr_fold, phonetic_key, phonetic_spelling,
    token_similarity,
)


@pytest.mark.parametrize(("a", "b"), [("mohammed", "muhammad"), ("mohamad", "mukhammad"), ("shevchenko", "chevtchenko"),
                                      ("yeltsin", "eltsine")])
def test_phonetic_key_joins_transliterations(a: str, b: str) -> None:
    assert phonetic_key(a) is not None and phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(("a", "b"), [("wang", "kang"), ("gaddafi", "farouk"), ("hassan", "ahmed")])
def test_phonetic_key_keeps_names_apart(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


@pytest.mark.parametrize(("token", "expected"), [("wang", True), ("jianhua", True), ("xiaoming", True),
                                                  ("smith", False), ("mohammed", False), ("kim", False)])
def test_pinyin_detection(token: str, expected: bool) -> None:
    assert is_pinyin(token) is expected


def test_cjk_characters_are_counted_at_the_ranges_edges() -> None:
    """Han (with the radicals from U+2E80, compatibility ideographs and the supplementary planes), Kana and
    Hangul count; the character just before each range, Latin, Cyrillic and Arabic do not."""
    tokens = ["王伟", "김정은", "アイ", "\u2e80\u9fff", "\uf900", "\U00020000x", "\U0003ffff", "\u2e7f\ua000\uabff",
              "\ud7b0\ufb00", "abc", "жук", "محمد"]
    assert TokenTable.build(tokens).cjk.tolist() == [2, 3, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0]
    assert [has_cjk(t) for t in tokens] == [True] * 7 + [False] * 5


@pytest.mark.parametrize("token", ["shcherbakov", "khaled", "王伟", "щербаков", "محمد", "김정은", "ßx", "12"])
def test_phonetic_spelling_shortcut(token: str) -> None:
    """A token without Latin letters skips the rules: what they give it is the token itself."""
    s = token
    for pattern, repl in _PHONETIC_RULES:
        s = pattern.sub(repl, s)
    assert phonetic_spelling(token) == s


def test_ocr_reading_only_for_mostly_letters() -> None:
    assert ocr_fold("m0hammad") == "mohammad"
    assert ocr_fold("abde1malek") == "abdelmalek"
    assert ocr_fold("747") == "747"


SIM_CASES = [
    # a, b, lower, upper, why
    ("scholz", "scholz", 1.0, 1.0, "equal"),
    ("scholze", "scholz", 0.8, 0.95, "one letter more in a long token"),
    ("wang", "kang", 0.5, 0.7, "one letter off weighs more in a four-letter token"),
    ("mohammad", "mohammed", 0.8, 0.9, "one letter off in a long token"),
    ("li", "lu", 0.0, 0.0, "short tokens must be equal"),
    ("ntc", "ntk", 0.88, 0.88, "a short token spelt with a letter of the same sound (c / k)"),
    ("tiz", "tis", 0.88, 0.88, "a short token spelt with a letter of the same sound (z / s)"),
    ("zi", "si", 0.0, 0.0, "two pinyin syllables are two characters, whatever they sound like"),
    ("kim", "kin", 0.0, 0.0, "another consonant is another short token"),
    ("j", "john", 0.7, 0.8, "initial"),
    ("bill", "william", 0.84, 0.86, "nickname"),
    ("mohammed", "mehmet", 0.89, 0.91, "romanisation variant table"),
    ("hasan", "hassan", 0.85, 1.0, "doubled letter"),
    ("aly", "ali", 0.85, 1.0, "y read as i"),
    ("747", "737", 0.0, 0.0, "numbers must be equal"),
    ("m0hammad", "mohammad", 0.85, 1.0, "OCR digit in a name"),
    ("source9herbs", "source1herbs", 0.0, 0.0, "the same name with another digit (US CSL SOURCE1HERBS)"),
    ("15th", "14th", 0.0, 0.0, "another ordinal"),
    ("l3harr1s", "l3harris", 0.85, 0.9, "an OCR digit facing a letter in a name that has a digit"),
    ("王伟", "汪伟", 0.0, 0.0, "two Han characters differing in one are different names"),
    ("al", "el", 0.89, 0.91, "spellings of the Arabic article"),
    ("mohamad", "mukhammad", 0.82, 0.9, "one phonetic key, spellings close: lifted"),
    ("hisham", "hashemi", 0.0, 0.0, "one phonetic skeleton, two names (Hisham / Hashemi): not lifted"),
    ("khaled", "khaludi", 0.6, 0.7, "one phonetic skeleton, two names (Khaled / Khaludi): not lifted to 0.82"),
]


@pytest.mark.parametrize(("a", "b", "lower", "upper", "why"), SIM_CASES)
def test_token_similarity_cases(a: str, b: str, lower: float, upper: float, why: str) -> None:
    vocab = Vocab([a, b])
    ids, table = vocab.encode([a, b])
    sim, _ = token_similarity(ids[:1], ids[1:], table, vocab.equivalents, DEFAULT_CONFIG)
    assert lower - 1e-6 <= float(sim[0]) <= upper + 1e-6, why


def test_strict_pinyin_needs_equal_syllables() -> None:
    vocab = Vocab(["mingjian", "mingjing"])
    ids, table = vocab.encode(["mingjian", "mingjing"])
    equivalents = vocab.equivalents
    lenient, _ = token_similarity(ids[:1], ids[1:], table, equivalents, DEFAULT_CONFIG)
    strict, _ = token_similarity(ids[:1], ids[1:], table, equivalents, DEFAULT_CONFIG, strict=np.array([True]))
    assert lenient[0] > 0.6 and strict[0] == 0.0


def test_common_tokens_weigh_less() -> None:
    vocab = Vocab(["mohammed", "bustaji", "trading", "al"])
    ids, table = vocab.encode(["mohammed", "bustaji", "trading", "al"])
    w = table.weights(DEFAULT_CONFIG)[ids]
    assert w[1] == pytest.approx(1.0)
    assert w[0] < 0.8 and w[2] < 0.5 and w[3] < 0.3


def test_a_stacked_column_gathers_as_its_concatenation() -> None:
    """TokenTable.concat's stacked string and code columns: any gather (list tokens only, as most of a
    lookup's are, new tokens among them, nested stacks, none) reads what the concatenated array would."""
    head = np.array(["ali", "hassan", "kim"], dtype=object)
    stacked = _Stacked(_Stacked(head, np.array(["jong"], dtype=object)), np.array(["un", "x"], dtype=object))
    whole = np.array(["ali", "hassan", "kim", "jong", "un", "x"], dtype=object)
    for idx in ([2, 0, 0], [5, 1, 3], [[0, 4], [3, 2]], []):
        got = stacked[np.asarray(idx, dtype=np.int64)]
        assert got.dtype == whole.dtype and got.tolist() == whole[np.asarray(idx, dtype=np.int64)].tolist()
    assert stacked[4] == "un" and len(stacked) == 6
