"""Writing result tables for people and other systems: CSV, Parquet or JSON lines by extension.

Names and free text come from untrusted sources (list files, account registrations). A CSV cell that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by spreadsheet
programs, so in CSV such cells get a leading apostrophe (OWASP's advice). Parquet and JSON lines keep
values as they are: they are read by programs, not spreadsheets. In every format, invisible characters
(controls, bidi overrides, zero-width) are removed from text cells (`screening.textclean`).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from screening.exc import UsageError
from screening.textclean import strip_invisible_columns

FORMULA_START = r"^[=+\-@\t\r]"


def neutralise_formulas(df: pl.DataFrame) -> pl.DataFrame:
    """Prefix string cells a spreadsheet would evaluate with an apostrophe."""
    text_columns = [name for name, dtype in df.schema.items() if dtype == pl.String]
    return df.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then("'" + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text_columns
    )


def write_table(df: pl.DataFrame, path: Path | str) -> Path:
    """Write `df` as Parquet (`.parquet`/`.pq`), JSON lines (`.jsonl`/`.ndjson`) or CSV (anything else).

    An output path that cannot be written (a folder, no permission) is the caller's error, said in one line.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    df = strip_invisible_columns(df)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix in (".parquet", ".pq"):
            df.write_parquet(path)
        elif suffix in (".jsonl", ".ndjson"):
            df.write_ndjson(path)
        else:
            neutralise_formulas(df).write_csv(path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from error
    return path
