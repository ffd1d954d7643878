"""The eligibility run tables: runs, per-account results and their reasons (long)."""

from __future__ import annotations

import duckdb

from screening.store.migrations import Migrations

migrations = Migrations("eligibility")


@migrations()
def m001_eligibility_runs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE SEQUENCE IF NOT EXISTS eligibility_run_seq START 1;
        CREATE TABLE IF NOT EXISTS eligibility_runs (
            run_id       INTEGER PRIMARY KEY,
            started_at   TIMESTAMP NOT NULL,
            seconds      DOUBLE,
            as_of        DATE NOT NULL,      -- evaluation date (Asia/Shanghai)
            import_id    INTEGER,            -- the account import evaluated
            accounts     INTEGER NOT NULL,
            eligible     INTEGER, review INTEGER, ineligible INTEGER,
            config_hash  VARCHAR NOT NULL    -- brand + name configuration in force
        );
        CREATE TABLE IF NOT EXISTS eligibility_results (
            run_id INTEGER NOT NULL, account_id VARCHAR NOT NULL, status VARCHAR NOT NULL,
            capacity VARCHAR, group_id VARCHAR
        );
        CREATE TABLE IF NOT EXISTS eligibility_reasons (
            run_id INTEGER NOT NULL, account_id VARCHAR NOT NULL, "check" VARCHAR NOT NULL,
            code VARCHAR NOT NULL, severity VARCHAR NOT NULL, detail VARCHAR NOT NULL
        );
        """
    )


@migrations()
def m002_warnings_and_masks(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 10: the run's warnings (e.g. no ID hash key); masked ID numbers in stored reasons keep
    at most the last 4 characters."""
    con.execute(
        r"""
        ALTER TABLE eligibility_runs ADD COLUMN warnings VARCHAR;  -- JSON list of texts
        UPDATE eligibility_reasons SET detail = regexp_replace(regexp_replace(detail,
            '\b[0-9A-Z]{6}(\*{2,}[0-9A-Z]{4})\b', '******\1', 'g'), '\b[0-9A-Z]{2}(\*{2,}[0-9A-Z]{2})\b', '**\1', 'g')
        WHERE detail LIKE '%*%';
        """
    )


@migrations()
def m003_basis(con: duckdb.DuckDBPyConnection) -> None:
    """Issue 15: what a run evaluated — `import` (an account file, with its clear ID numbers) or
    `stored` (the nightly re-evaluation of the stored accounts, `run_stored_eligibility`)."""
    con.execute(
        """
        ALTER TABLE eligibility_runs ADD COLUMN basis VARCHAR;
        UPDATE eligibility_runs SET basis = 'import';
        """
    )
