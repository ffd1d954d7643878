"""The screening run ledger: matching configurations, runs (kind, list versions, population, counts)
and their hits."""

from __future__ import annotations

import duckdb

from screening.store.migrations import Migrations

migrations = Migrations("runs")


@migrations()
def m001_screening_runs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE SEQUENCE IF NOT EXISTS screening_run_seq START 1;
        CREATE TABLE IF NOT EXISTS match_configs (
            config_hash VARCHAR PRIMARY KEY,
            config      VARCHAR NOT NULL,  -- JSON of every setting
            first_used  TIMESTAMP NOT NULL
        );
        CREATE TABLE IF NOT EXISTS screening_runs (
            run_id        INTEGER PRIMARY KEY,
            kind          VARCHAR NOT NULL,       -- onboarding / delta / account-change / full
            status        VARCHAR NOT NULL,       -- running / finished / failed
            started_at    TIMESTAMP NOT NULL,
            finished_at   TIMESTAMP,
            duration_s    DOUBLE,
            config_hash   VARCHAR NOT NULL,
            index_key     VARCHAR NOT NULL,
            list_versions VARCHAR NOT NULL,       -- JSON [{source, version_id, publisher_date, sha256}]
            population    INTEGER NOT NULL,       -- accounts screened
            population_sha256 VARCHAR NOT NULL,   -- of the sorted account ids
            names         INTEGER,                -- distinct normalised account-side forms
            entries_filter INTEGER,               -- number of list entries screened against (NULL = all in force)
            candidates    BIGINT,
            fallback_names INTEGER,               -- forms no blocking key found anything for (fallback-scored)
            stored_floor  DOUBLE NOT NULL,        -- hits at or above this score are in screening_hits
            hits          INTEGER,
            block_review  INTEGER,
            review        INTEGER,
            low           INTEGER,
            error         VARCHAR
        );
        CREATE TABLE IF NOT EXISTS screening_run_versions (
            run_id INTEGER NOT NULL, source VARCHAR NOT NULL, version_id INTEGER NOT NULL, sha256 VARCHAR
        );
        CREATE TABLE IF NOT EXISTS screening_hits (
            run_id        INTEGER NOT NULL,
            account_id    VARCHAR NOT NULL,
            source        VARCHAR NOT NULL,
            source_id     VARCHAR NOT NULL,
            entry_name    VARCHAR,
            matched_name  VARCHAR,
            query_name    VARCHAR,
            score         DOUBLE NOT NULL,
            name_score    DOUBLE NOT NULL,
            band          VARCHAR NOT NULL,
            alias_quality VARCHAR NOT NULL,
            regime        VARCHAR,
            programs      VARCHAR,
            reasons       VARCHAR NOT NULL  -- JSON: name alignment and the qualifiers with their weights
        );
        """
    )


@migrations()
def m002_unscreened_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 10: rows a run could not screen (no usable name, unreadable line), counted on the run,
    and the run's warnings (e.g. no ID hash key)."""
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS screening_unscreened (
            run_id     INTEGER NOT NULL,
            account_id VARCHAR,
            line       BIGINT,
            reason     VARCHAR NOT NULL
        );
        ALTER TABLE screening_runs ADD COLUMN unscreened INTEGER;
        ALTER TABLE screening_runs ADD COLUMN data_issues INTEGER;
        ALTER TABLE screening_runs ADD COLUMN warnings VARCHAR;  -- JSON list of texts
        """
    )


@migrations()
def m003_run_engine(con: duckdb.DuckDBPyConnection) -> None:
    """Where a run was computed: `local`, or `spark` with its version, master and partitions (JSON)."""
    con.execute("ALTER TABLE screening_runs ADD COLUMN IF NOT EXISTS engine VARCHAR DEFAULT 'local'")
    con.execute("ALTER TABLE screening_runs ADD COLUMN IF NOT EXISTS engine_info VARCHAR")
