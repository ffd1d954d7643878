"""The list store's tables: every loaded version of every source, its entries, diffs, quarantine
and every fetch attempt; `current_*` views are the lists in force. `lists/store.py` is the only writer."""

from __future__ import annotations

import duckdb

from screening.store.migrations import Migrations

migrations = Migrations("lists")


@migrations()
def m001_list_store(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE SEQUENCE IF NOT EXISTS list_version_seq START 1;
        CREATE SEQUENCE IF NOT EXISTS list_fetch_seq START 1;

        -- One row per published version of a source that was loaded (never deleted).
        CREATE TABLE IF NOT EXISTS list_versions (
            version_id      INTEGER PRIMARY KEY,
            source          VARCHAR NOT NULL,
            publisher_date  DATE,          -- from inside the file where it has one
            loaded_at       TIMESTAMP NOT NULL,
            origin          VARCHAR NOT NULL,  -- URL or local path it came from
            sha256          VARCHAR NOT NULL,  -- of the published content (all files of a folder)
            etag            VARCHAR,
            last_modified   VARCHAR,
            entry_count     INTEGER NOT NULL,
            name_count      INTEGER NOT NULL,
            quarantined     INTEGER NOT NULL,
            parser_version  VARCHAR NOT NULL,
            previous_version_id INTEGER,
            is_snapshot     BOOLEAN NOT NULL DEFAULT FALSE,  -- the bundled offline snapshot, dated
            complete        BOOLEAN NOT NULL DEFAULT TRUE,   -- false when optional files were missing
            raw_path        VARCHAR,
            added           INTEGER, removed INTEGER, changed INTEGER
        );

        CREATE TABLE IF NOT EXISTS list_entries (
            version_id   INTEGER NOT NULL,
            source       VARCHAR NOT NULL,
            source_id    VARCHAR NOT NULL,
            subject_type VARCHAR NOT NULL,  -- person / organization / vessel / aircraft
            primary_name VARCHAR NOT NULL,
            programs     VARCHAR[],
            regime       VARCHAR,
            listed_on    DATE,
            remarks      VARCHAR,
            fingerprint  VARCHAR NOT NULL
        );

        CREATE TABLE IF NOT EXISTS list_names (
            version_id INTEGER NOT NULL,
            source     VARCHAR NOT NULL,
            source_id  VARCHAR NOT NULL,
            name       VARCHAR NOT NULL,
            name_type  VARCHAR NOT NULL,  -- primary / aka / fka / nka / original_script / variation
            quality    VARCHAR NOT NULL,  -- strong / weak
            script     VARCHAR,
            lang       VARCHAR
        );

        CREATE TABLE IF NOT EXISTS list_birth_dates (
            version_id INTEGER NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL,
            date_from DATE, date_to DATE, precision VARCHAR NOT NULL, text VARCHAR
        );

        CREATE TABLE IF NOT EXISTS list_countries (
            version_id INTEGER NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL,
            country VARCHAR NOT NULL, role VARCHAR NOT NULL
        );

        CREATE TABLE IF NOT EXISTS list_identifiers (
            version_id INTEGER NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL,
            id_type VARCHAR NOT NULL, number VARCHAR NOT NULL, country VARCHAR
        );

        CREATE TABLE IF NOT EXISTS list_addresses (
            version_id INTEGER NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL,
            address VARCHAR NOT NULL, city VARCHAR, country VARCHAR
        );

        -- What changed against the previous version of the same source.
        CREATE TABLE IF NOT EXISTS list_diffs (
            version_id INTEGER NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR NOT NULL,
            change VARCHAR NOT NULL,  -- added / removed / changed
            primary_name VARCHAR
        );

        -- Records an adapter could not interpret, with the reason (never silently dropped).
        CREATE TABLE IF NOT EXISTS list_quarantine (
            version_id INTEGER NOT NULL, source VARCHAR NOT NULL, source_id VARCHAR,
            reason VARCHAR NOT NULL, raw VARCHAR
        );

        -- Every download attempt or check: changed, unchanged (conditional GET), rejected, failed.
        CREATE TABLE IF NOT EXISTS list_fetches (
            fetch_id    INTEGER PRIMARY KEY,
            source      VARCHAR NOT NULL,
            checked_at  TIMESTAMP NOT NULL,
            origin      VARCHAR,
            status      VARCHAR NOT NULL,  -- loaded / unchanged / rejected / failed
            reason      VARCHAR,
            http_status INTEGER,
            sha256      VARCHAR,
            etag        VARCHAR,
            last_modified VARCHAR,
            version_id  INTEGER,
            from_publisher BOOLEAN NOT NULL DEFAULT TRUE  -- false for the bundled snapshot: not a check of the list
        );

        -- The version in force per source: the newest loaded one.
        CREATE OR REPLACE VIEW current_versions AS
            SELECT * FROM list_versions
            QUALIFY row_number() OVER (PARTITION BY source ORDER BY version_id DESC) = 1;
        CREATE OR REPLACE VIEW current_entries AS
            SELECT e.* FROM list_entries e JOIN current_versions v USING (version_id);
        CREATE OR REPLACE VIEW current_names AS
            SELECT n.* FROM list_names n JOIN current_versions v USING (version_id);
        CREATE OR REPLACE VIEW current_birth_dates AS
            SELECT b.* FROM list_birth_dates b JOIN current_versions v USING (version_id);
        CREATE OR REPLACE VIEW current_countries AS
            SELECT c.* FROM list_countries c JOIN current_versions v USING (version_id);
        CREATE OR REPLACE VIEW current_identifiers AS
            SELECT i.* FROM list_identifiers i JOIN current_versions v USING (version_id);
        CREATE OR REPLACE VIEW current_addresses AS
            SELECT a.* FROM list_addresses a JOIN current_versions v USING (version_id);
        """
    )


@migrations()
def m002_publication_dates_and_forcing(con: duckdb.DuckDBPyConnection) -> None:
    """Where each version's publisher date came from, an operator's reason for forcing a version the
    checks refused, and the publisher date of every checked file (refused ones included)."""
    con.execute(
        """
        -- file / operator (--as-of) / http_last_modified / snapshot_manifest; NULL = no date known, or a
        -- version loaded before this migration (only a snapshot's source is certain then)
        ALTER TABLE list_versions ADD COLUMN IF NOT EXISTS date_source VARCHAR;
        UPDATE list_versions SET date_source = 'snapshot_manifest' WHERE is_snapshot AND publisher_date IS NOT NULL;
        -- the operator's stated reason when a refused version was forced in (rollback, shrink)
        ALTER TABLE list_versions ADD COLUMN IF NOT EXISTS forced_reason VARCHAR;
        ALTER TABLE list_fetches ADD COLUMN IF NOT EXISTS publisher_date DATE;
        ALTER TABLE list_fetches ADD COLUMN IF NOT EXISTS forced_reason VARCHAR;
        """
    )
