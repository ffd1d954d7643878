"""Recording an account import in the store: upsert the current state of every account, log added
and changed accounts and identity changes (the evidence for transfer checks), the import's data
issues and unreadable lines.

The store keeps one state per account_id: of duplicated rows the first in the file is stored (every
row is still screened, and the duplicates are data issues). An import under another ID hash key
than the store's is refused before anything is written (`check_store_key`)."""

from __future__ import annotations

import datetime as dt

import duckdb

from screening.accounts.identity import check_store_key, hmac_column, id_hash_key, identity_frame, is_development_key
from screening.accounts.read import AccountImport
from screening.store import transaction

_STORED = [
    "account_id", "subject_type", "name", "name_latin", "birth_date", "country", "nationality",
    "id_type", "id_kind", "id_hash", "id_masked", "display_name", "phone_hash", "email_hash",
    "registered_at", "updated_at", "status", "guardian_account_id", "self_supporting",
]


def store_import(con: duckdb.DuckDBPyConnection, import_: AccountImport, *, key: bytes | None = None) -> int:
    """Record an import: upsert `accounts`, log added/changed accounts and identity changes.

    Returns the import id. Identity changes compare with the stored state before this import: a
    different ID hash, or a different name together with a different birth date.
    """
    key = key if key is not None else id_hash_key()
    acc = import_.first_per_account()
    ident = identity_frame(con, acc, key)
    rows = acc.with_columns(
        phone_hash=hmac_column(con, acc["phone"].str.replace_all(r"[\s\-()]", ""), key),
        email_hash=hmac_column(con, acc["email"], key),
    )
    rows = rows.join(
        ident.select("account_id", "id_kind", "id_hash", "id_masked"), on="account_id", how="left", maintain_order="left"
    ).select(_STORED)
    con.register("incoming_raw", rows)
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '\u2205')" for c in _STORED[1:])
    rows = con.sql(f"SELECT *, md5(concat_ws('\x1f', {parts})) AS fingerprint FROM incoming_raw").pl()
    con.unregister("incoming_raw")
    import_id = con.execute("SELECT nextval('account_import_seq')").fetchall()[0][0]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    con.register("incoming", rows)
    try:
        with transaction(con):
            fingerprint = check_store_key(con, key)
            con.execute(
                """
                INSERT INTO account_identity_changes
                SELECT ?, i.account_id, a.last_import_id,
                       coalesce(i.id_hash <> a.id_hash, false),
                       coalesce(i.name <> a.name, false),
                       coalesce(i.birth_date <> a.birth_date, false),
                       a.id_masked, i.id_masked, a.name, i.name, a.birth_date, i.birth_date
                FROM incoming i JOIN accounts a USING (account_id)
                WHERE coalesce(i.id_hash <> a.id_hash, false)
                   OR (coalesce(i.name <> a.name, false) AND coalesce(i.birth_date <> a.birth_date, false))
                """,
                [import_id],
            )
            con.execute(
                """
                INSERT INTO account_changes
                SELECT ?, i.account_id, CASE WHEN a.account_id IS NULL THEN 'added' ELSE 'changed' END
                FROM incoming i LEFT JOIN accounts a USING (account_id)
                WHERE a.account_id IS NULL OR a.fingerprint <> i.fingerprint
                """,
                [import_id],
            )
            cols = ", ".join(_STORED + ["fingerprint"])
            updates = ", ".join(f"{c} = excluded.{c}" for c in _STORED[1:] + ["fingerprint"])
            con.execute(
                f"""
                INSERT INTO accounts ({cols}, first_import_id, last_import_id)
                SELECT {cols}, $id, $id FROM incoming
                ON CONFLICT (account_id) DO UPDATE SET {updates}, last_import_id = excluded.last_import_id
                """,
                {"id": import_id},
            )
            con.register("quarantined", import_.bad_lines)
            con.execute("INSERT INTO account_quarantine SELECT ?, line, NULL, reason FROM quarantined", [import_id])
            con.register("issues", import_.issues)
            con.execute("INSERT INTO account_data_issues SELECT ?, NULL, account_id, line, field, reason FROM issues",
                        [import_id])
            added, changed = con.execute(
                "SELECT count(*) FILTER (change = 'added'), count(*) FILTER (change = 'changed') "
                "FROM account_changes WHERE import_id = ?",
                [import_id],
            ).fetchall()[0]
            identity = con.execute(
                "SELECT count(*) FROM account_identity_changes WHERE import_id = ?", [import_id]
            ).fetchall()[0][0]
            con.execute(
                """INSERT INTO account_imports (import_id, source, sha256, imported_at, account_count, quarantined,
                       added, changed, identity_changed, encoding, data_issues, id_key_fingerprint, id_key_development)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [import_id, import_.source, import_.sha256, now, acc.height, import_.bad_lines.height, added, changed,
                 identity, import_.encoding, import_.issues.height, fingerprint, is_development_key(key)],
            )
    finally:
        con.unregister("incoming")
        con.unregister("quarantined")
        con.unregister("issues")
    return int(import_id)
