"""Property test of the workflow: random sequences of officers' actions (right and wrong officers,
roles, states) on alerts from a real screening run against a real UN list excerpt.

Invariants after every step: no `closed_true_match`, active suppression or lifted flag without two
distinct officers; exactly one audit event per state change (every state event changes the state,
and no row's state moves without its event — the verify row check); the chain always verifies; a
refused action changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import duckdb
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from screening import exc
from screening.alerts import alerts as alerts_mod
from screening.alerts import audit, decisions, flags, ingest_run

OFFICERS = ["ann", "amy", "bob", "dan", "cat", "eve"]  # analysts ann, amy; approvers bob, dan; auditor cat; eve inactive
CHECKERS = ["bob", "dan", "bob", "dan", "ann", "cat", "eve"]  # approvers more often, the others refused
# events that record no state change of their entity
NON_STATE_ACTIONS = {"alert.findings_added", "alert.assigned", "alert.findings_delisted", "officer.added"}


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


class Workflow(RuleBasedStateMachine):
    template: Path
    workdir: Path
    seen: ClassVar[set[str]] = set()  # the audit actions the runs reached: the test shows what it explored

    def __init__(self) -> None:
        super().__init__()
        self.path = self.workdir / f"s{id(self)}"
        self.con = duckdb.connect(":memory:")  # a copy of the migrated template store, in memory (fast)
        self.con.execute(f"ATTACH '{self.template}' AS template (READ_ONLY)")
        self.con.execute("COPY FROM DATABASE template TO memory")
        self.con.execute("DETACH template")
        ingest_run(self.con, 1)
        self.next_run = 2

    def teardown(self) -> None:
        Workflow.seen |= {a for (a,) in _rows(self.con, "SELECT DISTINCT action FROM audit_events")}
        self.con.close()

    # ---- helpers
    def _ids(self, table: str, key: str) -> list[int]:
        return [r[0] for r in _rows(self.con, f"SELECT {key} FROM {table} ORDER BY {key}")]

    def _pick(self, table: str, key: str, i: int) -> int:
        ids = self._ids(table, key)
        return ids[i % len(ids)] if ids else 10_000  # an id that does not exist: NotFound, nothing changes

    def _state(self) -> tuple:
        return tuple(tuple(_rows(self.con, f"SELECT * FROM {t} ORDER BY 1"))
                     for t in ("alerts", "alert_hits", "decisions", "suppressions", "flags", "notices", "audit_events"))

    def _attempt(self, action, *args, **kwargs) -> None:
        before = self._state()
        try:
            action(self.con, *args, **kwargs)
        except exc.ScreeningError:
            assert self._state() == before, "a refused action changed the store"

    # ---- rules
    @rule(a=st.integers(0, 20), officer=st.sampled_from(OFFICERS))
    def assign(self, a: int, officer: str) -> None:
        self._attempt(alerts_mod.assign, self._pick("alerts", "alert_id", a), officer)

    @rule(a=st.integers(0, 20), officer=st.sampled_from(OFFICERS))
    def escalate(self, a: int, officer: str) -> None:
        self._attempt(alerts_mod.escalate, self._pick("alerts", "alert_id", a), officer, "to legal")

    @rule(a=st.integers(0, 20), officer=st.sampled_from(OFFICERS),
          outcome=st.sampled_from(["true_match", "true_match", "false_positive", "inconclusive"]), suppress=st.booleans(),
          reason=st.sampled_from(["dob_mismatch", "ID_NUMBER_MATCH", "Other", "name_and_dob_match", "NOT_A_CODE"]),
          proper_follow_up=st.sampled_from([True, True, True, False]))
    def decide(self, a: int, officer: str, outcome: str, suppress: bool, reason: str, proper_follow_up: bool) -> None:
        # a follow-up date goes with `inconclusive` only; now and then the wrong way round (refused)
        wants = (outcome == "inconclusive") == proper_follow_up
        date = audit.now().date().replace(year=audit.now().year + 1) if wants else None
        self._attempt(decisions.decide, self._pick("alerts", "alert_id", a), officer, outcome, [reason], "checked",
                      suppress=suppress, follow_up=date)

    @rule(a=st.integers(0, 20), outcome=st.sampled_from(["true_match", "false_positive", "inconclusive"]),
          suppress=st.booleans())
    def decide_properly(self, a: int, outcome: str, suppress: bool) -> None:
        """A well-formed decision by the officer holding the alert (so runs reach the approvals)."""
        alert_id = self._pick("alerts", "alert_id", a)
        held = _rows(self.con, f"SELECT assigned_to FROM alerts WHERE alert_id = {alert_id}")
        officer = (held[0][0] if held else None) or "ann"
        date = audit.now().date().replace(year=audit.now().year + 1) if outcome == "inconclusive" else None
        self._attempt(decisions.decide, alert_id, officer, outcome, ["OTHER"], "checked",
                      suppress=suppress and outcome == "false_positive", follow_up=date)

    @rule(d=st.integers(0, 20))
    def approve_properly(self, d: int) -> None:
        """The pending decision approved by an approver who did not make it."""
        pending = _rows(self.con, "SELECT decision_id, maker FROM decisions WHERE status = 'pending' ORDER BY 1")
        if pending:
            decision_id, maker = pending[d % len(pending)]
            self._attempt(decisions.approve, decision_id, "dan" if maker == "bob" else "bob")

    @rule(f=st.integers(0, 20))
    def lift_properly(self, f: int) -> None:
        """An analyst proposes lifting a flag in force (approve_properly may then lift it)."""
        in_force = _rows(self.con, "SELECT flag_id FROM flags WHERE state IN ('approved', 'exported', 'applied') ORDER BY 1")
        if in_force:
            self._attempt(decisions.propose_flag_action, in_force[f % len(in_force)][0], "amy", "lift", ["DELISTED"],
                          "entry removed")

    def _decision(self, d: int, pending: bool) -> int:
        ids = [i for (i,) in _rows(self.con, "SELECT decision_id FROM decisions WHERE status = 'pending' ORDER BY 1")]
        return ids[d % len(ids)] if pending and ids else self._pick("decisions", "decision_id", d)

    @rule(d=st.integers(0, 20), officer=st.sampled_from(CHECKERS), pending=st.sampled_from([True, True, True, False]))
    def approve(self, d: int, officer: str, pending: bool) -> None:
        self._attempt(decisions.approve, self._decision(d, pending), officer)

    @rule(d=st.integers(0, 20), officer=st.sampled_from(CHECKERS), pending=st.sampled_from([True, True, True, False]))
    def reject(self, d: int, officer: str, pending: bool) -> None:
        self._attempt(decisions.reject, self._decision(d, pending), officer, "not convinced")

    @rule(f=st.integers(0, 20), officer=st.sampled_from(OFFICERS), kind=st.sampled_from(["lift", "confirm"]))
    def flag_action(self, f: int, officer: str, kind: str) -> None:
        self._attempt(decisions.propose_flag_action, self._pick("flags", "flag_id", f), officer, kind, ["DELISTED"],
                      "reviewed")

    @rule()
    def export_and_apply(self) -> None:
        out = self.path.with_suffix(".flags.csv")
        flags.export(self.con, out)
        ids = [i for (i,) in _rows(self.con, "SELECT flag_id FROM flags WHERE state IN ('exported', 'lift_exported')")]
        if ids:
            receipt = self.path.with_suffix(".receipt.csv")
            receipt.write_text("flag_id\n" + "\n".join(map(str, ids)) + "\n")
            flags.applied(self.con, receipt)

    @rule()
    def rescreen(self) -> None:
        """The same accounts screened again (a later run with the same hits), then ingested."""
        run = self.next_run
        self.next_run += 1
        self.con.execute(f"INSERT INTO screening_runs SELECT * REPLACE ({run} AS run_id) FROM screening_runs WHERE run_id = 1")
        self.con.execute(f"INSERT INTO screening_run_versions SELECT * REPLACE ({run} AS run_id) FROM screening_run_versions WHERE run_id = 1")
        self.con.execute(f"INSERT INTO screening_hits SELECT * REPLACE ({run} AS run_id) FROM screening_hits WHERE run_id = 1")
        ingest_run(self.con, run)

    # ---- invariants
    @invariant()
    def true_matches_have_two_officers(self) -> None:
        for (alert_id,) in _rows(self.con, "SELECT alert_id FROM alerts WHERE state = 'closed_true_match'"):
            rows = _rows(self.con, f"SELECT maker, checker FROM decisions WHERE alert_id = {alert_id} "
                                   "AND outcome = 'true_match' AND status = 'approved'")
            assert rows and all(m and c and m != c for m, c in rows), alert_id

    @invariant()
    def suppressions_have_two_officers(self) -> None:
        for created, approved, maker, checker, status in _rows(
            self.con, "SELECT s.created_by, s.approved_by, d.maker, d.checker, d.status FROM suppressions s "
                      "JOIN decisions d USING (decision_id) WHERE s.state = 'active'"):
            assert created != approved and maker != checker and status == "approved"

    @invariant()
    def lifted_flags_have_two_officers(self) -> None:
        for lifted_by, approved_by in _rows(self.con, "SELECT lifted_by, lift_approved_by FROM flags "
                                                      "WHERE state IN ('lifted', 'lift_exported', 'reinstated')"):
            assert lifted_by and approved_by and lifted_by != approved_by

    @invariant()
    def at_most_one_open_alert_per_account(self) -> None:
        assert not _rows(self.con, f"SELECT account_id FROM alerts WHERE state IN {alerts_mod.OPEN_STATES} "
                                   "GROUP BY account_id HAVING count(*) > 1")

    @invariant()
    def one_event_per_state_change(self) -> None:
        last: dict[tuple[str, str], str | None] = {}
        for entity, entity_id, action, payload in _rows(
            self.con, "SELECT e.entity, e.entity_id, e.action, p.payload FROM audit_events e "
                      "JOIN audit_payloads p USING (payload_digest) ORDER BY e.seq"):
            row = json.loads(payload)["row"]
            state = row.get("state", row.get("status", row.get("active")))
            key = (entity, entity_id)
            if action not in NON_STATE_ACTIONS:
                assert key not in last or last[key] != state, f"event {action} on {key} records no state change"
            last[key] = state

    @invariant()
    def chain_verifies(self) -> None:
        result = audit.verify(self.con)
        assert result.ok, result.problems


def test_workflow_state_machine(template: Path, tmp_path: Path) -> None:
    Workflow.template = template
    Workflow.workdir = tmp_path
    Workflow.seen = set()
    run = settings(max_examples=20, stateful_step_count=30, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])(Workflow)
    run.TestCase().runTest()
    print(sorted(Workflow.seen))
    assert {"alert.closed_true_match", "alert.closed_false_positive", "suppression.activated", "flag.approved",
            "flag.lifted", "decision.rejected"} <= Workflow.seen
