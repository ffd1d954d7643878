"""Account files (DESIGN §3.2): read the platform's registered subjects into canonical columns.

Every file format ends in the same polars frame (`ACCOUNT_SCHEMA`, every optional column present,
null when absent). Rows that cannot be interpreted go to a quarantine frame with their row number
and a reason — never silently dropped. `store_import` records an import in DuckDB so the next one
can be compared with it (transfers, changed accounts; `screening.accounts.store`); ID numbers are
stored only as keyed hashes (`screening.accounts.identity`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from screening.ids import ID_TYPES
from screening.logs import get_logger

log = get_logger(__name__)

ACCOUNT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Utf8(),
    "subject_type": pl.Utf8(),  # person | organization
    "name": pl.Utf8(),
    "name_latin": pl.Utf8(),
    "birth_date": pl.Date(),
    "country": pl.Utf8(),  # ISO-2, upper case
    "nationality": pl.Utf8(),  # ISO-2, upper case
    "id_type": pl.Utf8(),  # one of ids.ID_TYPES
    "id_number": pl.Utf8(),
    "display_name": pl.Utf8(),
    "phone": pl.Utf8(),
    "email": pl.Utf8(),
    "registered_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
    "status": pl.Utf8(),  # lower case, free vocabulary of the platform (active, suspended …)
    "guardian_account_id": pl.Utf8(),
    "self_supporting": pl.Boolean(),
}
REQUIRED_COLUMNS = ("account_id", "subject_type", "name")
QUARANTINE_SCHEMA: dict[str, pl.DataType] = {"row": pl.Int64(), "account_id": pl.Utf8(), "reason": pl.Utf8()}

SUBJECT_TYPES = {
    "person": "person",
    "natural_person": "person",
    "individual": "person",
    "organization": "organization",
    "organisation": "organization",
    "legal_person": "organization",
    "other_organization": "organization",
    "other_organisation": "organization",
    "company": "organization",
    "entity": "organization",
}
_ID_TYPE_LOOKUP = {t.upper(): t for t in ID_TYPES} | {
    "PASSPORT": "passport",
    "RESIDENT_ID": "RIC",
    "ID_CARD": "RIC",
    "HK_MACAO_PERMIT": "HK_MO_PERMIT",
    "HKMO_PERMIT": "HK_MO_PERMIT",
    "TAIWAN_PERMIT": "TW_PERMIT",
    "FOREIGNER_PR": "FOREIGN_PR",
    "CREDIT_CODE": "USCC",
}
_TRUE = {"true", "t", "1", "yes", "y", "是", "true.0", "1.0"}
_FALSE = {"false", "f", "0", "no", "n", "否", "false.0", "0.0"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d")
_DATETIME_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")

class AccountFormatError(ValueError):
    """The file cannot be read as accounts at all (structural problem, not a bad row)."""


@dataclass
class AccountImport:
    """The outcome of reading one account file."""

    accounts: pl.DataFrame  # ACCOUNT_SCHEMA
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA
    source: str = ""
    sha256: str | None = None
    ignored_columns: list[str] = field(default_factory=list)


# ---- reading ----------------------------------------------------------------------------------


def read_accounts(path: Path | str) -> AccountImport:
    """Read CSV / Parquet / JSON lines (by extension) into canonical accounts plus quarantine."""
    path = Path(path)
    raw = _read_raw(path)
    result = normalise_accounts(raw)
    result.source = str(path)
    result.sha256 = _file_sha256(path)
    return result


def normalise_accounts(raw: pl.DataFrame) -> AccountImport:
    """Canonical columns from any frame of account records (all values read as text first)."""
    columns = {c: c.strip().lower() for c in raw.columns}
    raw = raw.rename(columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise AccountFormatError(f"missing required column(s): {', '.join(missing)}")
    ignored = [c for c in raw.columns if c not in ACCOUNT_SCHEMA]
    if ignored:
        log.warning("ignoring unknown account columns", columns=ignored)
    text = raw.select(
        [
            _as_text(raw, c).alias(c) if c in raw.columns else pl.lit(None, dtype=pl.Utf8).alias(c)
            for c in ACCOUNT_SCHEMA
        ]
    ).with_row_index("row", offset=1)
    parsed = text.with_columns(_parse_expressions())
    problems = _problem_expressions()
    parsed = parsed.with_columns(_reasons=pl.concat_list(problems).list.drop_nulls())
    # Duplicates: the first occurrence of an account_id is kept, later ones are quarantined.
    parsed = parsed.with_columns(
        _first_row=pl.col("row").min().over("_account_id"),
    ).with_columns(
        _reasons=pl.when(pl.col("_account_id").is_not_null() & (pl.col("row") != pl.col("_first_row")))
        .then(pl.col("_reasons").list.concat(pl.format("duplicate account_id (first at row {})", "_first_row")))
        .otherwise(pl.col("_reasons"))
    )
    bad = pl.col("_reasons").list.len() > 0
    quarantine = parsed.filter(bad).select(
        pl.col("row").cast(pl.Int64),
        pl.col("account_id"),
        pl.col("_reasons").list.join("; ").alias("reason"),
    )
    accounts = parsed.filter(~bad).select(
        [pl.col(f"_{c}").cast(t).alias(c) for c, t in ACCOUNT_SCHEMA.items()]
    )
    if quarantine.height:
        log.warning("account rows quarantined", rows=quarantine.height)
    return AccountImport(accounts=accounts, quarantine=quarantine, ignored_columns=ignored)


def _read_raw(path: Path) -> pl.DataFrame:
    suffixes = "".join(path.suffixes[-2:]).lower()
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffixes in (".csv.gz",):
        return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
    if suffix in (".tsv", ".tab"):
        return pl.read_csv(path, separator="\t", infer_schema=False, encoding="utf8-lossy")
    if suffix == ".parquet":
        return pl.read_parquet(path)
    if suffix in (".jsonl", ".ndjson") or suffixes in (".jsonl.gz",):
        return pl.read_ndjson(path, infer_schema_length=None)
    raise AccountFormatError(f"unsupported account file type: {path.name} (CSV, Parquet or JSON lines)")


def _as_text(raw: pl.DataFrame, column: str) -> pl.Expr:
    """Any source type as stripped text, empty → null (dates stay ISO, numbers plain)."""
    dtype = raw.schema[column]
    expr = pl.col(column)
    if dtype == pl.Utf8:
        pass
    elif dtype in (pl.Date,) or isinstance(dtype, pl.Datetime):
        expr = expr.dt.to_string("%Y-%m-%dT%H:%M:%S" if isinstance(dtype, pl.Datetime) else "%Y-%m-%d")
    elif dtype.is_nested():
        expr = expr.cast(pl.Utf8, strict=False)  # nested values become null, reported below
    else:
        expr = expr.cast(pl.Utf8)
    return expr.str.strip_chars().replace("", None)


def _parse_expressions() -> list[pl.Expr]:
    """Parsed forms as `_<column>`; a parse failure is null beside a non-null text (see problems)."""
    upper = lambda c: pl.col(c).str.to_uppercase()  # noqa: E731
    return [
        pl.col("account_id").alias("_account_id"),
        pl.col("subject_type").str.to_lowercase().replace_strict(SUBJECT_TYPES, default=None).alias("_subject_type"),
        pl.col("name").str.replace_all(r"\s+", " ").alias("_name"),
        pl.col("name_latin").str.replace_all(r"\s+", " ").alias("_name_latin"),
        pl.coalesce(
            [pl.col("birth_date").str.slice(0, 10).str.strptime(pl.Date, f, strict=False) for f in _DATE_FORMATS]
            + [pl.col("birth_date").str.strptime(pl.Date, "%Y%m%d", strict=False)]
        ).alias("_birth_date"),
        upper("country").alias("_country"),
        upper("nationality").alias("_nationality"),
        upper("id_type").str.replace_all(r"[\s\-]", "_").replace_strict(_ID_TYPE_LOOKUP, default=None).alias("_id_type"),
        pl.col("id_number").alias("_id_number"),
        pl.col("display_name").alias("_display_name"),
        pl.col("phone").alias("_phone"),
        pl.col("email").str.to_lowercase().alias("_email"),
        _datetime_expr("registered_at").alias("_registered_at"),
        _datetime_expr("updated_at").alias("_updated_at"),
        pl.col("status").str.to_lowercase().alias("_status"),
        pl.col("guardian_account_id").alias("_guardian_account_id"),
        pl.when(pl.col("self_supporting").str.to_lowercase().is_in(_TRUE))
        .then(True)
        .when(pl.col("self_supporting").str.to_lowercase().is_in(_FALSE))
        .then(False)
        .alias("_self_supporting"),
    ]


def _datetime_expr(column: str) -> pl.Expr:
    text = pl.col(column).str.replace(r"(Z|[+-]\d{2}:?\d{2})$", "")
    return pl.coalesce([text.str.strptime(pl.Datetime("us"), f, strict=False) for f in _DATETIME_FORMATS])


def _problem_expressions() -> list[pl.Expr]:
    """One reason expression per problem (null when fine)."""

    def unparsed(column: str, what: str) -> pl.Expr:
        return pl.when(pl.col(column).is_not_null() & pl.col(f"_{column}").is_null()).then(
            pl.format(f"unparseable {what}: {{}}", pl.col(column).str.slice(0, 40))
        )

    iso2 = r"^[A-Z]{2}$"
    return [
        pl.when(pl.col("account_id").is_null()).then(pl.lit("missing account_id")),
        pl.when(pl.col("name").is_null()).then(pl.lit("missing name")),
        pl.when(pl.col("subject_type").is_null()).then(pl.lit("missing subject_type")),
        unparsed("subject_type", "subject_type"),
        unparsed("birth_date", "birth_date"),
        unparsed("id_type", "id_type"),
        unparsed("registered_at", "registered_at"),
        unparsed("updated_at", "updated_at"),
        unparsed("self_supporting", "self_supporting"),
        pl.when(pl.col("_country").is_not_null() & ~pl.col("_country").str.contains(iso2)).then(
            pl.format("country is not ISO-2: {}", pl.col("country").str.slice(0, 40))
        ),
        pl.when(pl.col("_nationality").is_not_null() & ~pl.col("_nationality").str.contains(iso2)).then(
            pl.format("nationality is not ISO-2: {}", pl.col("nationality").str.slice(0, 40))
        ),
        pl.when(
            (pl.col("_subject_type") == "organization")
            & (pl.col("_self_supporting").is_not_null() | pl.col("_guardian_account_id").is_not_null())
        ).then(pl.lit("organization with guardian or self_supporting")),
        pl.when(pl.col("_guardian_account_id").is_not_null() & (pl.col("_guardian_account_id") == pl.col("_account_id"))).then(
            pl.lit("account is its own guardian")
        ),
    ]


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_accounts(df: pl.DataFrame, path: Path | str) -> None:
    """Write accounts as CSV / Parquet / JSON lines by extension (the formats `read_accounts` reads)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.write_csv(path)
    elif suffix == ".parquet":
        df.write_parquet(path)
    elif suffix in (".jsonl", ".ndjson"):
        df.write_ndjson(path)
    else:
        raise AccountFormatError(f"unsupported output type: {path.name} (CSV, Parquet or JSON lines)")
