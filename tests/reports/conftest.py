"""A fixture store for the report: two bundled snapshot lists, hostile account names, one screening run
and one eligibility run, all written by the real code paths (no hand-made rows)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, build_snapshot_store

ACCOUNTS = FIXTURES / "reports" / "accounts.csv"
AS_OF = dt.date(2026, 12, 1)


def build_report_store(path: Path, *, workflow: bool = False) -> Path:
    """Lists (un_sc, cn_sanctions) → the hostile accounts imported and checked → one full screening run;
    with `workflow`, the officers' side too (screening.alerts): alerts from the run and the findings, one
    true match waiting for a second officer, one approved (flag and notices), one closed as a false
    positive with a hostile note."""
    from screening.accounts import read_accounts
    from screening.eligibility.run import run_eligibility
    from screening.runs import screen_accounts
    from screening.store import connect

    build_snapshot_store(path, ["un_sc", "cn_sanctions"])
    con = connect(path)
    try:
        imported = read_accounts(ACCOUNTS)
        eligibility_run, _ = run_eligibility(con, imported, as_of=AS_OF)
        run = screen_accounts(con, imported.accounts, kind="full")
        if workflow:
            _workflow(con, run.run_id, eligibility_run)
    finally:
        con.close()
    return path


def _workflow(con, run_id: int, eligibility_run_id: int) -> None:
    from screening.alerts import decisions, ingest_eligibility, ingest_run, officers

    ingest_run(con, run_id)
    ingest_eligibility(con, eligibility_run_id)
    officers.add(con, "analyst.wang", "analyst")
    officers.add(con, "approver.li", "approver")

    def alert_of(account_id: str) -> int:
        return con.execute("SELECT alert_id FROM alerts WHERE account_id = ? ORDER BY alert_id LIMIT 1",
                           [account_id]).fetchall()[0][0]

    decisions.decide(con, alert_of("R01"), "analyst.wang", "true_match", ["CONFIRMED_BY_DOCUMENT"], "passport matches")
    approved = decisions.decide(con, alert_of("R10"), "analyst.wang", "true_match", ["CONFIRMED_BY_DOCUMENT"],
                                "same organisation")
    decisions.approve(con, approved["decision_id"], "approver.li")
    decisions.decide(con, alert_of("R07"), "analyst.wang", "false_positive", ["PARTIAL_NAME_ONLY"],
                     "=cmd|' /C calc'!A0 <b>not him</b>")


@pytest.fixture(scope="session")
def workflow_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("screening.alerts", reason="the alerts step (issue 12) is not in this tree yet")
    return build_report_store(tmp_path_factory.mktemp("workflow") / "store.duckdb", workflow=True)


@pytest.fixture
def workflow_store(workflow_store_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "workflow.duckdb"
    shutil.copy(workflow_store_template, path)
    return path


@pytest.fixture(scope="session")
def report_store_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report_store(tmp_path_factory.mktemp("report") / "store.duckdb")


@pytest.fixture
def report_store(report_store_template: Path, tmp_path: Path) -> Path:
    """A private copy of the fixture store (reports write their record into it)."""
    path = tmp_path / "store.duckdb"
    shutil.copy(report_store_template, path)
    return path
