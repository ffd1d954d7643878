"""Account files (docs/architecture.md §3.2): read the platform's registered subjects into canonical columns.

Every file format ends in the same polars frame (`ACCOUNT_SCHEMA`, every optional column present,
null when absent, plus the file `line` of each record). Fail closed, nothing dropped silently:

- A row with a usable name is always kept, to be screened. A bad secondary field (impossible birth
  date, unknown country or type, unparseable flag …) is dropped *for that field only* and recorded
  in `issues` (account_id, line, field, reason). An unknown subject type is left empty: the
  matcher then screens the name against every type.
- Every row of a duplicated `account_id` is kept (their names may differ); the repeats are issues.
- A row with no usable name (empty, only symbols or emoji, only invisible characters) is kept with
  an empty name; `unscreenable()` lists them with the reason (`screening_unscreened` per run).
- Invisible characters (controls, bidi overrides, zero-width) are removed from every text field,
  a backwards name behind a right-to-left override is read as displayed (`screening.textclean`).
- A name longer than `NAME_MAX_CHARS` (or with more words than the matcher compares) is an issue;
  the run screens it in overlapping windows of its words (`screening.runs.ledger`).

`screening.accounts.files` reads the bytes (encodings, structure, bad lines); `store_import`
records an import (`screening.accounts.store`); ID numbers are stored only as keyed hashes
(`screening.accounts.identity`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import countrynames
import polars as pl

from screening.accounts.files import BAD_LINE_SCHEMA, LINE, BadLines, read_records
from screening.exc import InputError, UsageError
from screening.ids import ID_TYPES
from screening.logs import get_logger
from screening.textclean import has_invisible_expr, visible_columns

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
LINE_SCHEMA: dict[str, pl.DataType] = {"line": pl.Int64()}
ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.Utf8(), "line": pl.Int64(), "field": pl.Utf8(), "reason": pl.Utf8(),
}
UNSCREENED_SCHEMA: dict[str, pl.DataType] = {"account_id": pl.Utf8(), "line": pl.Int64(), "reason": pl.Utf8()}
# Longest name screened as one string; a longer one (or one with more words than the matcher
# compares, MAX_NAME_WORDS) is screened in overlapping windows of its words, with a data issue.
NAME_MAX_CHARS = 1000
MAX_NAME_WORDS = 32

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

# Country spellings countrynames does not know (Chinese forms of the special regions and a few more).
COUNTRY_NAMES = {
    "香港": "HK", "中国香港": "HK", "香港特别行政区": "HK", "中国香港特别行政区": "HK",
    "澳门": "MO", "中国澳门": "MO", "澳门特别行政区": "MO", "中国澳门特别行政区": "MO",
    "中国台湾": "TW", "台湾地区": "TW", "中国台湾地区": "TW", "中華民國": "TW",
    "刚果民主共和国": "CD", "俄罗斯联邦": "RU", "巴勒斯坦": "PS", "N. KOREA": "KP",
}


@dataclass
class AccountImport:
    """The outcome of reading one account file."""

    accounts: pl.DataFrame  # ACCOUNT_SCHEMA + line: every record, bad fields emptied
    issues: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ISSUE_SCHEMA))
    bad_lines: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=BAD_LINE_SCHEMA))
    source: str = ""
    sha256: str | None = None
    encoding: str | None = None
    ignored_columns: list[str] = field(default_factory=list)

    def unscreenable(self) -> pl.DataFrame:
        """UNSCREENED_SCHEMA: records with no usable name, and lines set aside as unreadable."""
        named = self.issues.filter(pl.col("field") == "name", pl.col("reason").str.starts_with("no usable name"))
        rows = self.accounts.filter(pl.col("name").is_null()).select("account_id", "line").join(
            named.select("line", "reason"), on="line", how="left").with_columns(
            pl.col("reason").fill_null("no usable name"))
        lines = self.bad_lines.select(pl.lit(None, dtype=pl.Utf8).alias("account_id"), "line",
                                      ("line not read: " + pl.col("reason")).alias("reason"))
        return pl.concat([rows.select(list(UNSCREENED_SCHEMA)), lines]).sort("line")

    def screenable(self) -> pl.DataFrame:
        """The records with a usable name."""
        return self.accounts.filter(pl.col("name").is_not_null())

    def first_per_account(self) -> pl.DataFrame:
        """One record per account_id (the first in the file): what the account store keeps."""
        return self.accounts.unique("account_id", keep="first", maintain_order=True)


# ---- reading ----------------------------------------------------------------------------------


def read_accounts(path: Path | str, *, encoding: str | None = None, bad_lines: BadLines = "refuse") -> AccountImport:
    """Read CSV / TSV / Parquet / JSON lines (by extension, optionally .gz) into canonical accounts.

    `encoding` overrides detection; `bad_lines="quarantine"` sets structurally bad lines aside
    (reported in `bad_lines` and as unscreenable) instead of refusing the file."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    records = read_records(path, encoding=encoding, bad_lines=bad_lines)
    result = normalise_accounts(records.frame, source=str(path))
    result.bad_lines = records.bad_lines
    result.encoding = records.encoding
    result.source = str(path)
    result.sha256 = _file_sha256(path)
    return result


def normalise_accounts(raw: pl.DataFrame, *, source: str = "accounts") -> AccountImport:
    """Canonical columns from any frame of account records (all values read as text first).

    `raw` may carry the file line of each record (column `files.LINE`); without it, records are
    numbered from 1."""
    lines = raw[LINE] if LINE in raw.columns else pl.int_range(1, raw.height + 1, dtype=pl.Int64, eager=True)
    raw = raw.drop(LINE, strict=False).rename({c: c.strip().lower() for c in raw.columns if c != LINE})
    ignored = [c for c in raw.columns if c not in ACCOUNT_SCHEMA]
    raw = raw.drop("line", strict=False).with_columns(lines.alias("line"))
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise InputError(f"{source}: line 1: missing required column(s): {', '.join(missing)} "
                         f"(the header has: {', '.join(c for c in raw.columns if c != 'line')[:200]})")
    warn_ignored(ignored)
    text = raw.select(
        [_as_text(raw, c).alias(c) if c in raw.columns else pl.lit(None, dtype=pl.Utf8).alias(c)
         for c in ACCOUNT_SCHEMA] + [pl.col("line").cast(pl.Int64)]
    )
    text = _clean(text)
    today = dt.date.today()
    parsed = text.with_columns(_parse_expressions()).with_columns(_country_expressions(text))
    issues = _issues(parsed, today)
    parsed = parsed.with_columns(_dropped_with_reason(today))
    accounts = parsed.select(
        [pl.col(f"_{c}").cast(t).alias(c) for c, t in ACCOUNT_SCHEMA.items()] + [pl.col("line")]
    )
    warn_issues(issues["line"].n_unique(), issues.height)
    return AccountImport(accounts=accounts, issues=issues, ignored_columns=ignored)


def warn_ignored(columns: list[str]) -> None:
    if columns:
        log.warning("ignoring unknown account columns", columns=columns)


def warn_issues(rows: int, issues: int) -> None:
    if issues:
        log.warning("account data issues", rows=rows, issues=issues)


def _clean(text: pl.DataFrame) -> pl.DataFrame:
    """Invisible characters out of every text field (names as displayed), whitespace squeezed;
    `_invisible` marks the names that had any."""
    columns = [c for c in ACCOUNT_SCHEMA if text.schema[c] == pl.Utf8]
    marked = text.with_columns(_invisible=has_invisible_expr(pl.col("name")) | has_invisible_expr(pl.col("name_latin")))
    return visible_columns(marked, columns).with_columns([squeezed(c) for c in columns])


def squeezed(column: str) -> pl.Expr:
    """A text field with whitespace runs as one space, trimmed, empty as null."""
    return pl.col(column).str.replace_all(r"\s+", " ").str.strip_chars().replace("", None)


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


# The expression builders are cached (polars expressions are immutable): building them cost a
# one-record normalisation (a registration lookup's eligibility) about as much as running them.
@functools.cache
def _parse_expressions() -> list[pl.Expr]:
    """Parsed forms as `_<column>`; a parse failure is null beside a non-null text (see `_issues`)."""
    upper = lambda c: pl.col(c).str.to_uppercase()  # noqa: E731
    usable = pl.col("name").str.contains(r"[\p{L}\p{N}]")  # digits: telegraph-code names
    usable_latin = pl.col("name_latin").str.contains(r"[\p{L}\p{N}]").fill_null(False)
    return [
        pl.coalesce("account_id", pl.format("(line {})", "line")).alias("_account_id"),
        pl.col("subject_type").str.to_lowercase().str.replace_all(r"[\s\-]+", "_")
        .replace_strict(SUBJECT_TYPES, default=None).alias("_subject_type"),
        # No letters or digits in the name: the Latin name stands in when it has some.
        pl.when(usable).then(pl.col("name")).when(usable_latin).then(pl.col("name_latin")).alias("_name"),
        pl.when(usable_latin).then(pl.col("name_latin")).alias("_name_latin"),
        pl.coalesce(
            [pl.col("birth_date").str.slice(0, 10).str.strptime(pl.Date, f, strict=False) for f in _DATE_FORMATS]
            + [pl.col("birth_date").str.strptime(pl.Date, "%Y%m%d", strict=False)]
        ).alias("_birth_parsed"),
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


def _country_expressions(text: pl.DataFrame) -> list[pl.Expr]:
    """ISO-2 from a code or a country name in any common form (countrynames + `COUNTRY_NAMES`);
    each distinct value is looked up once."""
    out = []
    for column in ("country", "nationality"):
        distinct = text[column].drop_nulls().unique().to_list()
        table = {v: code for v in distinct if (code := country_code(v))}
        out.append(pl.col(column).replace_strict(table, default=None, return_dtype=pl.Utf8).alias(f"_{column}"))
    return out


@functools.lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """ISO-2 of a country code or name ("North Korea", "DPRK", "朝鲜", "Korea, Democratic People's
    Republic of" → KP), None when unknown."""
    value = value.strip()
    code = COUNTRY_NAMES.get(value.upper()) or COUNTRY_NAMES.get(value) or countrynames.to_code(value, fuzzy=False)
    return code if code and len(code) == 2 and code.isalpha() else None


def _datetime_expr(column: str) -> pl.Expr:
    text = pl.col(column).str.replace(r"(Z|[+-]\d{2}:?\d{2})$", "")
    return pl.coalesce([text.str.strptime(pl.Datetime("us"), f, strict=False) for f in _DATETIME_FORMATS])


def _issues(parsed: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """ISSUE_SCHEMA: one row per bad field (the field is then emptied by `_dropped_with_reason`)."""
    checks = _issue_checks(today)
    # one projection with a column per check, unpivoted: a union of one query per check cost a one-record
    # normalisation ~4 ms of planning. Rows come out check by check, then sorted by line (stable).
    return (
        parsed
        .select(pl.col("_account_id").alias("account_id"), "line",
                *[reason.alias(str(k)) for k, (_, reason) in enumerate(checks)])
        .unpivot(index=["account_id", "line"], variable_name="field", value_name="reason")
        .drop_nulls("reason")
        .with_columns(pl.col("field").replace_strict({str(k): f for k, (f, _) in enumerate(checks)}, return_dtype=pl.Utf8))
        .sort("line", maintain_order=True)
        .select(list(ISSUE_SCHEMA))
    )


@functools.lru_cache(maxsize=2)
def _issue_checks(today: dt.date) -> tuple[tuple[str, pl.Expr], ...]:
    """(field, reason or null) of every check `_issues` makes on `today`."""
    name = pl.col("name")
    name_chars = pl.col("_name").str.len_chars()
    name_words = pl.col("_name").str.count_matches(r"\S+")

    def unparsed(column: str, parsed_column: str | None = None) -> tuple[str, pl.Expr]:
        got = pl.col(parsed_column or f"_{column}")
        return column, pl.when(pl.col(column).is_not_null() & got.is_null()).then(
            pl.format(f"unparseable {column} {{}}: dropped", _quoted(column)))

    type_note = "screened against every subject type"
    checks: list[tuple[str, pl.Expr]] = [
        ("account_id", pl.when(pl.col("account_id").is_null()).then(
            pl.format("missing account_id: reported as {}", "_account_id"))),
        ("account_id", pl.when(pl.col("line") != pl.col("line").min().over("_account_id")).then(
            pl.format("duplicate account_id (first at line {}): every row is screened",
                      pl.col("line").min().over("_account_id")))),
        ("subject_type", pl.when(pl.col("subject_type").is_null()).then(pl.lit(f"missing subject_type: {type_note}"))),
        ("subject_type", pl.when(pl.col("subject_type").is_not_null() & pl.col("_subject_type").is_null()).then(
            pl.format(f"unknown subject_type {{}}: {type_note}", _quoted("subject_type")))),
        ("name", pl.when(name.is_null() & pl.col("_name").is_null()).then(
            pl.when(pl.col("_invisible")).then(pl.lit("no usable name: only invisible characters"))
            .otherwise(pl.lit("no usable name: empty")))),
        ("name", pl.when(name.is_not_null() & pl.col("_name").is_null()).then(
            pl.format("no usable name: no letters or digits in {}", _quoted("name")))),
        ("name", pl.when(pl.col("_name").is_not_null() & (pl.col("_name") != name.fill_null(""))).then(
            pl.when(name.is_null()).then(pl.lit("name empty: screened on name_latin"))
            .otherwise(pl.format("no letters or digits in name {}: screened on name_latin", _quoted("name"))))),
        ("name", pl.when(pl.col("_invisible")).then(
            pl.lit("invisible or bidi control characters removed: screened as displayed"))),
        ("name", pl.when((name_chars > NAME_MAX_CHARS) | (name_words > MAX_NAME_WORDS)).then(
            pl.format(f"name of {{}} characters / {{}} words is longer than {NAME_MAX_CHARS} characters or "
                      f"{MAX_NAME_WORDS} words: screened in overlapping windows of its words", name_chars, name_words))),
        ("name_latin", pl.when(pl.col("name_latin").is_not_null() & pl.col("_name_latin").is_null()).then(
            pl.format("no letters or digits in name_latin {}: dropped", _quoted("name_latin")))),
        unparsed("birth_date", "_birth_parsed"),
        ("birth_date", pl.when(pl.col("_birth_parsed") > pl.lit(today)).then(
            pl.format("birth_date {} is in the future: dropped", _quoted("birth_date")))),
        ("birth_date", pl.when(pl.col("_birth_parsed") < pl.lit(dt.date(1880, 1, 1))).then(
            pl.format("birth_date {} is before 1880: dropped", _quoted("birth_date")))),
        ("country", pl.when(pl.col("country").is_not_null() & pl.col("_country").is_null()).then(
            pl.format("unknown country {}: dropped", _quoted("country")))),
        ("nationality", pl.when(pl.col("nationality").is_not_null() & pl.col("_nationality").is_null()).then(
            pl.format("unknown nationality {}: dropped", _quoted("nationality")))),
        ("id_type", pl.when(pl.col("id_type").is_not_null() & pl.col("_id_type").is_null()).then(
            pl.format("unknown id_type {}: the number's own form is used", _quoted("id_type")))),
        unparsed("registered_at"),
        unparsed("updated_at"),
        unparsed("self_supporting"),
        ("guardian_account_id", pl.when(
            (pl.col("_subject_type") == "organization") & pl.col("guardian_account_id").is_not_null()).then(
            pl.lit("an organization has no guardian: dropped"))),
        ("self_supporting", pl.when(
            (pl.col("_subject_type") == "organization") & pl.col("_self_supporting").is_not_null()).then(
            pl.lit("self_supporting applies to persons only: dropped"))),
        ("guardian_account_id", pl.when(pl.col("guardian_account_id") == pl.col("account_id")).then(
            pl.lit("account is its own guardian: dropped"))),
    ]
    return tuple(checks)


def _quoted(column: str) -> pl.Expr:
    """A bad value as shown in a reason: quoted, at most 40 characters (already free of invisibles)."""
    value = pl.col(column).str.slice(0, 40)
    return pl.format("'{}'", value) + pl.when(pl.col(column).str.len_chars() > 40).then(pl.lit("…")).otherwise(pl.lit(""))


@functools.lru_cache(maxsize=2)
def _dropped_with_reason(today: dt.date) -> list[pl.Expr]:
    """The parsed fields with the values `_issues` reported dropped (on `today`)."""
    org = pl.col("_subject_type") == "organization"
    birth = pl.col("_birth_parsed")
    return [
        pl.when((birth <= pl.lit(today)) & (birth >= pl.lit(dt.date(1880, 1, 1)))).then(birth)
        .alias("_birth_date"),
        pl.when(~org.fill_null(False) & (pl.col("_guardian_account_id") != pl.col("_account_id")).fill_null(True))
        .then(pl.col("_guardian_account_id")).alias("_guardian_account_id"),
        pl.when(~org.fill_null(False)).then(pl.col("_self_supporting")).alias("_self_supporting"),
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
    df = df.drop("line", strict=False)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        df.write_csv(path)
    elif suffix == ".parquet":
        df.write_parquet(path)
    elif suffix in (".jsonl", ".ndjson"):
        df.write_ndjson(path)
    else:
        raise UsageError(f"unsupported output type: {path.name} (CSV, Parquet or JSON lines)")
