"""The rules' own polars expressions as plain Python functions of one row.

A registration lookup checks one record; polars costs ~50 µs per expression on a one-row frame, and
the checks hold a few hundred. `compile_expr` walks an expression's tree (`meta.serialize`, JSON) once
and maps each node to a Python callable, so a rule stays written once, in polars, and the batch run
keeps using polars. Literals are evaluated by polars itself; a node whose Python form could differ
from polars' is evaluated by polars on the row's value (`_polars_node`), and what is not handled at
all raises `Unsupported`: the caller then checks the record the frame way (fail closed, never a
guessed answer).

Python's `re` and `str` agree with polars' (Rust) only on characters both know in the same way, so
`row_is_plain` keeps the fast path to text in the Basic Multilingual Plane without control, format
(zero-width, bidi), private-use or unassigned characters. Regular expressions are translated with
their character classes (`\\p{..}`, `[..]`, `\\s`, `\\d`, `\\w`, `\\b`) computed by polars over the
whole plane, so `[^\\p{L}\\p{N}]` means exactly what it means to polars there.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import polars as pl

Row = Mapping[str, Any]
Fn = Callable[[Row], Any]

# The JSON shape of `Expr.meta.serialize` this module reads: tested against polars' own evaluation
# (tests/screening/eligibility/test_rowexpr.py); another polars major version must pass them again.
SUPPORTED_POLARS = ("2.",)


class Unsupported(Exception):
    """An expression (or a value) the one-row evaluation does not handle: use the frame path."""


def polars_supported() -> bool:
    return pl.__version__.startswith(SUPPORTED_POLARS)


def row_is_plain(values: Any) -> bool:
    """True when every text of `values` holds only characters whose Python semantics (regex classes,
    case, normalisation, whitespace) are those of polars: BMP, no Cc/Cf/Cs/Co/Cn/Zl/Zp character."""
    for value in values:
        if isinstance(value, str) and not _plain_text(value):
            return False
    return True


@lru_cache(maxsize=65536)
def _plain_char(char: str) -> bool:
    return ord(char) <= 0xFFFF and unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def _plain_text(text: str) -> bool:
    return text.isascii() and text.isprintable() or all(_plain_char(c) for c in text)


_CACHE: dict[str, Fn] = {}
_REFUSED: dict[str, str] = {}


def compile_expr(expr: pl.Expr) -> Fn:
    """`expr` as a function of one row (a mapping column → Python value); `Unsupported` if it cannot be."""
    if not polars_supported():
        raise Unsupported(f"polars {pl.__version__}: serialisation format not verified")
    text = expr.meta.serialize(format="json")
    fn = _CACHE.get(text)
    if fn is None:
        if text in _REFUSED:
            raise Unsupported(_REFUSED[text])
        try:
            fn = _CACHE[text] = _compile(json.loads(text))
        except Unsupported as why:  # remembered: a refused expression is not walked again per record
            _REFUSED[text] = str(why)
            raise
        except Exception as error:  # a shape this module did not expect (another polars version …)
            _REFUSED[text] = f"{type(error).__name__}: {error}"
            raise Unsupported(_REFUSED[text]) from error
        if len(_CACHE) > 16384:
            try:
                _CACHE.pop(next(iter(_CACHE)), None)
            except (RuntimeError, StopIteration):  # another thread evicted meanwhile
                pass
    return fn


# ---- nodes ------------------------------------------------------------------------------------


def _compile(node: Any) -> Fn:
    if not isinstance(node, dict) or len(node) != 1:
        raise Unsupported(f"node {str(node)[:80]}")
    kind, body = next(iter(node.items()))
    if kind == "Column":
        name = body
        return lambda r: r[name]
    if kind == "Alias":
        return _compile(body[0])
    if kind == "Literal":
        value = _literal(node)
        return lambda r: value
    if kind == "Ternary":
        p, t, f = _compile(body["predicate"]), _compile(body["truthy"]), _compile(body["falsy"])
        return lambda r: t(r) if p(r) is True else f(r)
    if kind == "BinaryExpr":
        return _binary(body["op"], _compile(body["left"]), _compile(body["right"]))
    if kind == "Cast":
        return _cast(_compile(body["expr"]), body["dtype"])
    if kind == "Over":
        agg = body["function"].get("Agg", {}) if isinstance(body["function"], dict) else {}
        if len(agg) == 1 and next(iter(agg)) in ("Min", "Max", "First", "Last"):
            return _compile(next(iter(agg.values()))["input"])  # one row: its own group
        raise Unsupported("window")
    if kind == "Function":
        return _function(body["function"], body["input"])
    raise Unsupported(kind)


def _literal(node: dict) -> Any:
    body = node["Literal"]
    scalar = body.get("Scalar") if isinstance(body, dict) else None
    if isinstance(scalar, dict) and len(scalar) == 1:
        kind, value = next(iter(scalar.items()))
        if kind in ("String", "Boolean"):
            return value
        if kind == "Null":
            return None
    if isinstance(body, dict) and "Dyn" in body and "Int" in body["Dyn"]:
        return int(body["Dyn"]["Int"])
    if isinstance(scalar, dict) and list(scalar) == ["List"] and isinstance(scalar["List"], list):
        listed = _ipc_list(bytes(scalar["List"]))  # Arrow IPC: read directly (polars takes ~0.5 ms)
        if listed is not None:
            return listed
    value = pl.select(_deserialize(node)).to_series()[0]  # dates, lists …: polars says what they are
    return value.to_list() if isinstance(value, pl.Series) else value


def _ipc_list(data: bytes) -> list[Any] | None:
    """The values of a list literal (an Arrow IPC stream of one column of text), None if not that."""
    import pyarrow as pa

    try:
        table = pa.ipc.open_stream(data).read_all()
    except (pa.ArrowException, ValueError):
        return None
    if table.num_columns != 1 or not (pa.types.is_string(table.column(0).type) or pa.types.is_large_string(
            table.column(0).type) or str(table.column(0).type) == "string_view"):
        return None
    return table.column(0).to_pylist()


def _deserialize(node: Any) -> pl.Expr:
    return pl.Expr.deserialize(io.StringIO(json.dumps(node)), format="json")


def _null_safe2(op: Callable[[Any, Any], Any]) -> Callable[[Fn, Fn], Fn]:
    def build(a: Fn, b: Fn) -> Fn:
        def fn(r: Row) -> Any:
            x, y = a(r), b(r)
            return None if x is None or y is None else op(x, y)
        return fn
    return build


def _and(a: Fn, b: Fn) -> Fn:
    def fn(r: Row) -> Any:
        x, y = a(r), b(r)
        if x is False or y is False:
            return False
        return None if x is None or y is None else True
    return fn


def _or(a: Fn, b: Fn) -> Fn:
    def fn(r: Row) -> Any:
        x, y = a(r), b(r)
        if x is True or y is True:
            return True
        return None if x is None or y is None else False
    return fn


def _mod(x: Any, y: Any) -> Any:
    if isinstance(x, bool) or isinstance(y, bool) or not isinstance(x, int) or not isinstance(y, int) or y == 0:
        raise Unsupported("modulus")
    return x % y


def _plus(x: Any, y: Any) -> Any:
    if isinstance(x, str) != isinstance(y, str) or isinstance(x, bool) or isinstance(y, bool):
        raise Unsupported("plus")
    return x + y


def _minus(x: Any, y: Any) -> Any:
    if isinstance(x, dt.date) or isinstance(y, dt.date) or isinstance(x, (str, bool)) or isinstance(y, (str, bool)):
        raise Unsupported("minus")
    return x - y


def _times(x: Any, y: Any) -> Any:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y)):
        raise Unsupported("times")
    return x * y


_BINARY: dict[str, Callable[[Fn, Fn], Fn]] = {
    "Eq": _null_safe2(lambda x, y: x == y), "NotEq": _null_safe2(lambda x, y: x != y),
    "Lt": _null_safe2(lambda x, y: x < y), "LtEq": _null_safe2(lambda x, y: x <= y),
    "Gt": _null_safe2(lambda x, y: x > y), "GtEq": _null_safe2(lambda x, y: x >= y),
    "And": _and, "Or": _or, "Plus": _null_safe2(_plus), "Minus": _null_safe2(_minus),
    "Multiply": _null_safe2(_times), "Modulus": _null_safe2(_mod),
}


def _binary(op: str, a: Fn, b: Fn) -> Fn:
    if op not in _BINARY:
        raise Unsupported(f"operator {op}")
    return _BINARY[op](a, b)


def _cast(inner: Fn, dtype: Any) -> Fn:
    target = dtype.get("Literal") if isinstance(dtype, dict) else None
    if target in ("Int32", "Int64", "Int8", "Int16"):
        def to_int(r: Row) -> Any:
            v = inner(r)
            if v is None or isinstance(v, int):
                return None if v is None else int(v)
            raise Unsupported("cast to integer")
        return to_int
    if target == "String":
        def to_str(r: Row) -> Any:
            v = inner(r)
            if v is None or isinstance(v, str):
                return v
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, int) or (isinstance(v, dt.date) and not isinstance(v, dt.datetime)):
                return str(v)
            raise Unsupported("cast to text")
        return to_str
    if target in ("Boolean", "Date") or target == {"Datetime": ["Microseconds", None]}:
        kind = bool if target == "Boolean" else dt.date if target == "Date" else dt.datetime

        def same(r: Row) -> Any:
            v = inner(r)
            if v is None or (isinstance(v, kind) and (kind is not dt.date or not isinstance(v, dt.datetime))):
                return v
            raise Unsupported("cast")
        return same
    raise Unsupported(f"cast to {dtype}")


def _format_value(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) or (isinstance(v, dt.date) and not isinstance(v, dt.datetime)):
        return str(v)
    raise Unsupported("format of a value")


def _function(function: Any, inputs: list[Any]) -> Fn:
    args = [_compile(i) for i in inputs]
    if isinstance(function, str):
        name, options = function, None
    elif isinstance(function, dict) and len(function) == 1:
        name, options = next(iter(function.items()))
    else:
        raise Unsupported(str(function)[:80])
    if name == "StringExpr":
        return _string(options, inputs, args)
    if name == "Coalesce":
        def coalesce(r: Row) -> Any:
            for a in args:
                v = a(r)
                if v is not None:
                    return v
            return None
        return coalesce
    if name == "FillNull":
        x, fill = args

        def fill_null(r: Row) -> Any:
            v = x(r)
            return fill(r) if v is None else v
        return fill_null
    if name == "Boolean":
        return _boolean(options, args)
    if name in ("Replace", "ReplaceStrict"):
        return _replace(name, options, inputs, args)
    if name == "ListExpr" and options == "Concat":
        def concat_list(r: Row) -> Any:
            out: list[Any] = []
            for a in args:
                v = a(r)
                out.extend(v) if isinstance(v, list) else out.append(v)
            return out
        return concat_list
    if name == "ListExpr" and options == "DropNulls":
        (x,) = args
        return lambda r: None if (v := x(r)) is None else [e for e in v if e is not None]
    if name == "SumHorizontal" and options == {"ignore_nulls": True}:
        def total(r: Row) -> Any:
            values = [a(r) for a in args]
            if not all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values):
                raise Unsupported("sum of non-integers")
            return sum(v for v in values if v is not None)
        return total
    if name == "TemporalExpr" and options in ("Year", "Month", "Day"):
        (x,) = args
        attr = options.lower()

        def part(r: Row) -> Any:
            v = x(r)
            if v is None:
                return None
            if not isinstance(v, dt.date):
                raise Unsupported("date part")
            return getattr(v, attr)
        return part
    raise Unsupported(f"function {name} {str(options)[:60]}")


def _boolean(options: Any, args: list[Fn]) -> Fn:
    if options == "Not":
        (x,) = args

        def negate(r: Row) -> Any:
            v = x(r)
            if v is None or isinstance(v, bool):
                return None if v is None else not v
            raise Unsupported("not of a non-boolean")
        return negate
    if options == "IsNull":
        (x,) = args
        return lambda r: x(r) is None
    if options == "IsNotNull":
        (x,) = args
        return lambda r: x(r) is not None
    if isinstance(options, dict) and options.get("IsIn") == {"nulls_equal": False}:
        x, values = args

        def is_in(r: Row) -> Any:
            v, pool = x(r), values(r)
            if not isinstance(pool, list):
                raise Unsupported("is_in of a non-list")
            return None if v is None else v in pool
        return is_in
    raise Unsupported(f"boolean {options}")


def _replace(name: str, options: Any, inputs: list[Any], args: list[Fn]) -> Fn:
    """`replace` / `replace_strict` with literal old → new (a missing key: the value; strict: the default)."""
    if name == "Replace":
        x, old, new = args
        default = None
        strict = False
    else:
        if options.get("return_dtype") is not None and len(args) != 4:
            raise Unsupported("replace_strict form")
        x, old, new, default = args
        strict = True
    if not all("Literal" in i for i in inputs[1:]):
        raise Unsupported("replace with non-literal mapping")
    olds, news = old({}), new({})
    olds = olds if isinstance(olds, list) else [olds]
    news = news if isinstance(news, list) else [news] * len(olds)
    if len(olds) != len(news) or any(o is None for o in olds):
        raise Unsupported("replace mapping")
    table = dict(zip(olds, news, strict=True))
    fallback = default({}) if default is not None else None
    if strict and fallback is not None and not isinstance(fallback, (str, int)):
        raise Unsupported("replace_strict default")

    def replace(r: Row) -> Any:
        v = x(r)
        if v is None:
            if strict and fallback is not None:
                raise Unsupported("replace_strict of null with a default")
            return None
        if v in table:
            return table[v]
        return fallback if strict else v
    return replace


def _text_fn(x: Fn, op: Callable[[str], Any]) -> Fn:
    def fn(r: Row) -> Any:
        v = x(r)
        if v is None:
            return None
        if not isinstance(v, str):
            raise Unsupported("string function of a non-string")
        return op(v)
    return fn


def _regex_fn(x: Fn, op: Callable[[str], Any]) -> Fn:
    """A regex operation: the translated classes cover the BMP only, so other text is refused (text
    a rule derived, e.g. a normal form, is checked here as well as the record's own)."""
    def bmp_only(s: str) -> Any:
        if not s.isascii() and max(s) > "\uffff":
            raise Unsupported("astral-plane text under a regular expression")
        return op(s)
    return _text_fn(x, bmp_only)


def _literal_arg(inputs: list[Any], k: int) -> Any:
    if "Literal" not in inputs[k]:
        raise Unsupported("non-literal argument")
    return _literal(inputs[k])


def _string(options: Any, inputs: list[Any], args: list[Fn]) -> Fn:
    name, opts = (options, None) if isinstance(options, str) else next(iter(options.items()))
    x = args[0]
    if name == "Lowercase":
        return _text_fn(x, str.lower)
    if name == "Uppercase":
        return _text_fn(x, str.upper)
    if name == "LenChars":
        return _text_fn(x, len)
    if name == "Normalize":
        form = opts["form"]
        return _text_fn(x, lambda s: unicodedata.normalize(form, s))
    if name == "StripChars":
        chars = _literal_arg(inputs, 1)
        return _text_fn(x, lambda s: s.strip(chars))
    if name == "StartsWith":
        prefix = _literal_arg(inputs, 1)
        return _text_fn(x, lambda s: s.startswith(prefix))
    if name == "Contains":
        pattern = _literal_arg(inputs, 1)
        if opts["literal"]:
            return _text_fn(x, lambda s: pattern in s)
        regex = py_regex(pattern)
        return _regex_fn(x, lambda s: regex.search(s) is not None)
    if name == "CountMatches" and opts is False:
        regex = py_regex(_literal_arg(inputs, 1))
        if regex.fullmatch(""):
            raise Unsupported("pattern matching the empty string")
        return _regex_fn(x, lambda s: sum(1 for _ in regex.finditer(s)))
    if name == "ExtractAll":
        regex = py_regex(_literal_arg(inputs, 1))
        if regex.fullmatch("") or regex.groups:
            raise Unsupported("extract_all pattern")
        return _regex_fn(x, regex.findall)
    if name == "Replace":
        pattern, replacement = _literal_arg(inputs, 1), _literal_arg(inputs, 2)
        if not isinstance(replacement, str) or (not opts["literal"] and "$" in replacement) or opts["n"] not in (1, -1):
            raise Unsupported("replacement")
        count = 0 if opts["n"] == -1 else 1
        if opts["literal"]:
            return _text_fn(x, lambda s: s.replace(pattern, replacement, -1 if count == 0 else 1))
        regex = py_regex(pattern)
        if regex.fullmatch(""):
            raise Unsupported("pattern matching the empty string")
        plain = replacement.replace("\\", "\\\\")
        return _regex_fn(x, lambda s: regex.sub(plain, s, count=count))
    if name == "ReplaceMany":
        return _replace_many(opts, inputs, x)
    if name == "ContainsAny" and opts == {"ascii_case_insensitive": False}:
        patterns = _literal_arg(inputs, 1)
        if not isinstance(patterns, list) or any(not p for p in patterns):
            raise Unsupported("contains_any patterns")
        return _text_fn(x, lambda s: any(p in s for p in patterns))
    if name == "Slice":
        return _slice(x, args[1], args[2])
    if name == "Find" and opts == {"literal": True, "strict": False}:
        needle = args[1]

        def find(r: Row) -> Any:
            s, n = x(r), needle(r)
            if s is None or n is None:
                return None
            i = s.find(n)
            return None if i < 0 else len(s[:i].encode())  # polars: a byte offset
        return find
    if name == "ToInteger" and opts.get("strict") is False and opts.get("dtype") == "Int64":
        base_fn = args[1]

        def to_integer(r: Row) -> Any:
            s, base = x(r), base_fn(r)
            if s is None or base is None:
                return None
            if not re.fullmatch(r"[+-]?[0-9A-Za-z]+", s):
                return None
            try:
                value = int(s, base)
            except ValueError:
                return None
            return value if -(2**63) <= value < 2**63 else None
        return to_integer
    if name == "Format":
        return _format(opts, args)
    if name == "ConcatHorizontal":
        sep, ignore = opts["delimiter"], opts["ignore_nulls"]

        def concat(r: Row) -> Any:
            values = [a(r) for a in args]
            if not ignore and any(v is None for v in values):
                return None
            return sep.join(_format_value(v) for v in values if v is not None)  # all null, ignored: ""
        return concat
    if name == "Strptime":
        return _strptime(opts, inputs, args)
    raise Unsupported(f"string function {name}")


def _format(opts: dict, args: list[Fn]) -> Fn:
    """`pl.format`: the inputs at the byte offsets `insertions` of the literal text; null if any is."""
    raw = opts["format"].encode()
    cuts = opts["insertions"]
    pieces = [raw[a:b].decode() for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]

    def fmt(r: Row) -> Any:
        values = [a(r) for a in args]
        if any(v is None for v in values):
            return None
        out = [pieces[0]]
        for v, piece in zip(values, pieces[1:], strict=True):
            out.append(_format_value(v))
            out.append(piece)
        return "".join(out)
    if len(cuts) != len(args):
        raise Unsupported("format insertions")
    return fmt


def _slice(x: Fn, offset_fn: Fn, length_fn: Fn) -> Fn:
    def sliced(r: Row) -> Any:
        s, offset, length = x(r), offset_fn(r), length_fn(r)
        if s is None or offset is None:
            return None
        if not isinstance(s, str) or (length is not None and length < 0):
            raise Unsupported("slice")
        n = len(s)
        start = min(offset if offset >= 0 else max(n + offset, 0), n)
        end = n if length is None else min(start + length, n)
        return s[start:end]
    return sliced


def _replace_many(opts: Any, inputs: list[Any], x: Fn) -> Fn:
    """Aho-Corasick replacement: exact in Python when the patterns are single characters (a
    translation table); otherwise when no pattern occurs or only one occurs (no overlap to order);
    else polars evaluates the node on the value."""
    if opts != {"ascii_case_insensitive": False, "leftmost": False}:
        raise Unsupported("replace_many options")
    patterns, replacements = _literal_arg(inputs, 1), _literal_arg(inputs, 2)
    if not isinstance(patterns, list) or not patterns or any(not p for p in patterns):
        raise Unsupported("replace_many patterns")
    if not isinstance(replacements, list):
        replacements = [replacements] * len(patterns)
    if len(replacements) != len(patterns) or any(not isinstance(v, str) for v in replacements):
        raise Unsupported("replace_many replacements")
    if all(len(p) == 1 for p in patterns) and len(set(patterns)) == len(patterns):
        table = str.maketrans(dict(zip(patterns, replacements, strict=True)))
        return _text_fn(x, lambda s: s.translate(table))
    pairs = list(zip(patterns, replacements, strict=True))
    node = {"Function": {"input": [{"Column": "__in0"}, *inputs[1:]],
                         "function": {"StringExpr": {"ReplaceMany": opts}}}}
    in_polars = _polars_node(node)

    def replace_many(s: str) -> str:
        found = [(p, v) for p, v in pairs if p in s]
        if not found:
            return s
        if len(found) == 1 and found[0][0] not in found[0][1]:
            p, v = found[0]
            # one pattern: non-overlapping left-to-right occurrences, as str.replace
            if not any(p[k:] == p[:len(p) - k] for k in range(1, len(p))):
                return s.replace(p, v)
        return in_polars(s)
    return _text_fn(x, replace_many)


# Texts in one of these canonical layouts are parsed in Python; which layouts each format accepts
# (`_ACCEPTS`) is what polars does, tested for every pair (test_rowexpr.py). Anything else: polars.
_Y, _MD = r"[1-9]\d{3}", r"\d{2}"
_HMS = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d"
_SHAPES = {
    "dash": re.compile(rf"({_Y})-({_MD})-({_MD})", re.ASCII),
    "compact": re.compile(rf"({_Y})({_MD})({_MD})", re.ASCII),
    "slash": re.compile(rf"({_Y})/({_MD})/({_MD})", re.ASCII),
    "dot": re.compile(rf"({_Y})\.({_MD})\.({_MD})", re.ASCII),
    "t_time": re.compile(rf"({_Y})-({_MD})-({_MD})T({_HMS})", re.ASCII),
    "t_frac": re.compile(rf"({_Y})-({_MD})-({_MD})T({_HMS})\.(\d{{1,6}})", re.ASCII),
    "space_time": re.compile(rf"({_Y})-({_MD})-({_MD}) ({_HMS})", re.ASCII),
    "space_frac": re.compile(rf"({_Y})-({_MD})-({_MD}) ({_HMS})\.(\d{{1,6}})", re.ASCII),
}
_ACCEPTS: dict[tuple[str, str], frozenset[str]] = {
    ("Date", "%Y-%m-%d"): frozenset({"dash"}), ("Date", "%Y%m%d"): frozenset({"compact"}),
    ("Date", "%Y/%m/%d"): frozenset({"slash"}), ("Date", "%Y.%m.%d"): frozenset({"dot"}),
    ("Datetime", "%Y-%m-%dT%H:%M:%S%.f"): frozenset({"t_time", "t_frac"}),
    ("Datetime", "%Y-%m-%d %H:%M:%S%.f"): frozenset({"space_time", "space_frac"}),
    ("Datetime", "%Y-%m-%dT%H:%M:%S"): frozenset({"t_time"}),
    ("Datetime", "%Y-%m-%d %H:%M:%S"): frozenset({"space_time"}),
    ("Datetime", "%Y-%m-%d"): frozenset({"dash"}),
}


def _canonical(kind: str, text: str) -> tuple[str, Any] | None:
    """(layout, parsed value or None when not a real date/time) of a text in a canonical layout."""
    for layout, shape in _SHAPES.items():
        m = shape.fullmatch(text)
        if m:
            y, mo, d = int(m[1]), int(m[2]), int(m[3])
            try:
                if kind == "Date":
                    return layout, dt.date(y, mo, d)
                hh, mm, ss = (int(p) for p in (m[4] or "00:00:00").split(":")) if m.re.groups >= 4 else (0, 0, 0)
                micro = int(m[5].ljust(6, "0")) if m.re.groups >= 5 else 0
                return layout, dt.datetime(y, mo, d, hh, mm, ss, micro)
            except ValueError:
                return layout, None
    return None


def _strptime(opts: Any, inputs: list[Any], args: list[Fn]) -> Fn:
    """Texts in a canonical layout are parsed in Python (`_ACCEPTS`); any other text by polars."""
    dtype, options = opts
    if options.get("strict") is not False or not options.get("exact", True):
        raise Unsupported("strict or inexact strptime")
    target = dtype.get("Literal") if isinstance(dtype, dict) else None
    kind = "Date" if target == "Date" else "Datetime" if target == {"Datetime": ["Microseconds", None]} else None
    accepts = _ACCEPTS.get((kind, options["format"])) if kind else None
    node = {"Function": {"input": [{"Column": "__in0"}, *inputs[1:]], "function": {"StringExpr": {"Strptime": opts}}}}
    in_polars = _polars_node(node)
    x = args[0]

    def parse(r: Row) -> Any:
        s = x(r)
        if s is None:
            return None
        known = _canonical(kind, s) if accepts is not None else None  # type: ignore[arg-type]
        if known is None:
            return in_polars(s)
        layout, value = known
        return value if layout in accepts else None  # type: ignore[operator]
    return parse


def _polars_node(node: dict) -> Callable[[str], Any]:
    """One node evaluated by polars on a text value (column `__in0`); the fallback of one node."""
    expr = _deserialize(node)

    def run(value: str) -> Any:
        out = pl.DataFrame({"__in0": [value]}, schema={"__in0": pl.Utf8}).select(expr).to_series()[0]
        return out.to_list() if isinstance(out, pl.Series) else out
    return run


# ---- regular expressions ----------------------------------------------------------------------


@lru_cache(maxsize=1)
def _bmp() -> pl.Series:
    return pl.Series("c", [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF], dtype=pl.Utf8)


@lru_cache(maxsize=256)
def _class(rust_class: str) -> str:
    """A Rust-regex character class (`[^\\p{L}]`, `\\p{Han}`, `\\s` …) as an explicit Python class of
    BMP ranges, computed by polars (the one authority on what the class holds)."""
    chars = _bmp().filter(_bmp().str.contains(f"^(?:{rust_class})$")).to_list()
    if not chars:
        return "[^\\x00-\\U0010FFFF]"  # matches nothing
    codes = [ord(c) for c in chars]
    parts, start, prev = [], codes[0], codes[0]
    for c in codes[1:] + [-1]:
        if c == prev + 1:
            prev = c
            continue
        parts.append(_esc(start) if start == prev else f"{_esc(start)}-{_esc(prev)}")
        start = prev = c
    return "[" + "".join(parts) + "]"


def _esc(code: int) -> str:
    return f"\\u{code:04x}"


def _bracket_end(pattern: str, i: int) -> int:
    """Index after the bracket expression starting at `pattern[i] == '['` (nested, escapes)."""
    depth, j = 0, i
    while j < len(pattern):
        c = pattern[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            depth += 1
            if pattern[j + 1:j + 2] == "^":
                j += 1
            if pattern[j + 1:j + 2] == "]":
                j += 1  # a literal ] first in the class
        elif c == "]":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise Unsupported(f"unbalanced class in {pattern!r}")


@lru_cache(maxsize=512)
def py_regex(pattern: str) -> re.Pattern[str]:
    """A Rust-regex pattern as an equivalent Python pattern over BMP text (see module docstring)."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "[":
            j = _bracket_end(pattern, i)
            out.append(_class(pattern[i:j]))
            i = j
        elif c == "\\":
            nxt = pattern[i + 1:i + 2]
            if nxt in ("p", "P"):
                if pattern[i + 2:i + 3] == "{":
                    j = pattern.index("}", i) + 1
                else:
                    j = i + 3
                out.append(_class(pattern[i:j]))
                i = j
            elif nxt in ("s", "S", "d", "D", "w", "W"):
                out.append(_class(pattern[i:i + 2]))
                i += 2
            elif nxt in ("b", "B"):
                w = _class(r"\w")
                boundary = f"(?:(?<={w})(?!{w})|(?<!{w})(?={w}))"
                out.append(boundary if nxt == "b" else f"(?!{boundary})")
                i += 2
            elif nxt == "x" and pattern[i + 2:i + 3] == "{":
                j = pattern.index("}", i)
                code = int(pattern[i + 3:j], 16)
                if code > 0xFFFF:
                    raise Unsupported(f"astral character in {pattern!r}")
                out.append(_esc(code))
                i = j + 1
            elif nxt and (nxt in r".\-^$|?*+()[]{}/" or nxt in "tnr"):
                out.append(pattern[i:i + 2])
                i += 2
            else:
                raise Unsupported(f"escape \\{nxt} in {pattern!r}")
        elif c == "$":
            out.append(r"\Z")  # Rust: only at the very end (Python's `$` also before a final newline)
            i += 1
        elif c == "(" and pattern[i + 1:i + 2] == "?" and pattern[i + 2:i + 3] != ":":
            raise Unsupported(f"group flags in {pattern!r}")
        else:
            out.append(c)
            i += 1
    return re.compile("".join(out))
