"""Alerts to decisions: the compliance officers' workflow (README, "Alerts, decisions and the audit trail").

Hits of a screening run, a non-clear registration lookup, eligibility findings and unscreenable
accounts become alerts; officers decide them with four-eyes; suppression memory, a regime policy,
suspension flags and notices for the platform, delisting, and a hash-chained audit trail.

The entry points for jobs and the CLI:
    ingest_run(con, run_id), ingest_eligibility(con, eligibility_run_id),
    apply_list_changes(con, version_id), alert_from_lookup(con, account_id, lookup_result),
    run_followups(con) (the cases.followups job).
"""

from screening.alerts.alerts import (
    alert_from_lookup,
    ingest_eligibility,
    ingest_run,
    run_followups,
    summary_line,
)
from screening.alerts.delisting import apply_list_changes

__all__ = ["alert_from_lookup", "apply_list_changes", "ingest_eligibility", "ingest_run", "run_followups",
           "summary_line"]
