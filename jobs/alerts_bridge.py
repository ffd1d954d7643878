"""Where the jobs hand their results to the alerts step (screening/alerts/, issue 12).

`ingest_run(con, run_id)`, `ingest_eligibility(con, eligibility_run_id)` and
`apply_list_changes(con, version_id)` turn screening hits, eligibility findings and delistings into
alerts.
"""

from __future__ import annotations

from typing import Any

import duckdb

from screening.logs import get_logger

log = get_logger(__name__)


def call(name: str, con: duckdb.DuckDBPyConnection, *args: Any) -> dict[str, Any]:
    """`screening.alerts.<name>(con, *args)`: its counts for the job's outputs."""
    from screening import alerts

    return dict(getattr(alerts, name)(con, *args) or {})


def eligibility_rescreen(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The nightly eligibility re-evaluation of the stored accounts (age turning 18, duplicates).

    Eligibility runs at every import (accounts.import) with the file's clear ID numbers; re-evaluating
    the stored state needs an entry point over the `accounts` table in screening/eligibility/ that does
    not exist yet, so this says so instead of pretending."""
    from screening.eligibility import run

    rescreen = getattr(run, "run_stored_eligibility", None)
    if rescreen is None:
        return {"skipped": "no eligibility re-evaluation of stored accounts (screening.eligibility.run."
                           "run_stored_eligibility) yet; eligibility is checked at import"}
    result = dict(rescreen(con) or {})
    if result.get("run_id") is not None:
        result["alerts"] = call("ingest_eligibility", con, result["run_id"])
    return result
