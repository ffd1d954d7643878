"""The match index's tables: per list version and index key, the normalised forms of every listed
name and their blocking keys (derived data: rebuilt when the normaliser or keys change)."""

from __future__ import annotations

import duckdb

from screening.store.migrations import Migrations

migrations = Migrations("matching")


@migrations()
def m001_match_index(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS match_index_builds (
            version_id INTEGER NOT NULL,
            index_key  VARCHAR NOT NULL,
            source     VARCHAR NOT NULL,
            built_at   TIMESTAMP NOT NULL,
            seconds    DOUBLE NOT NULL,
            names      INTEGER NOT NULL,
            forms      INTEGER NOT NULL,
            keys       INTEGER NOT NULL,
            PRIMARY KEY (version_id, index_key)
        );
        -- One row per (list name, normalised form).
        CREATE TABLE IF NOT EXISTS match_index_forms (
            version_id INTEGER NOT NULL, index_key VARCHAR NOT NULL,
            source VARCHAR NOT NULL, source_id VARCHAR NOT NULL,
            name VARCHAR NOT NULL, name_type VARCHAR NOT NULL, quality VARCHAR NOT NULL,
            form VARCHAR NOT NULL, kind VARCHAR NOT NULL, legal_form VARCHAR
        );
        -- Blocking keys of each distinct form of a version.
        CREATE TABLE IF NOT EXISTS match_index_keys (
            version_id INTEGER NOT NULL, index_key VARCHAR NOT NULL,
            form VARCHAR NOT NULL, key VARCHAR NOT NULL
        );
        """
    )
