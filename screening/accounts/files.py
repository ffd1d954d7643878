"""Account files as text records: bytes decoded strictly, structure checked, every record with its line.

Encodings. Chinese platforms export CSV in GB18030/GBK as often as in UTF-8, and Excel's "Unicode
text" is UTF-16. The encoding is `--encoding` when given; else a byte-order mark (UTF-8, UTF-16,
UTF-32) decides; else the bytes are UTF-8 when they decode as UTF-8; else charset-normalizer chooses
between GB18030 (a superset of GBK and GB2312) and Windows-1252. A file that is mostly UTF-8 but
has bytes that are not is a damaged UTF-8 file, not a GB18030 one: it is refused. Decoding is always
strict: a byte that does not decode is refused with its line, never replaced. Other encodings (Big5,
Shift-JIS …) are read with `--encoding`.

Structure. An empty file, a missing header, a record with more or fewer fields than the header, or
a line that is not a JSON object is an `InputError` naming the file and line — or, with
`bad_lines="quarantine"`, that line is set aside with its line number and the reason, and the rest
is read.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

from screening.exc import InputError, UsageError

LINE = "__line"  # the file line of each record (a file may have its own column named `line`)
BadLines = Literal["refuse", "quarantine"]
BAD_LINES: tuple[str, ...] = ("refuse", "quarantine")
BAD_LINE_SCHEMA: dict[str, pl.DataType] = {"line": pl.Int64(), "reason": pl.Utf8()}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Byte sequences that are well-formed UTF-8 multi-byte characters.
_UTF8_MULTI = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_DETECTABLE = ["gb18030", "cp1252"]


@dataclass
class RawRecords:
    """The records of a file as text, before interpretation."""

    frame: pl.DataFrame  # every column as text (Parquet keeps its types), plus LINE
    bad_lines: pl.DataFrame  # BAD_LINE_SCHEMA: lines set aside (bad_lines="quarantine")
    encoding: str | None  # None for Parquet


def read_records(path: Path, *, encoding: str | None = None, bad_lines: BadLines = "refuse") -> RawRecords:
    """Read CSV / TSV / JSON lines (optionally .gz) or Parquet into text records with line numbers."""
    if bad_lines not in BAD_LINES:
        raise UsageError(f"bad_lines must be one of {', '.join(BAD_LINES)}, not {bad_lines!r}")
    name = path.name.lower()
    kind = _kind(name)
    if kind == "parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as error:  # polars raises several types for a damaged file
            raise InputError(f"{path}: not a readable Parquet file ({error})") from error
        if not frame.width:
            raise InputError(f"{path}: the file has no columns")
        return RawRecords(frame.with_row_index(LINE, offset=1).with_columns(pl.col(LINE).cast(pl.Int64)),
                          pl.DataFrame(schema=BAD_LINE_SCHEMA), None)
    data = path.read_bytes()
    if name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise InputError(f"{path}: not a readable gzip file ({error})") from error
    text, used = decode(data, str(path), encoding)
    if not text.strip():
        raise InputError(f"{path}: the file is empty")
    if kind == "jsonl":
        frame, bad = _jsonl(text, str(path), bad_lines)
    else:
        frame, bad = _delimited(text, str(path), "\t" if kind == "tsv" else ",", bad_lines)
    return RawRecords(frame, bad, used)


def _kind(name: str) -> str:
    base = name[:-3] if name.endswith(".gz") else name
    for suffix, kind in ((".csv", "csv"), (".txt", "tsv"), (".tsv", "tsv"), (".tab", "tsv"), (".jsonl", "jsonl"),
                         (".ndjson", "jsonl"), (".parquet", "parquet")):
        if base.endswith(suffix) and not (kind == "parquet" and name.endswith(".gz")):
            return kind
    raise InputError(f"unsupported account file type: {name} (CSV, TSV, Parquet or JSON lines)")


# ---- encodings --------------------------------------------------------------------------------


def decode(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of `data` and the encoding used (see the module docstring); never lossy."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError as error:
            raise UsageError(f"unknown encoding {encoding!r}") from error
        if codec.startswith("utf-8") and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        return _strict(data, codec, source).lstrip("\ufeff"), codec
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom):], codec, source), codec + " (byte-order mark)"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _strict(data, utf16, source), utf16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    non_ascii = len(re.findall(rb"[\x80-\xff]", data))
    in_utf8 = sum(len(m) for m in _UTF8_MULTI.findall(data))
    if in_utf8 * 2 >= non_ascii:  # mostly well-formed UTF-8: a damaged UTF-8 file
        _strict(data, "utf-8", source)
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=_DETECTABLE).best()
    if best is None:
        _strict(data, "utf-8", source)  # raises, naming the first line that is not UTF-8
    codec = codecs.lookup(best.encoding).name
    return _strict(data, codec, source), codec + " (detected)"


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII text has a zero byte in every other position."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) * 3 < len(sample):
        return None
    odd_zeros = sample[1::2].count(0)
    even_zeros = sample[0::2].count(0)
    return "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"


def _strict(data: bytes, codec: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data[:error.start].decode(codec, errors="replace").count("\n") + 1
        bad = data[error.start:error.end].hex(" ")
        raise InputError(
            f"{source}: line {line}: bytes {bad} are not valid {codec}; the file was not read "
            f"(give --encoding if it is in another encoding)"
        ) from error


# ---- structure --------------------------------------------------------------------------------


def _delimited(text: str, source: str, separator: str, bad_lines: BadLines) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records of a CSV/TSV text. Fast path: polars, when every record is one line with the header's
    field count; otherwise the csv module finds the lines (and the bad ones)."""
    text = text.lstrip("\ufeff")
    header_line = text.split("\n", 1)[0].rstrip("\r")
    if not header_line.strip():
        raise InputError(f"{source}: line 1: no header (the first line is empty)")
    try:
        frame = pl.read_csv(text.encode(), separator=separator, infer_schema=False,
                            empty_string_is_null=False, raise_if_empty=False)
    except Exception:  # polars: ragged or badly quoted records; the slow path names the line
        frame = None
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if (frame is not None and frame.height == lines - 1 and frame.width > 0
            and (frame.height == 0 or frame[:, -1].null_count() == 0)):
        frame = frame.with_columns(pl.all().replace("", None))
        return frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64)), pl.DataFrame(
            schema=BAD_LINE_SCHEMA)
    return _delimited_slow(text, source, separator, bad_lines)


def _delimited_slow(text: str, source: str, separator: str, bad_lines: BadLines) -> tuple[pl.DataFrame, pl.DataFrame]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise InputError(f"{source}: line 1: the header cannot be read ({error})") from error
    if len(set(header)) != len(header):
        raise InputError(f"{source}: line 1: the header repeats a column name")
    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    bad: list[tuple[int, str]] = []
    previous = reader.line_num
    while True:
        start = previous + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            bad.append((start, f"unreadable record ({error})"))
            if bad_lines == "refuse":
                break
            previous = reader.line_num
            continue
        previous = reader.line_num
        if not record or (len(record) == 1 and not record[0].strip()):
            continue  # a blank line
        if len(record) != width:
            bad.append((start, f"{len(record)} fields where the header has {width}"))
            continue
        rows.append(record)
        lines.append(start)
    if bad and bad_lines == "refuse":
        line, reason = bad[0]
        more = f" ({len(bad) - 1} more bad lines)" if len(bad) > 1 else ""
        raise InputError(f"{source}: line {line}: {reason}{more}; the file was not read "
                         f"(--bad-lines quarantine sets bad lines aside)")
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    frame = pl.DataFrame({h: pl.Series(h, list(col), dtype=pl.Utf8) for h, col in zip(header, columns, strict=True)})
    frame = frame.with_columns(pl.all().replace("", None)).with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    return frame, pl.DataFrame(bad, schema=BAD_LINE_SCHEMA, orient="row")


def _jsonl(text: str, source: str, bad_lines: BadLines) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records of a JSON-lines text: polars when every line is an object, else line by line."""
    physical = text.split("\n")
    numbered = [(i + 1, s) for i, s in enumerate(physical) if s.strip()]
    try:
        frame = pl.read_ndjson(io.BytesIO("\n".join(s for _, s in numbered).encode()), infer_schema_length=None)
        if frame.height == len(numbered):
            return frame.with_columns(pl.Series(LINE, [i for i, _ in numbered], dtype=pl.Int64)), pl.DataFrame(
                schema=BAD_LINE_SCHEMA)
    except Exception:  # polars: a broken line somewhere; find it below
        pass
    records: list[dict] = []
    lines: list[int] = []
    bad: list[tuple[int, str]] = []
    for number, line in numbered:
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            bad.append((number, f"not valid JSON ({error.msg} at column {error.colno})"))
            continue
        if not isinstance(value, dict):
            bad.append((number, "not a JSON object"))
            continue
        records.append({k: v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                        for k, v in value.items()})
        lines.append(number)
    if bad and bad_lines == "refuse":
        line, reason = bad[0]
        more = f" ({len(bad) - 1} more bad lines)" if len(bad) > 1 else ""
        raise InputError(f"{source}: line {line}: {reason}{more}; the file was not read "
                         f"(--bad-lines quarantine sets bad lines aside)")
    frame = pl.DataFrame(records, schema={k: pl.Utf8 for r in records for k in r}) if records else pl.DataFrame()
    return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)), pl.DataFrame(bad, schema=BAD_LINE_SCHEMA,
                                                                                      orient="row")
