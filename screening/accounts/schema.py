"""The account store's tables: imports, the current state of every account (keyed ID hashes and
masked forms only), identity changes and per-import changes. `screening.accounts.store` writes them."""

from __future__ import annotations

import duckdb

from screening.store.migrations import Migrations

migrations = Migrations("accounts")


@migrations()
def m001_account_store(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE SEQUENCE IF NOT EXISTS account_import_seq START 1;
        -- One row per account file imported.
        CREATE TABLE IF NOT EXISTS account_imports (
            import_id     INTEGER PRIMARY KEY,
            source        VARCHAR,
            sha256        VARCHAR,
            imported_at   TIMESTAMP NOT NULL,
            account_count INTEGER NOT NULL,
            quarantined   INTEGER NOT NULL,
            added         INTEGER, changed INTEGER, identity_changed INTEGER
        );
        -- Current state of every account seen (upserted per import). No clear ID numbers: keyed hash +
        -- masked form only; phone and e-mail likewise hashed.
        CREATE TABLE IF NOT EXISTS accounts (
            account_id          VARCHAR PRIMARY KEY,
            subject_type        VARCHAR NOT NULL,
            name                VARCHAR NOT NULL,
            name_latin          VARCHAR,
            birth_date          DATE,
            country             VARCHAR,
            nationality         VARCHAR,
            id_type             VARCHAR,
            id_kind             VARCHAR,
            id_hash             VARCHAR,
            id_masked           VARCHAR,
            display_name        VARCHAR,
            phone_hash          VARCHAR,
            email_hash          VARCHAR,
            registered_at       TIMESTAMP,
            updated_at          TIMESTAMP,
            status              VARCHAR,
            guardian_account_id VARCHAR,
            self_supporting     BOOLEAN,
            fingerprint         VARCHAR NOT NULL,  -- hash of all stored fields: changed accounts
            first_import_id     INTEGER NOT NULL,
            last_import_id      INTEGER NOT NULL
        );
        -- Accounts whose identifying data changed between imports: the evidence for transfer checks.
        CREATE TABLE IF NOT EXISTS account_identity_changes (
            import_id        INTEGER NOT NULL,
            account_id       VARCHAR NOT NULL,
            previous_import_id INTEGER NOT NULL,
            id_changed       BOOLEAN NOT NULL,
            name_changed     BOOLEAN NOT NULL,
            birth_date_changed BOOLEAN NOT NULL,
            old_id_masked    VARCHAR, new_id_masked VARCHAR,
            old_name         VARCHAR, new_name VARCHAR,
            old_birth_date   DATE,    new_birth_date DATE
        );
        -- Which accounts an import added or changed (the account-change rescreen reads this).
        CREATE TABLE IF NOT EXISTS account_changes (
            import_id  INTEGER NOT NULL,
            account_id VARCHAR NOT NULL,
            change     VARCHAR NOT NULL  -- added / changed
        );
        CREATE TABLE IF NOT EXISTS account_quarantine (
            import_id  INTEGER NOT NULL,
            row        BIGINT,
            account_id VARCHAR,
            reason     VARCHAR NOT NULL
        );
        """
    )


@migrations()
def m002_data_issues_and_id_key(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 10: rows kept with bad fields emptied (a name or type may be missing), their data issues,
    the fingerprint of the ID hash key, and masks that keep at most the last 4 characters."""
    con.execute(
        r"""
        ALTER TABLE accounts ALTER subject_type DROP NOT NULL;
        ALTER TABLE accounts ALTER name DROP NOT NULL;
        ALTER TABLE account_imports ADD COLUMN encoding VARCHAR;
        ALTER TABLE account_imports ADD COLUMN data_issues INTEGER;
        ALTER TABLE account_imports ADD COLUMN id_key_fingerprint VARCHAR;
        ALTER TABLE account_imports ADD COLUMN id_key_development BOOLEAN;
        -- A bad secondary field dropped for that field only (or a duplicate, a name screened in windows):
        -- per import, or per screening run when a file was screened without an import.
        CREATE TABLE IF NOT EXISTS account_data_issues (
            import_id  INTEGER,
            run_id     INTEGER,
            account_id VARCHAR,
            line       BIGINT,
            field      VARCHAR NOT NULL,
            reason     VARCHAR NOT NULL
        );
        -- The key the stored ID hashes were made with: a fingerprint (HMAC of a fixed text under the key,
        -- which reveals nothing of the key), newest row in force. A re-key adds a row.
        CREATE TABLE IF NOT EXISTS account_id_keys (
            fingerprint VARCHAR NOT NULL,
            development BOOLEAN NOT NULL,  -- the public development key (no SCREENING_ID_HASH_KEY)
            since       TIMESTAMP NOT NULL,
            note        VARCHAR
        );
        UPDATE accounts SET id_masked = CASE
            WHEN regexp_full_match(id_masked, '[^*]{6}\*+[^*]{4}') THEN repeat('*', length(id_masked) - 4) || right(id_masked, 4)
            WHEN regexp_full_match(id_masked, '[^*]{2}\*+[^*]{2}') THEN repeat('*', length(id_masked) - 2) || right(id_masked, 2)
            ELSE id_masked END;
        UPDATE account_identity_changes SET
            old_id_masked = regexp_replace(regexp_replace(old_id_masked, '^[^*]{6}(\*+[^*]{4})$', '******\1'), '^[^*]{2}(\*+[^*]{2})$', '**\1'),
            new_id_masked = regexp_replace(regexp_replace(new_id_masked, '^[^*]{6}(\*+[^*]{4})$', '******\1'), '^[^*]{2}(\*+[^*]{2})$', '**\1');
        """
    )
