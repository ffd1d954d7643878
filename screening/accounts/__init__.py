"""Registered subjects: read an account file (`read`), identity numbers as keyed hashes (`identity`),
imports recorded in the store (`store`, tables in `schema`), and `screening accounts …` (`cli`)."""

from screening.accounts.identity import hmac_column, id_hash_key, identity_frame, subject_key_expr
from screening.accounts.read import (
    ACCOUNT_SCHEMA,
    REQUIRED_COLUMNS,
    SUBJECT_TYPES,
    country_code,
    ISSUE_SCHEMA,
    NAME_MAX_CHARS,
    UNSCREENED_SCHEMA,
    AccountImport,
    normalise_accounts,
    read_accounts,
    write_accounts,
)
from screening.accounts.store import store_import

__all__ = [
    "ACCOUNT_SCHEMA", "REQUIRED_COLUMNS", "SUBJECT_TYPES", "ISSUE_SCHEMA", "NAME_MAX_CHARS", "UNSCREENED_SCHEMA", "AccountImport",
    "country_code", "hmac_column", "id_hash_key", "identity_frame", "normalise_accounts", "read_accounts", "store_import",
    "subject_key_expr", "write_accounts",
]
