"""The `reports` table: one row per nightly report written, with its hashes and its figures.

Why: an auditor checks a report file against the store (the HTML's SHA-256 is recorded here, since a
file cannot carry its own hash), and trends are drawn from earlier reports' figures instead of
recomputing old periods from tables that have moved on (Evidently's snapshots, GX's validation results).
"""

from __future__ import annotations

import duckdb

from screening.store.migrations import Migrations

migrations = Migrations("reports")


@migrations()
def m001_reports(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE SEQUENCE IF NOT EXISTS report_seq START 1;
        CREATE TABLE IF NOT EXISTS reports (
            report_id        INTEGER PRIMARY KEY,
            for_date         DATE NOT NULL,        -- the report's day (Asia/Shanghai)
            period_start     TIMESTAMP NOT NULL,   -- store clock (UTC) of the events it covers: (start, end]
            period_end       TIMESTAMP NOT NULL,
            created_at       TIMESTAMP NOT NULL,
            lang             VARCHAR NOT NULL,
            snapshot_sha256  VARCHAR NOT NULL,     -- of snapshot.json, also printed in the report
            html_sha256      VARCHAR NOT NULL,     -- of report.html as written
            figures          VARCHAR NOT NULL,     -- JSON: the counts trends are drawn from
            audit_head_seq   BIGINT,               -- the audit chain's head at report time (NULL: no chain)
            audit_head_hash  VARCHAR,
            out_dir          VARCHAR
        );
        """
    )
