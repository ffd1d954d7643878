"""ID validation: table cases with real-format numbers, and properties of the check characters."""

from __future__ import annotations

import random

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.ids import (
    RIC_CHECK_CHARS,
    USCC_ALPHABET,
    check_ids,
    mask_id,
    ric_check_char,
    upgrade_ric15,
    uscc_check_char,
    validate_id,
)

# Anchors published with the standards / seen in the wild (docs/architecture.md §5): they tie the
# scalar reference to reality before the reference is used to make further cases.
PUBLISHED_VALID = [
    ("11010519491231002X", "RIC"),  # GB 11643 example
    ("360426199101010071", "RIC"),
    ("91110000600037341L", "USCC"),
    ("91110108551385082Q", "USCC"),
]

CASES = [
    # number, declared type, kind, errors, warnings, embedded birth date
    ("11010519491231002X", "RIC", "RIC", (), (), "1949-12-31"),
    ("110105 19491231 002x", "RIC", "RIC", (), (), "1949-12-31"),  # typed with spaces, lower-case x
    ("11010519491231002X", None, "RIC", (), (), "1949-12-31"),  # type inferred
    ("110105491231002", "RIC", "RIC", (), (), "1949-12-31"),  # legacy 15-digit
    ("11010519491231003X", "RIC", "RIC", ("id_checksum",), (), None),
    ("110105194912310021", "RIC", "RIC", ("id_checksum",), (), None),
    ("110105194902300025", "RIC", "RIC", ("id_checksum",), (), None),
    ("11010519491231002", "RIC", "RIC", ("id_format",), (), None),  # 17 characters
    ("1101051949123100A2", "RIC", "RIC", ("id_format",), (), None),
    ("110105491331002", "RIC", "RIC", ("id_birth_date_invalid",), (), None),  # month 13, legacy
    ("001005199001010010", "RIC", "RIC", (), ("id_region_unknown",), "1990-01-01"),
    ("991005199001010012", "RIC", "RIC", ("id_checksum",), ("id_type_mismatch",), None),  # 9…: a PR number
    ("810000199408230021", "HK_MO_PERMIT", "HK_MO_PERMIT", (), (), "1994-08-23"),
    ("820000200101011235", "HK_MO_PERMIT", "HK_MO_PERMIT", (), (), "2001-01-01"),
    ("83000019850615456X", "TW_PERMIT", "TW_PERMIT", (), (), "1985-06-15"),
    ("83000019850615456X", "RIC", "RIC", (), ("id_type_mismatch",), "1985-06-15"),
    ("83000019850615456X", None, "TW_PERMIT", (), (), "1985-06-15"),
    ("944840199001010016", "FOREIGN_PR", "FOREIGN_PR", (), (), "1990-01-01"),  # 2023 form
    ("944840199001010017", "FOREIGN_PR", "FOREIGN_PR", ("id_checksum",), (), None),
    ("USA310012345678", "FOREIGN_PR", "FOREIGN_PR", (), (), None),  # older 15-character form
    ("91110000600037341L", "USCC", "USCC", (), (), None),
    ("91110000600037341L", None, "USCC", (), (), None),
    ("N2110108MA0000001W", "USCC", "USCC", (), (), None),  # letter-initial: stdnum rejects these
    ("Y1440300MA5ABCDE1U", "USCC", "USCC", (), (), None),
    ("A1110000MA0012345B", "USCC", "USCC", (), (), None),
    ("53100000500021676K", "USCC", "USCC", (), (), None),
    ("91350211M0000XUF46", "USCC", "USCC", (), ("uscc_checksum_anomaly",), None),  # issued, fails its check
    ("91110000600037341I", "USCC", "USCC", ("id_format",), (), None),  # I is not in the alphabet
    ("9111000060003734", "USCC", "USCC", ("id_format",), (), None),
    ("E12345678", "passport", "passport", (), (), None),
    ("E1234#678", "passport", "passport", (), ("id_format_unusual",), None),
]


@pytest.mark.parametrize(("number", "id_type"), PUBLISHED_VALID)
def test_published_numbers_validate(number: str, id_type: str) -> None:
    check = {"RIC": ric_check_char, "USCC": uscc_check_char}[id_type]
    assert check(number[:17]) == number[17]
    assert validate_id(number, id_type).valid


@pytest.mark.parametrize(("number", "id_type", "kind", "errors", "warnings", "birth"), CASES)
def test_cases(number, id_type, kind, errors, warnings, birth) -> None:
    result = validate_id(number, id_type)
    assert result.kind == kind
    assert result.errors == errors
    assert result.warnings == warnings
    assert (str(result.birth_date) if result.birth_date else None) == birth


def test_vectorised_equals_scalar_on_the_table() -> None:
    frame = pl.DataFrame({"id_type": [c[1] for c in CASES], "id_number": [c[0] for c in CASES]})
    checked = check_ids(frame)
    assert checked["id_error"].to_list() == [c[3][0] if c[3] else None for c in CASES]


def test_legacy_upgrade_and_mask() -> None:
    assert upgrade_ric15("110105491231002") == "11010519491231002X"
    assert validate_id("110105491231002", "RIC").normalised == "11010519491231002X"
    # At most the last 4 characters: never the region or birth-date digits of a RIC (issue 10 §4).
    assert mask_id("11010519491231002X") == "**************002X"
    assert mask_id("110105 19491231 002x") == "**************002X"
    assert mask_id("E12345678") == "*****5678"
    assert mask_id("E1234") == "***34"
    assert mask_id("E123") == "****"
    assert mask_id(None) is None


# ---- properties -------------------------------------------------------------------------------

dates = st.dates(min_value=__import__("datetime").date(1900, 1, 1), max_value=__import__("datetime").date(2030, 12, 31))
regions = st.sampled_from(["110105", "310104", "440305", "650102", "810000", "820000", "830000"])


@st.composite
def valid_ric(draw) -> str:
    first17 = draw(regions) + draw(dates).strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    return first17 + ric_check_char(first17)


@st.composite
def valid_uscc(draw) -> str:
    head = draw(st.sampled_from(["91", "92", "93", "12", "51", "52", "53", "N2", "N1", "Y1", "A1"]))
    body = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    first17 = head + draw(st.text(alphabet="0123456789", min_size=6, max_size=6)) + body
    return first17 + uscc_check_char(first17)


@settings(max_examples=200, deadline=None)
@given(valid_ric())
def test_every_generated_ric_validates(number: str) -> None:
    id_type = {"81": "HK_MO_PERMIT", "82": "HK_MO_PERMIT", "83": "TW_PERMIT"}.get(number[:2], "RIC")
    result = validate_id(number, id_type)
    assert result.valid and not result.warnings
    assert result.birth_date.strftime("%Y%m%d") == number[6:14]


@settings(max_examples=200, deadline=None)
@given(valid_ric(), st.integers(0, 17), st.sampled_from(RIC_CHECK_CHARS))
def test_any_single_substitution_in_a_ric_is_caught(number: str, position: int, char: str) -> None:
    """MOD 11-2 detects every single-character substitution (11 is prime, weights non-zero)."""
    if number[position] == char or (position < 17 and char == "X"):
        return  # not a substitution / not a digit where digits go (that is a format error, tested above)
    corrupted = number[:position] + char + number[position + 1 :]
    assert not validate_id(corrupted, "RIC").valid


@settings(max_examples=200, deadline=None)
@given(valid_uscc())
def test_every_generated_uscc_validates(number: str) -> None:
    result = validate_id(number, "USCC")
    assert result.valid and not result.warnings


@settings(max_examples=200, deadline=None)
@given(valid_uscc(), st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_substitution_in_a_uscc_is_caught(number: str, position: int, char: str) -> None:
    """Weighted mod 31 over a 31-character alphabet detects every single substitution: the weights
    3^i are non-zero mod the prime 31 and two symbols differ by less than 31."""
    if number[position] == char:
        return
    corrupted = number[:position] + char + number[position + 1 :]
    result = validate_id(corrupted, "USCC")
    assert result.errors or "uscc_checksum_anomaly" in result.warnings


def test_vectorised_equals_scalar_reference_on_many_numbers() -> None:
    rng = random.Random(5)
    numbers = []
    for _ in range(2000):
        first17 = rng.choice(["110105", "440305", "830000"]) + f"{rng.randint(1950, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        check = ric_check_char(first17) if rng.random() < 0.7 else rng.choice(RIC_CHECK_CHARS)
        numbers.append(first17 + check)
    checked = check_ids(pl.DataFrame({"id_type": ["RIC"] * len(numbers), "id_number": numbers}))
    expected = [None if ric_check_char(n[:17]) == n[17] else "id_checksum" for n in numbers]
    assert checked["id_error"].to_list() == expected


@pytest.mark.parametrize(("typed", "normalised"), [
    ("Ｅ１２３４５６７８", "E12345678"),  # full-width, as a Chinese input method types it
    ("e 1234-5678", "E12345678"),
    ("110105 1949 1231 002x", "11010519491231002X"),
    ("E1234#678", "E1234678"),
    ("", ""),
    (None, ""),
])
def test_one_id_normaliser_scalar_and_vectorised(typed: str | None, normalised: str) -> None:
    from screening.ids import normalise_id, normalise_id_expr
    from screening.matching import codes

    assert normalise_id(typed) == normalised
    assert codes.normalise_id is normalise_id and codes.normalise_id_expr is normalise_id_expr
    vectorised = pl.select(normalise_id_expr(pl.lit(typed, dtype=pl.Utf8))).item()
    assert (vectorised or "") == normalised
