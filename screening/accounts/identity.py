"""Identity numbers of accounts as keyed hashes (HMAC-SHA256) and masked forms: everything downstream
needs to compare subjects without ever holding the clear number."""

from __future__ import annotations

import hashlib

import duckdb
import polars as pl

from screening import settings
from screening.ids import check_ids, mask_id_expr
from screening.logs import get_logger

log = get_logger(__name__)

# HMAC key for ID numbers (hex or text). Without it a fixed development key is used and a warning
# is logged: hashes made with it are not secret and must not reach production.
_DEV_KEY = "screening-development-key-not-secret"


def id_hash_key() -> bytes:
    """The HMAC key from `SCREENING_ID_HASH_KEY`, or the logged development default."""
    value = settings.id_hash_key_text()
    if not value:
        log.warning("ID hash key not set: using the development key (not secret)", variable=settings.ID_HASH_KEY_ENV)
        value = _DEV_KEY
    try:
        return bytes.fromhex(value) if len(value) >= 32 and len(value) % 2 == 0 else value.encode()
    except ValueError:
        return value.encode()


def hmac_column(con: duckdb.DuckDBPyConnection, values: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256 (hex) of every non-null value, computed in DuckDB (vectorised, multi-threaded).

    HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); equal to Python's `hmac` (tested).
    """
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    ipad = bytes(b ^ 0x36 for b in key)
    opad = bytes(b ^ 0x5C for b in key)
    con.register("hmac_input", pl.DataFrame({"v": values.cast(pl.Utf8)}))
    try:
        result = con.sql(
            """
            SELECT CASE WHEN v IS NULL THEN NULL ELSE
                sha256($opad || unhex(sha256($ipad || encode(v)))) END AS h
            FROM hmac_input
            """,
            params={"ipad": ipad, "opad": opad},
        ).pl()
    finally:
        con.unregister("hmac_input")
    return result["h"].alias(values.name)


def subject_key_expr() -> pl.Expr:
    """What makes two ID numbers the same subject: the number family plus the normalised number
    (RIC and its legacy form meet after the upgrade; passports also need the issuing country)."""
    family = (
        pl.when(pl.col("id_kind").is_in(["RIC", "HK_MO_PERMIT", "TW_PERMIT", "FOREIGN_PR"]))
        .then(pl.lit("CNID"))
        .when(pl.col("id_kind") == "USCC")
        .then(pl.lit("USCC"))
        .otherwise(pl.col("id_kind").str.to_uppercase() + ":" + pl.coalesce("nationality", "country", pl.lit("")))
    )
    return pl.when(pl.col("id_norm").is_not_null()).then(family + "|" + pl.col("id_norm"))


def identity_frame(con: duckdb.DuckDBPyConnection, accounts: pl.DataFrame, key: bytes | None = None) -> pl.DataFrame:
    """account_id with id_kind, id_hash (keyed hash of the subject key), id_masked and the ID checks
    (id_error, id_warnings, id_birth_date) — everything downstream needs without the clear number."""
    key = key if key is not None else id_hash_key()
    checked = check_ids(accounts.select("account_id", "id_type", "id_number", "country", "nationality"))
    checked = checked.with_columns(_subject_key=subject_key_expr(), id_masked=mask_id_expr("id_number"))
    hashes = hmac_column(con, checked["_subject_key"], key)
    return checked.with_columns(id_hash=hashes).select(
        "account_id", "id_kind", "id_hash", "id_masked", "id_error", "id_warnings", "id_birth_date"
    )
