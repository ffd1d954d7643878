"""Identity numbers of accounts as keyed hashes (HMAC-SHA256) and masked forms: everything downstream
needs to compare subjects without ever holding the clear number."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import polars as pl

from screening import settings
from screening.exc import ActionRefused
from screening.ids import check_ids, mask_id_expr
from screening.logs import get_logger
from screening.store import transaction

log = get_logger(__name__)

# HMAC key for ID numbers (hex or text). Without it a fixed, public development key is used: hashes
# made with it are not secret. That is allowed for trials only, with a warning on every use, in the
# store (`account_id_keys.development`, `account_imports.id_key_development`) and in every run summary.
_DEV_KEY = "screening-development-key-not-secret"
NO_KEY_WARNING = (f"no ID hash key: {settings.ID_HASH_KEY_ENV} is not set, so ID numbers are hashed with the "
                  f"public development key and can be recovered from the store; set the key before real data")
_FINGERPRINT_TEXT = b"screening id-hash key fingerprint v1"


def id_hash_key() -> bytes:
    """The HMAC key from `SCREENING_ID_HASH_KEY`, or the public development key (warned every time)."""
    value = settings.id_hash_key_text()
    if not value:
        log.warning(NO_KEY_WARNING)
        value = _DEV_KEY
    try:
        return bytes.fromhex(value) if len(value) >= 32 and len(value) % 2 == 0 else value.encode()
    except ValueError:
        return value.encode()


def key_warnings(key: bytes | None = None) -> list[str]:
    """The warnings every run summary shows about the ID hash key (empty with a real key); without
    `key`, about the configured one."""
    development = is_development_key(key) if key is not None else not settings.id_hash_key_text()
    return [NO_KEY_WARNING] if development else []


def is_development_key(key: bytes) -> bool:
    return key == _DEV_KEY.encode()


def key_fingerprint(key: bytes) -> str:
    """Identifies a key without revealing it: HMAC of a fixed text under the key (16 hex characters)."""
    return hmac.new(key, _FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:16]


def check_store_key(con: duckdb.DuckDBPyConnection, key: bytes) -> str:
    """The key's fingerprint, recorded as the store's key when it has none; refused when the store's
    ID hashes were made under another key (hashes would not compare: every account would look like
    an identity change). Re-keying: `screening accounts rekey` (README)."""
    fingerprint = key_fingerprint(key)
    row = con.execute("SELECT fingerprint FROM account_id_keys ORDER BY since DESC, rowid DESC LIMIT 1").fetchone()
    if row is None:
        con.execute("INSERT INTO account_id_keys VALUES (?, ?, now()::TIMESTAMP, 'first import')",
                    [fingerprint, is_development_key(key)])
    elif row[0] != fingerprint:
        raise ActionRefused(
            f"the store's ID numbers were hashed under another key (fingerprint {row[0]}; this key's is "
            f"{fingerprint}): set {settings.ID_HASH_KEY_ENV} to the store's key, or re-key the store with "
            f"`screening accounts rekey` and import the full account file again (README: re-keying)"
        )
    return fingerprint


def rekey(con: duckdb.DuckDBPyConnection, key: bytes, note: str) -> dict[str, object]:
    """Adopt `key` as the store's ID hash key. The stored hashes cannot be recomputed (the clear numbers
    are never stored), so they are cleared; the next full import fills them under the new key without
    reporting identity changes for the accounts whose hashes were cleared."""
    fingerprint = key_fingerprint(key)
    with transaction(con):
        cleared = con.execute("SELECT count(*) FROM accounts WHERE id_hash IS NOT NULL").fetchone()[0]
        con.execute("UPDATE accounts SET id_hash = NULL, phone_hash = NULL, email_hash = NULL")
        con.execute("INSERT INTO account_id_keys VALUES (?, ?, now()::TIMESTAMP, ?)",
                    [fingerprint, is_development_key(key), note])
    return {"fingerprint": fingerprint, "development": is_development_key(key), "hashes_cleared": int(cleared)}


# Below this many values the HMAC is computed in Python: registering a frame and running a query in
# DuckDB costs ~2 ms, a registration lookup's single record ~5 µs.
HMAC_IN_PYTHON_BELOW = 64


def hmac_column(con: duckdb.DuckDBPyConnection, values: pl.Series, key: bytes) -> pl.Series:
    """HMAC-SHA256 (hex) of every non-null value, computed in DuckDB (vectorised, multi-threaded), or
    for a handful of values in Python.

    HMAC(K, m) = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)); the two agree (tested).
    """
    if values.len() < HMAC_IN_PYTHON_BELOW:
        return pl.Series(values.name, [None if v is None else hmac_hex(key, v) for v in values.cast(pl.Utf8).to_list()],
                         dtype=pl.Utf8)
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


def hmac_hex(key: bytes, value: str) -> str:
    """HMAC-SHA256 (hex) of one value: what `hmac_column` computes for each."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


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
