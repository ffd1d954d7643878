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

