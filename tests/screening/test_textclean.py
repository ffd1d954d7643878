"""Invisible characters: removed on input (bidi overrides applied as displayed), never written raw."""

from __future__ import annotations

import json

import polars as pl
import pytest

from screening.export import write_table
from screening.textclean import escape_invisible, printable, visible_columns


@pytest.mark.parametrize(("raw", "shown"), [
    ("\u202enihceS rogI\u202c", "Igor Sechin"),  # right-to-left override: displayed backwards
    ("Igor \u202enihceS", "Igor Sechin"),  # an override left open ends with the text
    ("\u202eA\u202eCB\u202cD\u202c", "DBCA"),  # nested overrides: the inner run turns twice
    ("Igor\u2067 Sechin\u2069", "Igor Sechin"),  # an isolate does not reverse Latin letters
    ("Bank\u200b Mel\u00adli\x00\x07", "Bank Melli"),  # zero-width space, soft hyphen, NUL, BEL
    ("Li\tNa\nWang", "Li Na Wang"),  # breaks become spaces
    (None, None),
])
def test_visible(raw: str | None, shown: str | None) -> None:
    out = visible_columns(pl.DataFrame({"n": [raw]}, schema={"n": pl.String}), ["n"])
    assert out["n"][0] == shown


def test_json_escapes_and_files_strip_invisible_characters(tmp_path) -> None:
    data = {"name": "x\u202ey\u2066\U000e0041"}
    text = escape_invisible(json.dumps(data, ensure_ascii=False, indent=2))
    assert json.loads(text) == data and not any(ch in text for ch in "\u202e\u2066\U000e0041")
    assert "\n" in text  # structure untouched
    assert printable("a\u202eb\nc\x1bd") == "ab\ncd"
    for suffix in ("csv", "jsonl", "parquet"):
        path = write_table(pl.DataFrame({"name": ["=Bank\u202e Melli"]}), tmp_path / f"h.{suffix}")
        back = pl.read_parquet(path) if suffix == "parquet" else None
        content = back["name"][0] if back is not None else path.read_text(encoding="utf-8")
        assert "\u202e" not in content and "Bank Melli" in content
