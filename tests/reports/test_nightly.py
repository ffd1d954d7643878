"""The report's snapshot, files and record on the fixture store (real lists, real runs; hostile names)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reports import nightly, render
from screening.cli import main
from screening.store import connect
from tests.conftest import FIXTURES

GOLDEN = json.loads((FIXTURES / "reports" / "golden_structure.json").read_text(encoding="utf-8"))
GOLDEN_WORKFLOW = json.loads((FIXTURES / "reports" / "golden_workflow.json").read_text(encoding="utf-8"))


def _structure(snapshot: dict) -> dict:
    out = {s["key"]: {p["key"]: ({"rows": p["count"]} if p["available"] else {"missing": p["missing"]})
                      for p in s["parts"]} for s in snapshot["sections"]}
    out["checks"] = {c["check"]: c["status"] for c in snapshot["checks"]}
    out["next_steps"] = [[s["step"], s["count"]] for s in snapshot["next_steps"]]
    return out


def test_golden_structure(report_store: Path) -> None:
    con = connect(report_store)
    snapshot = nightly.build(con, nightly.today())
    assert [s["key"] for s in snapshot["sections"]] == [
        "waiting", "changes", "eligibility", "sla", "backlog", "trends", "certificate"]
    assert _structure(snapshot) == GOLDEN
    assert json.loads(json.dumps(snapshot)) == snapshot  # plain JSON all the way down


def test_golden_structure_with_the_officers_workflow(workflow_store: Path) -> None:
    con = connect(workflow_store)
    snapshot = nightly.build(con, nightly.today())
    assert _structure(snapshot) == GOLDEN_WORKFLOW
    figures = snapshot["figures"]
    # 9 alerts opened (2 sanctions, 7 eligibility), R10 closed as a true match and R07 as a false positive
    assert (figures["alerts_opened"], figures["alerts_closed"], figures["backlog"]) == (9, 2, 7)
    assert figures["false_positive_share"] == 0.5


def test_certificate_figures_reverify_against_the_store(report_store: Path) -> None:
    con = connect(report_store)
    snapshot = nightly.build(con, nightly.today())
    parts = {p["key"]: p for s in snapshot["sections"] for p in s["parts"]}
    lists = con.execute("SELECT source, sha256, entry_count FROM current_versions ORDER BY source").fetchall()
    assert [(r["source"], r["sha256"], r["entry_count"]) for r in parts["cert_lists"]["rows"]] == lists
    (run,) = parts["cert_runs"]["rows"]
    ids = [r[0] for r in con.execute("SELECT account_id FROM accounts ORDER BY account_id").fetchall()]
    assert run["population"] == len(ids) == 10
    assert run["population_sha256"] == hashlib.sha256("\n".join(ids).encode()).hexdigest()
    # each part's printed query, run with its printed parameters, gives the printed rows
    again = con.sql(parts["cert_lists"]["sql"], params={k: dt.datetime.fromisoformat(v)
                                                        for k, v in parts["cert_lists"]["params"].items()}).fetchall()
    assert len(again) == len(parts["cert_lists"]["rows"])


def test_written_report_is_recorded_and_safe(report_store: Path, tmp_path: Path) -> None:
    con = connect(report_store)
    report = render.write(con, nightly.today(), tmp_path / "out", lang="en")
    html = report.html.read_text(encoding="utf-8")
    recorded = con.execute("SELECT html_sha256, snapshot_sha256, for_date FROM reports WHERE report_id = ?",
                           [report.report_id]).fetchall()[0]
    assert recorded[0] == hashlib.sha256(report.html.read_bytes()).hexdigest()
    assert recorded[1] == hashlib.sha256(report.snapshot.read_bytes()).hexdigest()
    assert recorded[1] in html and recorded[2] == nightly.today()
    # hostile names are text, never markup; nothing external; no bidi control; IDs masked
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;script&gt;alert(" in html
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", html)
    assert "11010519491231002X" not in html and "110105********002X" in html
    assert re.findall(r"(?:src|href)=\"(?!#)([^\"]+)\"", html) == [p.name for p in report.exports.values()]
    assert not re.search(r"url\(|@import|https?://(?!www\.w3\.org/)", html)
    assert re.search(r'<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;', html)
    # every part the store cannot answer yet says so in the page
    for section in report.data["sections"]:
        for part in section["parts"]:
            if not part["available"]:
                assert f'data-part="{part["key"]}" data-available="no"' in html
                assert f"this store has no {', '.join(part['missing'])} yet" in html


def test_csv_exports_neutralise_formulas_and_mask(report_store: Path, tmp_path: Path) -> None:
    con = connect(report_store)
    report = render.write(con, nightly.today(), tmp_path / "out", lang="zh")
    # every exported table the store has is written, empty ones with their headers only
    assert {"list_change_entries", "findings", "unscreened"} <= set(report.exports)
    with report.exports["findings"].open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 10
    names = {r["account_id"]: r["name"] for r in rows}
    assert names["R09"] == "'@SUM(A1:A9) 赵六"  # a spreadsheet would have run it
    assert names["R05"] == "王五 110105********002X"
    stored = con.execute("SELECT name FROM accounts WHERE account_id = 'R04'").fetchall()[0][0]
    assert names["R04"] == stored.strip() and not re.search("[\u202a-\u202e\u2066-\u2069]", names["R04"])
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_period_and_trends_follow_earlier_reports(report_store: Path, tmp_path: Path) -> None:
    con = connect(report_store)
    today = nightly.today()
    first = render.write(con, today - dt.timedelta(days=1), tmp_path / "a", lang="en")
    second = render.write(con, today, tmp_path / "b", lang="en")
    assert second.data["period"]["start"] == first.data["period"]["end"]
    trend = second.data["trends"]
    assert [t["for_date"] for t in trend] == [(today - dt.timedelta(days=1)).isoformat(), today.isoformat()]
    # the fixture store was filled today: yesterday's report sees none of it (no list in force, no
    # hits), today's sees all of it, and today's trend carries yesterday's recorded figures
    assert trend[0]["list_entries"] == {} and trend[0]["hits"] == 0
    assert trend[1]["list_entries"] == {"cn_sanctions": 610, "un_sc": 1003} and trend[1]["hits"] == 2


def test_missing_table_is_shown_not_fatal(report_store: Path, tmp_path: Path) -> None:
    con = connect(report_store)
    con.execute("DROP TABLE eligibility_reasons")
    report = render.write(con, nightly.today(), tmp_path / "out", lang="zh")
    parts = {p["key"]: p for s in report.data["sections"] for p in s["parts"]}
    assert parts["findings"]["available"] is False and parts["findings"]["missing"] == ["eligibility_reasons"]
    html = report.html.read_text(encoding="utf-8")
    assert "本库尚无 eligibility_reasons" in html
    assert "findings" not in report.exports


def test_cli_writes_the_report(report_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = CliRunner().invoke(main, ["--db", str(report_store), "report", "--out", str(out), "--lang", "en",
                                       "--steps", "2"])
    assert result.exit_code == 0, result.output
    assert f"{out / 'report.html'}" in result.output and "What to do next:" in result.output
    assert "  2. " in result.output and "  3. " not in result.output  # the fixture has four steps
    assert "likely match" in result.output and "block_review" not in result.output
    assert (out / "report.html").exists() and (out / "snapshot.json").exists()


def test_cli_verifies_a_report_file(report_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    assert CliRunner().invoke(main, ["--db", str(report_store), "report", "--out", str(out)]).exit_code == 0
    ok = CliRunner().invoke(main, ["--db", str(report_store), "report", "--verify", str(out / "report.html")])
    assert ok.exit_code == 0 and "report 1 for" in ok.output
    html = out / "report.html"
    html.write_bytes(html.read_bytes().replace("ERIC BADEGE".encode(), b"ERIC BADEGF"))
    tampered = CliRunner().invoke(main, ["--db", str(report_store), "report", "--verify", str(html)])
    assert tampered.exit_code == 6 and "not a report recorded in this store" in tampered.output


def test_a_second_report_of_the_day_keeps_the_first(report_store: Path) -> None:
    """Run twice on one day with the default folder: the first report's file stays as the store recorded it."""
    first = CliRunner().invoke(main, ["--db", str(report_store), "report", "--json"])
    second = CliRunner().invoke(main, ["--db", str(report_store), "report", "--json"])
    assert first.exit_code == 0 and second.exit_code == 0, (first.output, second.output)
    html_1, html_2 = (Path(json.loads(r.output)["html"]) for r in (first, second))
    assert html_1.parent != html_2.parent and html_2.parent.name == f"{html_1.parent.name}.2"
    for html, report_id in ((html_1, 1), (html_2, 2)):
        ok = CliRunner().invoke(main, ["--db", str(report_store), "report", "--verify", str(html)])
        assert ok.exit_code == 0 and f"report {report_id} for" in ok.output


@pytest.mark.parametrize("args, code", [(["--date", "2999-01-01"], 2), (["--lang", "fr"], 2)])
def test_cli_refuses_bad_input(report_store: Path, tmp_path: Path, args: list[str], code: int) -> None:
    result = CliRunner().invoke(main, ["--db", str(report_store), "report", "--out", str(tmp_path), *args])
    assert result.exit_code == code
    assert "Traceback" not in result.output


def test_every_part_and_column_has_words(report_store: Path) -> None:
    """A table the store gains later (alerts, jobs) still has a title and column names in both languages."""
    from reports.labels import LABELS
    from reports.queries import PARTS

    con = connect(report_store)
    snapshot = nightly.build(con, nightly.today())
    shown = {c for s in snapshot["sections"] for p in s["parts"] for c in p["columns"]}
    # columns of parts the fixture cannot answer: read from their SELECT lists
    for part in PARTS.values():
        sql = part.sql.lstrip()
        head = sql.split(" FROM ")[0] if sql.startswith("SELECT") else sql.rsplit("SELECT", 1)[1]
        plain = re.findall(r"(?:SELECT|,)\s*([\w.]+)\s*(?=,|$|\n)", head)
        shown |= set(re.findall(r"AS (\w+)", head)) | {m.split(".")[-1] for m in plain}
    for lang in ("en", "zh"):
        words = LABELS[lang]
        assert set(PARTS) <= set(words["parts"])
        assert {s["key"] for s in snapshot["sections"]} <= set(words["sections"])
        assert not [c for c in shown if c not in words["columns"]], lang
        assert {c["check"] for c in snapshot["checks"]} <= set(words["checks"])


def test_times_are_shown_on_the_officers_clock_with_the_zone_stated(workflow_store: Path, tmp_path: Path) -> None:
    """The store keeps UTC; the page shows Asia/Shanghai and says so; the CSV carries the offset."""
    con = connect(workflow_store)
    report = render.write(con, nightly.today(), tmp_path / "out", lang="en")
    html = report.html.read_text(encoding="utf-8")
    assert "all times Asia/Shanghai (UTC+8)" in html
    opened = con.execute("SELECT opened_at FROM alerts WHERE state <> 'auto_suppressed' ORDER BY alert_id "
                         "LIMIT 1").fetchall()[0][0]
    shanghai = opened + dt.timedelta(hours=8)
    assert f'<td class="c-opened_at">{shanghai:%Y-%m-%d %H:%M}</td>' in html
    assert f'<td class="c-opened_at">{opened:%Y-%m-%d %H:%M}</td>' not in html
    start = dt.datetime.fromisoformat(report.data["period"]["start"]) + dt.timedelta(hours=8)
    assert f"{start:%Y-%m-%d %H:%M} –" in html  # the period line
    with report.exports["new_alerts"].open(encoding="utf-8", newline="") as f:
        first = next(csv.DictReader(f))
    assert first["opened_at"].endswith("+08:00")
    assert dt.datetime.fromisoformat(first["opened_at"]) == opened.replace(microsecond=0, tzinfo=dt.timezone.utc)


def test_cells_use_the_officers_words_not_internal_names(workflow_store: Path, tmp_path: Path) -> None:
    con = connect(workflow_store)
    states = {r[0] for r in con.execute("SELECT DISTINCT state FROM alerts").fetchall()}
    actions = {r[0] for r in con.execute("SELECT DISTINCT policy_action FROM alerts").fetchall()}
    report = render.write(con, nightly.today(), tmp_path / "out", lang="en")
    cells = set(re.findall(r'<td class="c-(?:band|state|policy_action|severity|basis)">([^<]*)</td>',
                           report.html.read_text(encoding="utf-8")))
    assert {"likely match", "needs review", "open", "an account file, as imported"} <= cells
    internal = states | actions | {"block_review", "review", "low", "import", "stored"}
    assert not (cells & (internal - {"open"})), cells & internal  # `open` is the same word for both
