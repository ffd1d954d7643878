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
from collections.abc import Iterator
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
_HIGH_BYTES = bytes(range(0x80, 0x100))
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
    non_ascii = len(data) - len(data.translate(None, _HIGH_BYTES))
    in_utf8 = len(data) - len(_UTF8_MULTI.sub(b"", data))
    if (non_ascii - in_utf8) * 20 < non_ascii:  # 95 % of the non-ASCII bytes are UTF-8: a damaged UTF-8 file
        _strict(data, "utf-8", source)
    import charset_normalizer

    best = charset_normalizer.from_bytes(data, cp_isolation=_DETECTABLE).best()
    if best is None:
        _strict(data, "utf-8", source)  # raises, naming the first line that is not UTF-8
    codec = codecs.lookup(best.encoding).name
    if codec == "cp1252" and in_utf8:  # "Ã©" in a Windows-1252 reading is UTF-8 damaged by a stray byte
        _strict(data, "utf-8", source)
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
    """Records of a CSV/TSV text. The csv module checks the structure and numbers the lines (a record may
    span lines inside quotes); polars builds the columns when every record is one good line."""
    text = text.lstrip("\ufeff")
    if not text.split("\n", 1)[0].strip():
        raise InputError(f"{source}: line 1: no header (the first line is empty)")
    header, width = _header(text, source, separator)
    if '"' not in text:  # no quoting: one record per line, fields counted vectorised
        return _unquoted(text, source, separator, header, bad_lines)
    lines: list[int] = []
    bad: list[tuple[int, str]] = []
    for start, record in _records(text, separator):
        if isinstance(record, str):
            bad.append((start, record))
        elif len(record) != width:
            bad.append((start, f"{len(record)} fields where the header has {width}"))
        else:
            lines.append(start)
    if bad and bad_lines == "refuse":
        _refuse(source, bad)
    bad_frame = pl.DataFrame(bad, schema=BAD_LINE_SCHEMA, orient="row")
    if not bad and len(lines) == text.count("\n") + (0 if text.endswith("\n") else 1) - 1:
        try:  # one record per line, all good: polars builds the columns
            frame = pl.read_csv(text.encode(), separator=separator, infer_schema=False, raise_if_empty=False)
            if frame.height == len(lines):
                return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)), bad_frame
        except Exception:  # noqa: BLE001 — polars disagrees with the csv module: build from the records
            pass
    rows = [r for _, r in _records(text, separator) if not isinstance(r, str) and len(r) == width]
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    frame = pl.DataFrame({h: pl.Series(h, list(col), dtype=pl.Utf8) for h, col in zip(header, columns, strict=True)})
    frame = frame.with_columns(pl.all().replace("", None), pl.Series(LINE, lines, dtype=pl.Int64))
    return frame, bad_frame


def _unquoted(text: str, source: str, separator: str, header: list[str],
              bad_lines: BadLines) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records of a text without quote characters: line i is record i, its fields split at the separator."""
    physical = pl.Series("text", text.split("\n")).str.strip_suffix("\r")
    numbered = pl.DataFrame({"text": physical}).with_row_index(LINE, offset=1).slice(1).filter(
        pl.col("text").str.strip_chars() != "").with_columns(pl.col(LINE).cast(pl.Int64))
    fields = numbered["text"].str.count_matches(separator, literal=True) + 1
    wrong = numbered.filter(fields != len(header)).select(
        pl.col(LINE).alias("line"),
        pl.format("{} fields where the header has {}", fields.filter(fields != len(header)), pl.lit(len(header)))
        .alias("reason"))
    bad = list(wrong.iter_rows())
    if bad and bad_lines == "refuse":
        _refuse(source, bad)
    good = numbered.filter(fields == len(header))
    split = good["text"].str.split_exact(separator, len(header) - 1).struct.rename_fields(header).struct.unnest()
    frame = split.with_columns(pl.all().replace("", None), good[LINE])
    return frame, wrong.cast(BAD_LINE_SCHEMA)  # type: ignore[arg-type]


def _refuse(source: str, bad: list[tuple[int, str]]) -> None:
    line, reason = bad[0]
    more = f" ({len(bad) - 1} more bad lines)" if len(bad) > 1 else ""
    raise InputError(f"{source}: line {line}: {reason}{more}; the file was not read "
                     f"(--bad-lines quarantine sets bad lines aside)")


def _header(text: str, source: str, separator: str) -> tuple[list[str], int]:
    try:
        header = next(csv.reader(io.StringIO(text[:1 << 16], newline=""), delimiter=separator, strict=True))
    except csv.Error as error:
        raise InputError(f"{source}: line 1: the header cannot be read ({error})") from error
    if len(set(header)) != len(header):
        raise InputError(f"{source}: line 1: the header repeats a column name")
    return header, len(header)


def _records(text: str, separator: str) -> Iterator[tuple[int, list[str] | str]]:
    """(first line, fields) of every record after the header, blank lines skipped; (line, reason) for a
    record the csv module cannot read, after which it cannot resynchronise."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    next(reader)
    previous = reader.line_num
    while True:
        start = previous + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield start, f"unreadable record ({error})"
            return
        previous = reader.line_num
        if record and not (len(record) == 1 and not record[0].strip()):
            yield start, record


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
        _refuse(source, bad)
    frame = pl.DataFrame(records, schema={k: pl.Utf8 for r in records for k in r}) if records else pl.DataFrame()
    return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64)), pl.DataFrame(bad, schema=BAD_LINE_SCHEMA,
                                                                                      orient="row")
