"""The one-row compilation of polars expressions (`screening.eligibility.rowexpr`) against polars itself,
on the node kinds the rules use and on text where Python and Rust could disagree."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from screening.eligibility.rowexpr import Unsupported, compile_expr, py_regex, row_is_plain

TEXTS = [
    "王小明", "Min-jun KIM", "  spaced\u3000out  ", "Ｔｅｒｒａ Ｑｕａｎｔａ", "café", "cafe\u0301", "ΟΔΥΣΣΕΥΣ",
    "İstanbul", "straße", "a\u00a0b", "x-y_z.w/v", "12345", "１２３", "", "TerraQuаnta", "泰拉寬塔",
    "Zhang\u2010San", "★★", "a.b,c", "O'Brien", "ⅫⅣ", "\u0660\u0661", "abc  def\tghi",
]
PATTERNS = [r"[\p{L}\p{N}]", r"[^\p{L}\p{N}]", r"[^\p{L}\p{N}]+", r"\p{Han}", r"\s+", r"\S+", r"[\s\-]+",
            r"^\d{17}[\dX]$", r"[\s·•・.]", r"\p{Mn}", r"['’\-]", r"\p{L}[\s\-_.·•/\\|]+\p{L}",
            r"\p{Latin}", r"[\p{Cyrillic}\p{Greek}]", r"[^\p{L}\p{N}\s\-_./\u2010-\u2015\u00a0\u3000]",
            r"[\uff01-\uff5e]", r"\bkim\b", r"(Z|[+-]\d{2}:?\d{2})$"]


def both(expr: pl.Expr, values: list[object], dtype: pl.DataType = pl.Utf8) -> tuple[list[object], list[object]]:
    """(polars, compiled) values of `expr` over column `s` holding each of `values`."""
    expected = pl.DataFrame({"s": values}, schema={"s": dtype}).select(expr.alias("out"))["out"].to_list()
    fn = compile_expr(expr)
    return expected, [fn({"s": v}) for v in values]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_regex_functions_agree_with_polars(pattern: str) -> None:
    texts = [t for t in TEXTS if row_is_plain([t])]
    for expr in (pl.col("s").str.contains(pattern), pl.col("s").str.replace_all(pattern, "_"),
                 pl.col("s").str.replace(pattern, "#"), pl.col("s").str.count_matches(pattern)):
        try:
            expected, got = both(expr, texts)
        except Unsupported:
            assert "count_matches" in str(expr) or py_regex(pattern).fullmatch("") is not None
            continue
        assert got == expected, (pattern, str(expr))


def test_string_functions_agree_with_polars() -> None:
    texts = [t for t in TEXTS if row_is_plain([t])] + [None]
    col = pl.col("s")
    exprs = [
        col.str.to_lowercase(), col.str.to_uppercase(), col.str.normalize("NFKC"), col.str.normalize("NFKD"),
        col.str.strip_chars(), col.str.len_chars(), col.str.slice(0, 3), col.str.slice(-4, 4), col.str.slice(2),
        col.str.starts_with("王"), col.str.find("a", literal=True), col.str.to_integer(base=13, strict=False),
        pl.format("<{}> {}", col, col.str.len_chars()), col.replace("", None), col.is_in(["café", "12345"]),
        pl.concat_str([col, pl.lit(None, pl.Utf8), col.str.slice(0, 1)], separator=", ", ignore_nulls=True),
        pl.coalesce(col.replace("", None), pl.lit("empty")), col.str.contains_any(["a", "王"]),
        col.str.replace_many(["a", "b", "王"], ["4", "8", "wang"]), col.str.replace_many(["ab", "bc"], ["", " "]),
        pl.when(col.str.len_chars() > 4).then(pl.lit("long")).when(col == "").then(pl.lit("empty")).otherwise(col),
        col.str.extract_all(r"\p{Han}"), pl.concat_list(pl.lit("x"), col.str.slice(0, 1)).list.drop_nulls(),
    ]
    for expr in exprs:
        expected, got = both(expr, texts)
        assert got == expected, str(expr)


def test_dates_parse_as_polars_parses_them() -> None:
    values = ["2021-02-18 21:31:53", "2021-02-18T21:31:53", "2021-02-18 21:31:53.123", "2021-02-18T07:00:00.5",
              "2021-02-18", "20210218", "2021/02/18", "2021.02.18", "2021-2-18", "2021-02-30", "20210230",
              "2021-02-18 24:00:00", "2021-02-18 23:59:60", "0999-01-01", "19910203x", "1991-02-03Z",
              "2024-02-29", "2023-02-29", "abc", None]
    formats = {pl.Date: ["%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d"],
               pl.Datetime("us"): ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S",
                                   "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]}
    for dtype, fmts in formats.items():
        for fmt in fmts:
            expected, got = both(pl.col("s").str.strptime(dtype, fmt, strict=False), values)
            assert got == expected, fmt


def test_numbers_dates_and_nulls_follow_polars() -> None:
    col = pl.col("s")
    values = [dt.date(2012, 2, 29), dt.date(1990, 12, 31), None]
    as_of = dt.date(2026, 2, 28)
    age = (pl.lit(as_of.year) - col.dt.year().cast(pl.Int32)
           - ((col.dt.month().cast(pl.Int32) * 100 + col.dt.day().cast(pl.Int32)) > 228).cast(pl.Int32))
    for expr in (age, age.cast(pl.Utf8), pl.format("born {}", col), col > pl.lit(dt.date(2000, 1, 1)),
                 (col > pl.lit(as_of)) | col.is_null(), (col < pl.lit(as_of)) & col.is_not_null()):
        expected, got = both(expr, values, pl.Date)
        assert got == expected, str(expr)
    expected, got = both((1 - 2 * (pl.col("s") % 11)) % 11, [0, 5, 10, 123456789, None], pl.Int64)
    assert got == expected
    expected, got = both(pl.col("s") & pl.lit(None, pl.Boolean), [True, False, None], pl.Boolean)
    assert got == expected
    expected, got = both(pl.col("s") | pl.lit(None, pl.Boolean), [True, False, None], pl.Boolean)
    assert got == expected


def test_what_is_not_handled_is_refused() -> None:
    for expr in (pl.col("s").rank(), pl.col("s").str.json_decode(pl.Int64), pl.col("s").str.contains(r"(?i)abc"),
                 pl.col("s").str.replace_all(r"(\w)", "$1$1"), pl.col("s").str.replace_all(r"x*", "-")):
        with pytest.raises(Unsupported):
            compile_expr(expr)


def test_text_outside_the_plain_subset_is_left_to_polars() -> None:
    assert row_is_plain(["王小明", "Ｔｅｒｒａ", "café", None, 3])
    for hostile in ("abc\u202edcba", "a\u200bb", "name\u2066x\u2069", "𠀀王", "smile 😀", "tab\there", "a\u2028b",
                    "\ue000private", "\u0378unassigned"):
        assert not row_is_plain([hostile]), hostile


def test_astral_text_under_a_regular_expression_is_refused_at_run_time() -> None:
    fn = compile_expr(pl.col("s").str.replace_all(r"[^\p{L}\p{N}]", ""))
    assert fn({"s": "a-b"}) == "ab"
    with pytest.raises(Unsupported):
        fn({"s": "a-𠀀"})


def test_casts_follow_polars() -> None:
    col = pl.col("s")
    for expr, values, dtype in (
        (col.cast(pl.Int32), [True, False, None], pl.Boolean),
        (col.cast(pl.Utf8), [True, None], pl.Boolean),
        (col.cast(pl.Utf8), [dt.date(2020, 2, 29), None], pl.Date),
        (col.cast(pl.Datetime("us")), [dt.datetime(2020, 2, 29, 1, 2, 3), None], pl.Datetime("us")),
        (col.cast(pl.Date), [dt.date(2020, 2, 29), None], pl.Date),
    ):
        expected, got = both(expr, values, dtype)
        assert got == expected, str(expr)
