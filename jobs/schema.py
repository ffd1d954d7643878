"""The service's tables: the run history of every job, the publication-to-screen SLA per list version,
stale-list alarms, the onboarding lookup records and legal holds (retention.purge respects them)."""

from __future__ import annotations

import duckdb

from screening.store.migrations import Migrations

migrations = Migrations("jobs")


@migrations()
def m001_job_runs(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE SEQUENCE IF NOT EXISTS job_run_seq START 1;
        -- One row per run of a job, written by the job wrapper (jobs/runner.py) when the run starts and
        -- updated when it ends; the scheduler's MISSED / MAX_INSTANCES events add a row of their own.
        CREATE TABLE IF NOT EXISTS job_runs (
            run_id        INTEGER PRIMARY KEY,
            job_id        VARCHAR NOT NULL,
            trigger       VARCHAR NOT NULL,   -- cron / interval / event / manual / nightly
            scheduled_for TIMESTAMPTZ,        -- when the scheduler meant it to run (NULL: manual)
            started_at    TIMESTAMPTZ,
            finished_at   TIMESTAMPTZ,
            status        VARCHAR NOT NULL,   -- running / succeeded / failed / skipped / missed /
                                              -- skipped_max_instances / abandoned
            inputs        VARCHAR,            -- JSON: list versions, config hash, watermark, files
            outputs       VARCHAR,            -- JSON: counts, run ids, SLA figures
            error         VARCHAR,
            pid           INTEGER,
            host          VARCHAR
        );
        -- Publication-to-screen timeline of every list version the service loaded (jobs/sla.py).
        CREATE TABLE IF NOT EXISTS list_sla (
            version_id      INTEGER PRIMARY KEY,
            source          VARCHAR NOT NULL,
            publisher_date  DATE,
            fetched_at      TIMESTAMPTZ,       -- the download (or file) was read
            loaded_at       TIMESTAMPTZ,       -- the version was in force in the store
            published_at    TIMESTAMPTZ,       -- the lookup index snapshot held it
            delta_run_id    INTEGER,           -- the screening run that covered its changed entries
            delta_job_run_id INTEGER,
            screened_at     TIMESTAMPTZ,       -- every account screened against it
            accounts        INTEGER,
            entries_screened INTEGER
        );
        -- A mandatory list not checked successfully within its maximum age (lists.stale_alarm).
        CREATE TABLE IF NOT EXISTS list_alarms (
            source     VARCHAR NOT NULL,
            raised_at  TIMESTAMPTZ NOT NULL,
            cleared_at TIMESTAMPTZ,
            last_checked TIMESTAMPTZ,
            detail     VARCHAR NOT NULL
        );
        -- The onboarding screening record of every lookup (folded in from the spool by lookups.fold).
        -- ID numbers only as keyed hashes; `payload_sha256` keeps the record verifiable after the
        -- personal fields are purged.
        CREATE TABLE IF NOT EXISTS lookup_events (
            screening_id   VARCHAR PRIMARY KEY,
            looked_up_at   TIMESTAMPTZ NOT NULL,
            client         VARCHAR,
            account_id     VARCHAR,
            subject_type   VARCHAR,
            name           VARCHAR,
            birth_date     VARCHAR,
            country        VARCHAR,
            id_type        VARCHAR,
            id_hash        VARCHAR,
            decision       VARCHAR NOT NULL,
            reasons        VARCHAR NOT NULL,   -- JSON list
            hits           VARCHAR NOT NULL,   -- JSON [{source, source_id, score, band}]
            list_versions  VARCHAR NOT NULL,   -- JSON [{source, version_id, sha256}]
            config_hash    VARCHAR,
            snapshot_id    VARCHAR,
            stale_sources  VARCHAR,
            took_ms        DOUBLE,
            payload_sha256 VARCHAR NOT NULL,
            purged_at      TIMESTAMPTZ
        );
        -- Accounts whose data must be kept whatever the retention says (litigation, regulator request).
        CREATE TABLE IF NOT EXISTS legal_holds (
            account_id  VARCHAR NOT NULL,
            placed_at   TIMESTAMPTZ NOT NULL,
            placed_by   VARCHAR NOT NULL,
            reason      VARCHAR NOT NULL,
            released_at TIMESTAMPTZ
        );
        """
    )
