"""Hostile text made safe to show: controls and bidi overrides gone, ID-number-like runs masked."""

from __future__ import annotations

from reports.safe import clean_text, mask_ids


def test_bidi_and_controls_removed() -> None:
    assert clean_text("\u202eEVIL\u202c name\u2066x\u2069\u200b\x07") == "EVIL namex"
    assert clean_text("a\tb\nc\r\nd") == "a b c d"


def test_id_numbers_masked_in_free_text() -> None:
    assert mask_ids("王五 11010519491231002X") == "王五 110105********002X"
    assert mask_ids("old 110105491231002 ok") == "old 110105*****1002 ok"
    assert mask_ids("credit 91110000600037341L") == "credit 911100********341L"
    # not IDs: short numbers, dates, hashes, account ids
    for text in ("A001", "2026-12-03T10:00", "phone 13800138000", "d5f66ab70a80238f0afdc93f8b8a240b", "U00011240"):
        assert mask_ids(text) == text


def test_non_text_passes_and_long_text_is_cut() -> None:
    assert clean_text(5) == 5 and clean_text(None) is None
    assert clean_text("x" * 500) == "x" * 199 + "…"
