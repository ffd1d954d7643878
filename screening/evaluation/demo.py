"""The main job on the embedded default: `make demo` is the nightly chain, fed with a synthetic account
base in which real list entries are hidden.

Why it is built like this: the demo must show what the service does every night, not a hand-made
sequence of its own. So it runs the chain's own commands, as an operator's cron would: the chain's first
job (`lists.refresh`, offline: the bundled dated snapshots, loudly labelled) loads the lists; synthetic
accounts with planted list entries are dropped in the accounts inbox; `screening nightly --offline` then
imports them (eligibility on the way in), screens, alerts, re-evaluates eligibility and writes the report.
The demo itself only reads the store afterwards: how many planted entries were found, where the report
is, and what an officer does next. (jobs/ sits above this package, so it is reached through the command,
never imported.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from screening import exc, settings
from screening.evaluation.planting import LABEL_COLUMNS, plant_matches, planted_recall
from screening.store import connect

DEMO_ACCOUNTS = 20_000
DEMO_PLANTED = 60
INBOX_FILE = "demo-accounts.csv"
NEXT_STEPS = 3  # what the demo's last lines show of the report's next steps


def list_status(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The lists in force: source, publisher date, whether it is the bundled snapshot, counts."""
    return con.sql(
        """SELECT source, publisher_date, is_snapshot, complete, entry_count, name_count, loaded_at
           FROM current_versions ORDER BY source"""
    ).pl().to_dicts()


def snapshot_banner(lists: list[dict[str, Any]]) -> str:
    """A loud note when any list in force is the bundled snapshot: those are dated, not today's lists."""
    dated = [r for r in lists if r.get("is_snapshot")]
    if not dated:
        return ""
    rule = "!" * 78
    lines = [rule, "!! DATED SNAPSHOTS: these are the lists bundled with the code, NOT the lists in force",
             "!! today. Run `screening lists refresh` (online) before screening for real.", rule]
    for r in dated:
        lines.append(f"!!   {r['source']:<14} as of {r['publisher_date']}  ({r['entry_count']:>6} entries"
                     f"{'' if r.get('complete', True) else ', INCOMPLETE'})")
    lines.append(rule)
    return "\n".join(lines)


def run_demo(db: Path, *, out_dir: Path, n: int = DEMO_ACCOUNTS, planted: int = DEMO_PLANTED, seed: int = 2026,
             say: Callable[[str], None] = print, quiet_commands: bool = False) -> dict[str, Any]:
    """Lists → planted accounts in the inbox → the nightly chain → what the store says happened.

    `say` gets the progress lines; the chain's own output goes to the terminal (to stderr when
    `quiet_commands`, so a --json caller's stdout stays JSON). Returns the summary (`summary_text`)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    say("[1/3] Loading the bundled dated lists: the chain's first job, lists.refresh --offline …")
    # a minute or two on a fresh store: its log lines (a line per list loaded) are the progress
    if _command(db, ["jobs", "run", "lists.refresh", "--offline"], quiet_commands, log_level="INFO"):
        raise exc.ListRefused("the bundled lists could not all be loaded, so the demo stops before screening: "
                              "`screening jobs history lists.refresh` says why")
    timings["lists"] = time.perf_counter() - started

    started = time.perf_counter()
    con = connect(db)
    try:
        lists = list_status(con)
        banner = snapshot_banner(lists)
        if banner:
            say(banner)
        say(f"[2/3] Building {n:,} synthetic accounts, {planted} of them with a real list entry hidden under a "
            "variant spelling …")
        labels, inbox_file = drop_accounts(con, db, n=n, planted=planted, seed=seed)
    finally:
        con.close()
    labels_file = out_dir / "demo_accounts_planted.csv"
    labels_file.parent.mkdir(parents=True, exist_ok=True)
    labels.write_csv(labels_file)
    timings["accounts"] = time.perf_counter() - started
    say(f"      {inbox_file} (which accounts hide an entry: {labels_file})")

    started = time.perf_counter()
    say("[3/3] The nightly chain, as the service runs it: screening nightly --offline …")
    exit_code = _command(db, ["nightly", "--offline"], quiet_commands)
    timings["nightly"] = time.perf_counter() - started

    con = connect(db, read_only=True)
    try:
        result = outcome(con, labels)
    finally:
        con.close()
    return {**result, "lists": lists, "accounts": n, "planted": planted, "inbox_file": str(inbox_file),
            "labels_file": str(labels_file), "exit_code": exit_code,
            "seconds": {k: round(v, 1) for k, v in timings.items()}}


def drop_accounts(con: duckdb.DuckDBPyConnection, db: Path, *, n: int, planted: int,
                  seed: int) -> tuple[pl.DataFrame, Path]:
    """Write the synthetic base (list entries planted from the store's lists) into the accounts inbox,
    whole and already settled; return the labels (account_id, planted_*) and the file."""
    from screening.accounts import write_accounts
    from screening.evaluation.synth import synth_accounts

    accounts = plant_matches(synth_accounts(n, seed), con, n=planted, seed=seed)
    inbox = settings.accounts_inbox_for(db)
    target = inbox / INBOX_FILE
    partial = inbox / f".{INBOX_FILE}.part.csv"  # the import job ignores hidden files
    write_accounts(accounts.drop(LABEL_COLUMNS), partial)
    settled = time.time() - 60  # the import job leaves files younger than a few seconds alone
    os.utime(partial, (settled, settled))
    partial.replace(target)
    return accounts.select("account_id", *LABEL_COLUMNS), target


def _command(db: Path, args: list[str], quiet: bool, log_level: str | None = None) -> int:
    """`screening --db DB ARGS…` in a child process (the chain's own entry point), its output shown."""
    command = [sys.executable, "-m", "screening", "--db", str(db), *args]
    env = {**os.environ, settings.LOG_LEVEL_ENV: log_level} if log_level else None
    return subprocess.run(command, stdout=sys.stderr if quiet else None, env=env, check=False).returncode


def outcome(con: duckdb.DuckDBPyConnection, labels: pl.DataFrame) -> dict[str, Any]:
    """What the store recorded: planted entries found by the last full screen (alerted: needs review or
    likely match), a few of them with the matcher's reasons, and the last report with its next steps."""
    run = con.execute("SELECT max(run_id) FROM screening_runs WHERE kind = 'full' AND status = 'finished'").fetchall()[0][0]
    hits = con.sql("""SELECT account_id, source, source_id, query_name, matched_name, score, reasons
                      FROM screening_hits WHERE run_id = $run AND band <> 'low'""", params={"run": run}).pl()
    found = planted_recall(labels, hits, 0.0)
    examples = (hits.join(labels, left_on=["account_id", "source", "source_id"],
                          right_on=["account_id", "planted_source", "planted_source_id"])
                .sort(["score", "account_id"], descending=[True, False])
                .unique("planted_variation", keep="first", maintain_order=True).head(3))
    report = con.execute("SELECT outputs FROM job_runs WHERE job_id = 'report.nightly' AND status = 'succeeded' "
                         "ORDER BY run_id DESC LIMIT 1").fetchall()
    return {"screening_run_id": run, "planted_by_variation": found.to_dicts(),
            "planted_found": int(found["found"].sum()) if found.height else 0,
            "examples": examples.to_dicts(), "report": json.loads(report[0][0]) if report else None}


def summary_text(s: dict[str, Any]) -> str:
    """The closing lines: planted entries found, then the report and the officer's next steps."""
    lines = [""]
    if s["planted"]:
        lines.append(f"Planted list entries the nightly full screen put in front of an officer: {s['planted_found']} / "
                     f"{s['planted']} (run {s['screening_run_id']}).")
        missed = [r for r in s["planted_by_variation"] if r["found"] < r["planted"]]
        if missed:
            lines.append("  missed, by spelling variant: " + ", ".join(
                f"{r['planted_variation']} {r['planted'] - r['found']}" for r in missed))
        for h in s["examples"]:
            lines.append(f"  {h['score']:.3f}  {h['account_id']}  {h['query_name']!r} ~ {h['matched_name']!r} "
                         f"[{h['source']}:{h['source_id']}, planted as {h['planted_variation']}]")
            lines.append(f"         {reasons_text(h['reasons'])}")
    seconds = s.get("seconds", {})
    if seconds:
        lines.append(f"Took {sum(seconds.values()):.0f} s: lists {seconds['lists']:.0f} s, accounts "
                     f"{seconds['accounts']:.0f} s, nightly chain {seconds['nightly']:.0f} s.")
    report = s["report"]
    if report is None:
        lines.append("No report was written: see `screening jobs history report.nightly`.")
    else:
        lines.append(f"Report: {report['html']}")
        if report.get("next_steps"):
            lines.append("What an officer does next:")
            lines += [f"  {i}. {step}" for i, step in enumerate(report["next_steps"][:NEXT_STEPS], 1)]
    if s["exit_code"]:
        lines.append(f"A step of the nightly chain failed (exit {s['exit_code']}): `screening jobs history`.")
    return "\n".join(lines)


def reasons_text(reasons: Any) -> str:
    """A hit's machine-readable reasons as one line: name score and route, then each qualifier."""
    data = json.loads(reasons) if isinstance(reasons, str) else reasons
    if not isinstance(data, dict):
        return str(data)
    parts = []
    name = data.get("name") or {}
    if name:
        parts.append(f"name {name.get('score', 0):.3f} via {name.get('route', '?')} ({name.get('name_type', '?')}): "
                     f"{name.get('alignment', '')}")
    if data.get("features"):
        from screening.matching.explain import format_steps

        parts.append(format_steps(data["features"]))
    return " · ".join(parts) if parts else json.dumps(data, ensure_ascii=False)
