"""screen.full's eligibility re-evaluation of the stored accounts (jobs/screens.py), on a real store."""

from __future__ import annotations

from pathlib import Path

from jobs.runner import run_job
from screening.store import connect
from tests.jobs.conftest import write_accounts
from tests.jobs.test_jobs import _rows


def test_full_rescreen_reevaluates_eligibility_across_imports_and_alerts(service_db: Path, tmp_path: Path) -> None:
    con = connect(service_db)
    con.execute("UPDATE accounts SET status = 'suspended' WHERE account_id = 'CLEAN-1'")  # the platform's update
    con.close()
    # a later file brings the same person (name and birth date) as the suspended account
    write_accounts(tmp_path / "inbox" / "later.csv", {"CLEAN-4": ("person", "王秀英", "1988-02-03")})
    imported = run_job("accounts.import", service_db)
    assert imported.status == "succeeded", imported.error
    at_import = imported.outputs["imported"][0]["eligibility_run_id"]
    # the import evaluates its own file: the link to an account of an earlier file is not seen there
    assert _rows(service_db, "SELECT code FROM eligibility_reasons WHERE run_id = ? AND account_id = 'CLEAN-4'",
                 [at_import]) == [("id_missing",)]

    run = run_job("screen.full", service_db)
    assert run.status == "succeeded", run.error
    eligibility = run.outputs["eligibility"]
    assert _rows(service_db, "SELECT basis, accounts FROM eligibility_runs WHERE run_id = ?",
                 [eligibility["run_id"]]) == [("stored", 8)]
    found = _rows(service_db, "SELECT code, severity FROM eligibility_reasons WHERE run_id = ? "
                              "AND account_id = 'CLEAN-4'", [eligibility["run_id"]])
    assert ("linked_to_blocked_subject", "review") in found
    # the new finding reaches the officers: on the account's open alert (opened at import for the missing ID)
    codes = {r[0] for r in _rows(service_db, "SELECT h.source_id FROM alert_hits h JOIN alerts a USING (alert_id) "
                                             "WHERE a.account_id = 'CLEAN-4' AND a.kind = 'eligibility'")}
    assert {"id_missing", "linked_to_blocked_subject"} <= codes
    assert eligibility["alerts"]["findings_added"] + eligibility["alerts"]["alerts_opened"] >= 1
