"""The officers' workflow tables: officers, alerts and their findings, decisions, suppressions, flags,
notices, the regime policy versions and the hash-chained audit log (docs/architecture.md §2)."""

from __future__ import annotations

import duckdb

from screening.store.migrations import Migrations

migrations = Migrations("alerts")


@migrations()
def m001_alerts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS officers (
            officer_id INTEGER PRIMARY KEY,
            name       VARCHAR NOT NULL UNIQUE,
            role       VARCHAR NOT NULL,      -- analyst / approver / auditor
            active     BOOLEAN NOT NULL,
            created_at TIMESTAMP NOT NULL
        );
        -- One open alert per account at a time; closed ones stay for the record.
        CREATE TABLE IF NOT EXISTS alerts (
            alert_id      INTEGER PRIMARY KEY,
            account_id    VARCHAR NOT NULL,
            kind          VARCHAR NOT NULL,   -- sanctions / eligibility / data_quality
            state         VARCHAR NOT NULL,
            priority      VARCHAR NOT NULL,   -- P1 (most urgent) .. P4
            band          VARCHAR,            -- best band of its sanctions hits
            policy_action VARCHAR NOT NULL,   -- what a confirmation proposes (policy.yml)
            assigned_to   VARCHAR,
            opened_at     TIMESTAMP NOT NULL,
            updated_at    TIMESTAMP NOT NULL,
            closed_at     TIMESTAMP,
            close_reason  VARCHAR,            -- decision / delisted
            follow_up     DATE
        );
        -- The findings of an alert: list hits, eligibility findings, data-quality problems.
        CREATE TABLE IF NOT EXISTS alert_hits (
            hit_id        INTEGER PRIMARY KEY,
            alert_id      INTEGER NOT NULL,
            kind          VARCHAR NOT NULL,   -- sanctions / eligibility / data_quality
            origin        VARCHAR NOT NULL,   -- run / lookup / eligibility / unscreened
            run_id        INTEGER,            -- screening or eligibility run (NULL for a lookup)
            source        VARCHAR NOT NULL,   -- list key, or the eligibility check / 'data_quality'
            source_id     VARCHAR NOT NULL,   -- list entry id, or the reason code
            entry_version_id INTEGER,
            entry_fp      VARCHAR,
            account_fp    VARCHAR,
            entry_name    VARCHAR,
            matched_name  VARCHAR,
            score         DOUBLE,
            band          VARCHAR,            -- hit band, or the eligibility severity
            regime        VARCHAR,
            programs      VARCHAR,
            reasons       VARCHAR,            -- JSON from the matcher, or the finding's sentence
            policy_action VARCHAR NOT NULL,
            disposition   VARCHAR NOT NULL,   -- pending / confirmed / not_match / inconclusive / delisted
            added_at      TIMESTAMP NOT NULL
        );
        -- Findings that opened no alert: covered by an active suppression, or already confirmed.
        CREATE TABLE IF NOT EXISTS suppressed_hits (
            origin VARCHAR NOT NULL, run_id INTEGER, account_id VARCHAR NOT NULL, source VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL, score DOUBLE, band VARCHAR,
            why VARCHAR NOT NULL,               -- suppressed / already_confirmed
            suppression_id INTEGER, alert_id INTEGER, logged_at TIMESTAMP NOT NULL
        );
        -- Runs already turned into alerts (ingesting twice adds nothing).
        CREATE TABLE IF NOT EXISTS alert_ingests (
            origin VARCHAR NOT NULL, run_id INTEGER NOT NULL, ingested_at TIMESTAMP NOT NULL,
            summary VARCHAR NOT NULL, PRIMARY KEY (origin, run_id)
        );
        CREATE TABLE IF NOT EXISTS decisions (
            decision_id   INTEGER PRIMARY KEY,
            kind          VARCHAR NOT NULL,   -- alert / lift
            alert_id      INTEGER,
            flag_id       INTEGER,
            outcome       VARCHAR NOT NULL,   -- true_match / false_positive / inconclusive / lift
            reason_codes  VARCHAR NOT NULL,   -- JSON list, upper case
            note          VARCHAR NOT NULL,
            maker         VARCHAR NOT NULL,
            made_at       TIMESTAMP NOT NULL,
            suppress      BOOLEAN NOT NULL,
            follow_up     DATE,
            needs_approval BOOLEAN NOT NULL,
            last_hit_id   INTEGER,            -- the findings the maker saw (later ones block approval)
            status        VARCHAR NOT NULL,   -- pending / approved / rejected / final
            checker       VARCHAR,
            checked_at    TIMESTAMP,
            checker_note  VARCHAR,
            policy_hash   VARCHAR NOT NULL,
            config_hash   VARCHAR             -- matching configuration of the run behind the alert
        );
        CREATE TABLE IF NOT EXISTS suppressions (
            suppression_id INTEGER PRIMARY KEY,
            account_id  VARCHAR NOT NULL,
            source      VARCHAR NOT NULL,
            source_id   VARCHAR NOT NULL,
            account_fp  VARCHAR NOT NULL,
            entry_fp    VARCHAR NOT NULL,
            regime      VARCHAR,
            decision_id INTEGER NOT NULL,
            created_by  VARCHAR NOT NULL,
            approved_by VARCHAR NOT NULL,
            created_at  TIMESTAMP NOT NULL,
            expires_at  TIMESTAMP NOT NULL,
            state       VARCHAR NOT NULL,     -- active / voided / expired
            ended_at    TIMESTAMP,
            ended_reason VARCHAR
        );
        CREATE TABLE IF NOT EXISTS flags (
            flag_id      INTEGER PRIMARY KEY,
            account_id   VARCHAR NOT NULL,
            alert_id     INTEGER,
            decision_id  INTEGER,
            linked_to    INTEGER,             -- the flag of another account of the same legal subject
            group_id     VARCHAR,
            kind         VARCHAR NOT NULL,    -- suspend / cancel
            scope        VARCHAR NOT NULL,    -- JSON: ["all"] or named functions
            basis        VARCHAR NOT NULL,    -- JSON list: {source, source_id, regime, programs} or {clause, code}
            state        VARCHAR NOT NULL,
            proposed_by  VARCHAR NOT NULL,
            approved_by  VARCHAR,
            created_at   TIMESTAMP NOT NULL,
            updated_at   TIMESTAMP NOT NULL,
            exported_at  TIMESTAMP,
            applied_at   TIMESTAMP,
            lift_from    VARCHAR,             -- the state a lift proposal came from (restored on rejection)
            lift_reason  VARCHAR,
            lifted_by    VARCHAR,
            lift_approved_by VARCHAR
        );
        CREATE TABLE IF NOT EXISTS notices (
            notice_id    INTEGER PRIMARY KEY,
            account_id   VARCHAR NOT NULL,
            flag_id      INTEGER,
            alert_id     INTEGER,
            kind         VARCHAR NOT NULL,    -- suspension / cancellation / reinstatement / correction_request / brand_name
            channel      VARCHAR NOT NULL,    -- email / site_message / sms / phone
            locale       VARCHAR NOT NULL,    -- zh-CN / en
            template_id  VARCHAR NOT NULL,
            template_version VARCHAR NOT NULL,
            text         VARCHAR NOT NULL,
            text_sha256  VARCHAR NOT NULL,
            state        VARCHAR NOT NULL,    -- drafted / held / ready / exported / delivered / failed
            created_at   TIMESTAMP NOT NULL,
            updated_at   TIMESTAMP NOT NULL,
            failure      VARCHAR
        );
        CREATE TABLE IF NOT EXISTS policy_versions (
            policy_hash VARCHAR PRIMARY KEY, version VARCHAR NOT NULL, yaml VARCHAR NOT NULL, loaded_at TIMESTAMP NOT NULL
        );
        -- Append-only, hash-chained: hash = sha256(prev_hash|payload_digest|occurred_at|actor|action|entity|entity_id).
        CREATE TABLE IF NOT EXISTS audit_events (
            seq            BIGINT PRIMARY KEY,
            occurred_at    VARCHAR NOT NULL,  -- ISO-8601 UTC, as hashed
            actor          VARCHAR NOT NULL,
            action         VARCHAR NOT NULL,
            entity         VARCHAR NOT NULL,
            entity_id      VARCHAR NOT NULL,
            account_id     VARCHAR,
            payload_digest VARCHAR NOT NULL,
            prev_hash      VARCHAR NOT NULL,
            hash           VARCHAR NOT NULL
        );
        -- Payloads apart from the chain, so personal data can be purged without breaking it.
        CREATE TABLE IF NOT EXISTS audit_payloads (
            payload_digest VARCHAR PRIMARY KEY, payload VARCHAR NOT NULL
        );
        """
    )
