"""Chinese identity numbers and credit codes: normalisation, check characters, validation.

Three forms of the same rules, cross-checked by the tests:
- scalar reference functions (`ric_check_char`, `uscc_check_char`, `validate_id`) — readable, used by
  tests and as documentation of the algorithms;
- `check_ids(df)`, polars expressions applied to a whole account base (the hot path);
- the numpy generators in `screening.evaluation.synth` (they import the constants below).

Hard failures (format, checksum, impossible embedded date) make an ID invalid; soft warnings (unknown
region code, a credit code failing its check — real codes such as `91350211M0000XUF46` were issued
that way, docs/architecture.md §5 —, a number whose form belongs to another ID type) send the subject to review.
"""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass, field

import polars as pl

# ---- constants --------------------------------------------------------------------------------

# GB 11643-1999 / ISO 7064 MOD 11-2 weights 2^(18-i) mod 11, i = 1..17.
RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RIC_CHECK_CHARS = "0123456789X"
# GB 32100-2015: 31-character alphabet (no I, O, Z, S, V) and weights 3^i mod 31.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Province-level codes of GB/T 2260 (first two digits of a region code), plus 71 (Taiwan, used in
# some mainland-issued numbers). 81/82/83 are the HK / Macao / Taiwan residence-permit prefixes.
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71".split()
)
PERMIT_PREFIXES = {"810000": "HK_MO_PERMIT", "820000": "HK_MO_PERMIT", "830000": "TW_PERMIT"}

ID_TYPES = ("RIC", "passport", "HK_MO_PERMIT", "TW_PERMIT", "FOREIGN_PR", "USCC", "OTHER")
# ID types whose numbers share the RIC layout (region/prefix + YYYYMMDD + sequence + MOD 11-2).
CN_PERSONAL_TYPES = ("RIC", "HK_MO_PERMIT", "TW_PERMIT", "FOREIGN_PR")

_RE_ID18 = r"^\d{17}[\dX]$"
_RE_RIC15 = r"^\d{15}$"
_RE_FPR_OLD = r"^[A-Z]{3}\d{12}$"
_RE_USCC = r"^[1-9ANY][1-9]\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$"
_RE_DOC = r"^[A-Z0-9]{5,20}$"
# Only letters and digits of a number are compared. Separators people type inside numbers (spaces,
# hyphens and dashes, dots, slashes, underscores) are noise; any other character is noise too, but
# its presence is reported (`id_format_unusual`).
_RE_NOT_ID_CHAR = r"[^\p{L}\p{N}]"
_RE_ODD_ID_CHAR = r"[^\p{L}\p{N}\s\-_./\u2010-\u2015\u00a0\u3000]"

# ---- scalar reference -------------------------------------------------------------------------


def ric_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, RIC_WEIGHTS, strict=True))
    return RIC_CHECK_CHARS[(12 - total % 11) % 11]


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character (weighted mod 31) of the first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def upgrade_ric15(number: str) -> str:
    """Legacy 15-digit RIC → 18 digits: insert the century `19` and append the check digit."""
    first17 = number[:6] + "19" + number[6:]
    return first17 + ric_check_char(first17)


def normalise_id(number: str | None) -> str:
    """The one ID normaliser — the form that is validated, hashed and matched, on both sides of a pair:
    NFKC (full-width `Ｅ１２３` is `E123`), upper case, letters and digits only ("" for nothing)."""
    if not number:
        return ""
    return "".join(ch for ch in unicodedata.normalize("NFKC", number).upper() if ch.isalnum())


@dataclass(frozen=True)
class IdCheck:
    """Outcome of validating one ID number."""

    kind: str | None  # the ID type the number's form belongs to
    normalised: str | None  # 15-digit RICs upgraded to 18
    birth_date: dt.date | None
    errors: tuple[str, ...] = field(default=())  # hard failures
    warnings: tuple[str, ...] = field(default=())  # soft: review

    @property
    def valid(self) -> bool:
        return not self.errors


def validate_id(number: str, id_type: str | None = None) -> IdCheck:
    """Validate one number (scalar reference of `check_ids`; same codes, same rules)."""
    frame = pl.DataFrame({"id_type": [id_type], "id_number": [number]}, schema=ID_INPUT_SCHEMA)
    row = check_ids(frame).row(0, named=True)
    return IdCheck(
        kind=row["id_kind"],
        normalised=row["id_norm"],
        birth_date=row["id_birth_date"],
        errors=tuple(c for c in [row["id_error"]] if c),
        warnings=tuple(row["id_warnings"] or ()),
    )


ID_INPUT_SCHEMA = {"id_type": pl.Utf8, "id_number": pl.Utf8}

# ---- vectorised -------------------------------------------------------------------------------


def normalise_id_expr(col: str | pl.Expr = "id_number") -> pl.Expr:
    """Polars form of `normalise_id` (null stays null)."""
    expr = pl.col(col) if isinstance(col, str) else col
    return expr.str.normalize("NFKC").str.to_uppercase().str.replace_all(_RE_NOT_ID_CHAR, "")


def _ric_check_expr(first17: pl.Expr) -> pl.Expr:
    """MOD 11-2 check char for 17-digit strings: int(s, 13) ≡ Σ a_i·2^(17-i) (mod 11), 13 ≡ 2."""
    value = first17.str.to_integer(base=13, strict=False)
    check = (1 - 2 * (value % 11)) % 11
    return pl.when(check == 10).then(pl.lit("X")).otherwise(check.cast(pl.Utf8))


def _uscc_check_expr(code: pl.Expr) -> pl.Expr:
    """GB 32100 check char for 18-character codes of the right alphabet. A character's value is its
    position in the alphabet (`str.find`: a 17-way `replace_strict` made one row's check cost ~20 ms)."""
    alphabet = pl.lit(USCC_ALPHABET)
    total = pl.sum_horizontal(
        alphabet.str.find(code.str.slice(i, 1), literal=True).cast(pl.Int32) * w for i, w in enumerate(USCC_WEIGHTS)
    )
    return alphabet.str.slice((31 - total % 31) % 31, 1)


def _number_kind_expr(n: pl.Expr) -> pl.Expr:
    """The ID type a normalised number's form belongs to, from the number alone."""
    prefix6 = n.str.slice(0, 6)
    id18 = n.str.contains(_RE_ID18)
    return (
        pl.when(id18 & prefix6.is_in(["810000", "820000"]))
        .then(pl.lit("HK_MO_PERMIT"))
        .when(id18 & (prefix6 == "830000"))
        .then(pl.lit("TW_PERMIT"))
        .when(id18 & n.str.starts_with("9"))
        .then(pl.lit("FOREIGN_PR"))
        .when(id18 | n.str.contains(_RE_RIC15))
        .then(pl.lit("RIC"))
        .when(n.str.contains(_RE_FPR_OLD))
        .then(pl.lit("FOREIGN_PR"))
        .otherwise(pl.lit(None, dtype=pl.Utf8))
    )


def check_ids(df: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Validate `id_number` against `id_type` for every row.

    Adds `id_kind` (declared type, or inferred when absent), `id_norm` (normalised, legacy RICs
    upgraded), `id_birth_date` (embedded date, when the ID is valid), `id_error` (first hard failure)
    and `id_warnings` (list of soft codes). Rows without a number get all nulls.
    """
    lf = df.lazy()
    for stage in _check_stages():
        lf = lf.with_columns(**stage)
    return lf.drop(
        "_n", "_odd", "_number_kind", "_first17", "_uscc_ok_form", "_expected", "_expected_uscc", "_embedded"
    ).collect()


@functools.cache
def _check_stages() -> tuple[dict[str, pl.Expr], ...]:
    """The columns `check_ids` adds, stage by stage; built once (polars expressions are immutable):
    building them cost a one-record check as much as running them."""
    stages: list[dict[str, pl.Expr]] = []
    n = pl.col("_n")
    declared = pl.col("id_type")
    stages.append(dict(
        _n=normalise_id_expr("id_number").replace("", None),
        _odd=pl.col("id_number").str.normalize("NFKC").str.contains(_RE_ODD_ID_CHAR).fill_null(False),
    ))
    stages.append(dict(_number_kind=_number_kind_expr(n)))
    # USCC form is tested first when declared (an all-digit code would otherwise look like a RIC).
    is_uscc_form = n.str.contains(_RE_USCC)
    kind = (
        pl.when(n.is_null())
        .then(pl.lit(None, dtype=pl.Utf8))
        .when(declared.is_not_null())
        .then(declared)
        .when(pl.col("_number_kind").is_not_null())
        .then(pl.col("_number_kind"))
        .when(is_uscc_form)
        .then(pl.lit("USCC"))
        .otherwise(pl.lit("OTHER"))
    )
    stages.append(dict(id_kind=kind))
    k = pl.col("id_kind")
    nk = pl.col("_number_kind")
    personal = k.is_in(CN_PERSONAL_TYPES)
    is18 = n.str.contains(_RE_ID18)
    is15 = n.str.contains(_RE_RIC15)
    fpr_old = n.str.contains(_RE_FPR_OLD)
    first17 = pl.when(is15).then(n.str.slice(0, 6) + "19" + n.str.slice(6, 9)).otherwise(n.str.slice(0, 17))
    stages.append(dict(
        _first17=pl.when(personal & (is18 | is15)).then(first17),
        _uscc_ok_form=(k == "USCC") & is_uscc_form,
    ))
    f17 = pl.col("_first17")
    stages.append(dict(
        _expected=_ric_check_expr(f17),
        _expected_uscc=pl.when(pl.col("_uscc_ok_form")).then(_uscc_check_expr(n)),
        _embedded=f17.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False),
    ))
    format_ok = (
        pl.when(personal)
        .then(is18 | ((k == "RIC") & is15) | ((k == "FOREIGN_PR") & fpr_old) | (nk.is_not_null() & (nk != k)))
        .when(k == "USCC")
        .then(pl.col("_uscc_ok_form"))
        .otherwise(pl.lit(True))
    )
    checksum_bad = personal & is18 & (n.str.slice(17, 1) != pl.col("_expected"))
    date_bad = personal & (is18 | is15) & pl.col("_embedded").is_null()
    error = (
        pl.when(n.is_null())
        .then(pl.lit(None, dtype=pl.Utf8))
        .when(~format_ok)
        .then(pl.lit("id_format"))
        .when(checksum_bad)
        .then(pl.lit("id_checksum"))
        .when(date_bad)
        .then(pl.lit("id_birth_date_invalid"))
    )
    region = pl.when(nk == "FOREIGN_PR").then(n.str.slice(1, 2)).otherwise(n.str.slice(0, 2))
    warnings = pl.concat_list(
        pl.when(personal & (nk == "RIC") & ~region.is_in(PROVINCE_CODES)).then(pl.lit("id_region_unknown")),
        pl.when((k == "FOREIGN_PR") & is18 & ~region.is_in(PROVINCE_CODES)).then(pl.lit("id_region_unknown")),
        pl.when(personal & nk.is_not_null() & (nk != k)).then(pl.lit("id_type_mismatch")),
        pl.when(pl.col("_uscc_ok_form") & (n.str.slice(17, 1) != pl.col("_expected_uscc"))).then(
            pl.lit("uscc_checksum_anomaly")
        ),
        pl.when(~personal & (k != "USCC") & n.is_not_null() & (~n.str.contains(_RE_DOC) | pl.col("_odd"))).then(
            pl.lit("id_format_unusual")
        ),
    ).list.drop_nulls()
    normalised = pl.when(personal & is15).then(f17 + pl.col("_expected")).otherwise(n)
    stages.append(dict(id_error=error, id_warnings=warnings, id_norm=normalised))
    stages.append(dict(
        id_birth_date=pl.when(pl.col("id_error").is_null() & personal & (is18 | is15)).then(pl.col("_embedded")),
    ))
    return tuple(stages)




def mask_id_expr(col: str | pl.Expr = "id_number") -> pl.Expr:
    """Masked form for the store and every output: at most the last 4 characters stay visible
    (`**************002X`; the last 2 for numbers under 8 characters; none under 5). A RIC's region
    and birth-date digits are never shown, so the mask and the stored birth date cannot rebuild it."""
    n = normalise_id_expr(col)
    length = n.str.len_chars().cast(pl.Int64)
    stars = pl.lit("*" * 64)
    return (
        pl.when(n.is_null() | (length == 0))
        .then(pl.lit(None, dtype=pl.Utf8))
        .when(length >= 8)
        .then(stars.str.slice(0, length - 4) + n.str.slice(-4, 4))
        .when(length >= 5)
        .then(stars.str.slice(0, length - 2) + n.str.slice(-2, 2))
        .otherwise(stars.str.slice(0, length))
    )


def mask_id(number: str | None) -> str | None:
    """Scalar form of `mask_id_expr`."""
    if number is None:
        return None
    return pl.select(mask_id_expr(pl.lit(number, dtype=pl.Utf8))).item()
