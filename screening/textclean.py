"""Invisible characters in untrusted text: removed from names on input, never written raw on output.

Account names (and list names) are hostile. Control characters (NUL, escape …), bidirectional
overrides and isolates (U+202A–U+202E, U+2066–U+2069) and other invisible format characters
(zero-width space and joiners, soft hyphen, BOM, tag characters) can hide a listed name from the
matcher, or make a report show something other than what it holds.

- `visible_columns`: the text as a person sees it. A run written backwards behind a
  right-to-left override (U+202E … U+202C) is displayed in reverse, so it is reversed here, the way
  the Unicode bidi algorithm's override displays it; every other invisible character is removed;
  line breaks and tabs become spaces.
- `escape_invisible`: for JSON text, each remaining invisible character as a `\\uXXXX` escape;
  `printable` for terminal text; `strip_invisible_columns` for result files.
"""

from __future__ import annotations

import re

import polars as pl

# Unicode general category Cf (format), spelled out for Python's `re` (no \p{..}); polars uses \p{Cf}.
_CF = ("\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
       "\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
       "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f")
_BREAKS = "\t\n\r\x0b\x0c\x85\u2028\u2029"
_INVISIBLE_RE = re.compile(f"[\x00-\x1f\x7f-\x9f{_CF}\u2028\u2029]")
_BREAK_RE = re.compile(f"[{_BREAKS}]")
# What json.dumps(ensure_ascii=False) leaves raw inside strings (it escapes U+0000–U+001F itself).
_JSON_RAW_RE = re.compile(f"[\x7f-\x9f{_CF}\u2028\u2029]")
_INVISIBLE_PL = r"[\p{Cc}\p{Cf}\x{2028}\x{2029}]"
_BREAK_PL = r"[\t\n\r\x0B\x0C\x{85}\x{2028}\x{2029}]"
_HIDDEN_PL = r"[[\p{Cc}\p{Cf}]--[\t\n\r\x0B\x0C\x{85}]]"
_BIDI_PL = r"[\x{202A}-\x{202E}\x{2066}-\x{2069}]"

_OVERRIDES = {"\u202d": "L", "\u202e": "R"}  # LRO, RLO: force the direction of the characters they hold
_EMBEDDINGS = {"\u202a", "\u202b"}  # LRE, RLE: no effect on Latin or Han letters
_ISOLATES = {"\u2066", "\u2067", "\u2068"}  # LRI, RLI, FSI (closed by PDI)
_PDF, _PDI = "\u202c", "\u2069"
_PUSH = set(_OVERRIDES) | _EMBEDDINGS | _ISOLATES


def _display_order(text: str) -> str:
    """The characters in the order an override displays them (Unicode bidi rules X1–X7 and L2, for
    override scopes): each character gets the level of the overrides around it (RLO: the next odd level,
    LRO: the next even one), then every run at level k or above is reversed, for k from the highest
    level down to 1. Embeddings and isolates are matched but reorder nothing here: they do not reverse
    Latin or Han letters, and right-to-left scripts are compared in their logical order."""
    chars: list[str] = []
    levels: list[int] = []
    stack: list[tuple[str, int]] = [("", 0)]
    for ch in text:
        if ch in _PUSH:
            level = stack[-1][1]
            if ch in _OVERRIDES:
                level = (level + 1) | 1 if _OVERRIDES[ch] == "R" else (level + 2) & ~1
            stack.append((ch, level))
        elif ch == _PDF:
            if len(stack) > 1 and stack[-1][0] not in _ISOLATES:
                stack.pop()
        elif ch == _PDI:
            while len(stack) > 1 and stack[-1][0] not in _ISOLATES:
                stack.pop()
            if len(stack) > 1:
                stack.pop()
        else:
            if ch == "\n":  # a paragraph end closes everything
                del stack[1:]
            chars.append(ch)
            levels.append(stack[-1][1])
    for k in range(max(levels, default=0), 0, -1):
        i = 0
        while i < len(chars):
            if levels[i] < k:
                i += 1
                continue
            j = i
            while j < len(chars) and levels[j] >= k:
                j += 1
            chars[i:j] = chars[i:j][::-1]
            levels[i:j] = levels[i:j][::-1]
            i = j
    return "".join(chars)


def visible_columns(df: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """`visible` over text columns, vectorised: only the rare values with bidi controls go through Python."""
    if not columns or not df.select(pl.concat_str(columns, separator=" ", ignore_nulls=True)
                                    .str.contains(_INVISIBLE_PL).any()).item():
        return df  # the common case, told by one query (one per column cost a one-record frame ~1.5 ms)
    out = []
    for c in columns:
        series = df[c]
        if not series.str.contains(_INVISIBLE_PL).any():
            continue  # the common case: nothing to remove
        mask = series.str.contains(_BIDI_PL).fill_null(False)
        if mask.any():
            rows = mask.arg_true()
            series = series.scatter(rows, [_display_order(v) for v in series.gather(rows).to_list()])
        out.append(series.str.replace_all(_BREAK_PL, " ").str.replace_all(_INVISIBLE_PL, "").alias(c))
    return df.with_columns(out) if out else df


def has_invisible_expr(expr: pl.Expr) -> pl.Expr:
    """True where the text holds an invisible character other than a line break or tab."""
    return expr.str.contains(_HIDDEN_PL).fill_null(False)


_INVISIBLE_KEEP_LINES_RE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_CF}\u2028\u2029]")


def printable(text: str) -> str:
    """Text for a terminal or log: invisible characters removed, line breaks and tabs kept."""
    return _INVISIBLE_KEEP_LINES_RE.sub("", text)


def strip_invisible_columns(df: pl.DataFrame) -> pl.DataFrame:
    """Every string column without invisible characters (for files written for people and programs)."""
    return df.with_columns(pl.col(c).str.replace_all(_INVISIBLE_PL, "") for c, t in df.schema.items() if t == pl.String)


def escape_invisible(json_text: str) -> str:
    """Escape invisible characters inside JSON text as `\\uXXXX` (valid JSON, nothing hidden raw)."""
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code > 0xFFFF:
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"

    return _JSON_RAW_RE.sub(escape, json_text)
