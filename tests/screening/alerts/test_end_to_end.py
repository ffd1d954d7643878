"""End to end through the CLI: load a real UN list version, import accounts with planted listed
names, screen, decide and approve (four-eyes), export flags and notices, load the next real version
(which delists one entry) and see the lift proposal."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from screening.store import connect
from tests.screening.alerts.conftest import (
    UN_2025,
    UN_2026,
    Cli,
    load_list,
    write_accounts,
)

RIC = "11010519491231002X"  # checksum-valid; shared by two accounts (one legal subject)


def _alert_of(alerts: list[dict], account_id: str) -> dict:
    [alert] = [a for a in alerts if a["account_id"] == account_id]
    return alert


def test_lists_to_lift_proposal(cli: Cli, tmp_path: Path) -> None:
    con = connect(cli.db)
    load_list(con, UN_2025)
    con.close()
    accounts = write_accounts(tmp_path / "accounts.csv", [
        "P1,person,PROPHANE VICTOR,,1980-05-05,HT,HT,passport,HT1234567,victor",      # HTi.006 (changes in 2026)
        "P2,person,ERIC BADEGE,,1971-02-02,CD,CD,passport,CD7654321,eric",            # CDi.001 (unchanged)
        "P3,person,MUNIR AL QUBAYSI,,1966-01-01,IQ,IQ,passport,IQ5550001,munir",      # IQi.074 (delisted by 2026)
        f"P4,person,王芳,Wang Fang,1949-12-31,CN,CN,RIC,{RIC},=HYPERLINK(\"http://x\")",
        f"P5,person,王芳,Wang Fang,1949-12-31,CN,CN,RIC,{RIC},芳",         # same legal subject as P4
    ])
    cli.run("accounts", "import", str(accounts))
    for name, role in (("ann", "analyst"), ("bob", "approver"), ("cat", "auditor"), ("dan", "approver")):
        cli.run("officers", "add", name, "--role", role)

    screened = cli.json("screen", "--accounts", str(accounts))
    assert screened["alerts"]["alerts_opened"] == 3
    eligibility = cli.json("eligibility", "--accounts", str(accounts), "--out", str(tmp_path / "elig.csv"),
                           "--as-of", "2026-03-01")
    assert eligibility["alerts"]["alerts_opened"] >= 2  # P4 and P5 share one legal subject

    alerts = cli.json("alerts", "list")
    by_account = {a["account_id"]: a for a in alerts}
    assert {"P1", "P2", "P3", "P4", "P5"} <= set(by_account)
    p3 = _alert_of(alerts, "P3")
    assert p3["state"] == "open" and p3["policy_action"] == "suspend"
    assert [h["source_id"] for h in p3["hits"]] == ["IQi.074"]
    assert p3["hits"][0]["reasons"]["name"]  # the matcher's reasons travel with the hit

    # P3: a true match needs two officers, even when the maker is an approver
    cli.run("alerts", "assign", str(p3["alert_id"]), "--officer", "dan")
    decided = cli.json("alerts", "decide", str(p3["alert_id"]), "--officer", "dan", "--outcome", "true_match",
                       "--reason", "name_and_dob_match", "--reason", "CONFIRMED_BY_DOCUMENT", "--note", "passport copy matches")
    assert decided["status"] == "pending"
    refused = cli.run("decisions", "approve", str(decided["decision_id"]), "--officer", "dan", code=7)
    assert "four-eyes" in refused.output
    cli.run("decisions", "approve", str(decided["decision_id"]), "--officer", "ann", code=7)  # analyst
    cli.run("decisions", "approve", str(decided["decision_id"]), "--officer", "cat", code=7)  # auditor: read-only
    cli.run("decisions", "approve", str(decided["decision_id"]), "--officer", "bob")
    [flag] = cli.json("flags", "list", "--state", "approved")
    assert flag["account_id"] == "P3" and flag["kind"] == "suspend" and flag["scope"] == ["all"]
    assert flag["basis"][0]["source_id"] == "IQi.074" and flag["basis"][0]["regime"] == "UN"
    notices = cli.json("notices", "list")
    assert notices and {n["state"] for n in notices} == {"held"}  # UN: freeze before notice

    # P4: the shared legal subject, confirmed → P5 gets a linked flag proposal
    p4 = _alert_of(cli.json("alerts", "list"), "P4")
    d4 = cli.json("alerts", "decide", str(p4["alert_id"]), "--officer", "ann", "--outcome", "true_match",
                  "--reason", "OTHER", "--note", "two accounts, one person")
    cli.run("decisions", "approve", str(d4["decision_id"]), "--officer", "bob")
    linked = [f for f in cli.json("flags", "list", "--state", "proposed") if f["account_id"] == "P5"]
    assert linked and linked[0]["linked_to"] is not None

    # P2: false positive with suppression, approved
    p2 = _alert_of(cli.json("alerts", "list"), "P2")
    d2 = cli.json("alerts", "decide", str(p2["alert_id"]), "--officer", "ann", "--outcome", "false_positive",
                  "--reason", "nationality_mismatch", "--note", "a namesake: other nationality per document", "--suppress")
    assert d2["status"] == "pending"
    cli.run("decisions", "approve", str(d2["decision_id"]), "--officer", "bob")

    # export flags (P3, P4), the platform applies them, held notices are released and exported
    exported = cli.json("flags", "export", "--out", str(tmp_path / "flags.csv"))
    assert exported["flags"] == 2
    rows = list(csv.DictReader((tmp_path / "flags.csv").open(encoding="utf-8")))
    assert {r["account_id"] for r in rows} == {"P3", "P4"}
    assert any("IQi.074" in r["legal_basis"] for r in rows)
    (tmp_path / "receipt.csv").write_text("flag_id\n" + "\n".join(r["flag_id"] for r in rows) + "\n")
    applied = cli.json("flags", "applied", str(tmp_path / "receipt.csv"))
    assert applied["applied"] == 2 and applied["notices_released"] > 0
    out = cli.json("notices", "export", "--out", str(tmp_path / "notices.csv"))
    assert out["notices"] > 0
    text = (tmp_path / "notices.csv").read_text(encoding="utf-8")
    assert RIC not in text and "HT1234567" not in text and "IQ5550001" not in text
    assert "110105" not in text  # not even a masked form
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")
    kinds = {r["kind"] for r in csv.DictReader((tmp_path / "notices.csv").open(encoding="utf-8"))}
    assert "suspension" in kinds

    # the next real list version delists IQi.074: the flag resting only on it gets a lift proposal
    con = connect(cli.db)
    version = load_list(con, UN_2026)
    con.close()
    changes = cli.json("alerts", "ingest", "--list-version", str(version))
    assert changes["lift_proposals"] == 1
    [lift] = cli.json("flags", "list", "--state", "lift_proposed")
    assert lift["account_id"] == "P3" and "IQi.074" in lift["lift_reason"]
    # lifting is four-eyes too
    d = cli.json("flags", "lift", str(lift["flag_id"]), "--officer", "ann", "--reason", "DELISTED", "--note", "UN delisting")
    cli.run("decisions", "approve", str(d["decision_id"]), "--officer", "ann", code=7)
    cli.run("decisions", "approve", str(d["decision_id"]), "--officer", "bob")
    assert [f["state"] for f in cli.json("flags", "list") if f["flag_id"] == lift["flag_id"]] == ["lifted"]

    # rescreen against the new version: P2's suppression holds (CDi.001 unchanged), P1 stays open
    again = cli.json("screen", "--accounts", str(accounts))
    assert again["alerts"]["suppressed"] == 1 and again["alerts"]["alerts_opened"] == 0
    assert [a for a in cli.json("alerts", "list", "--account", "P2")] == []

    verified = cli.json("audit", "verify")
    assert verified["ok"], verified
    trail = cli.json("audit", "P3")
    assert {(d["outcome"], d["maker"], d["checker"]) for d in trail["decisions"]} == {
        ("true_match", "dan", "bob"), ("lift", "ann", "bob")}
    assert trail["screening_runs"] and trail["screening_runs"][0]["list_versions"]
    assert json.dumps(trail).count("IQi.074") > 0
