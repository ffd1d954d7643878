"""`screening bench`: throughput, memory, index build and lookup latency, against a naive baseline.

Why subprocesses: each phase runs in a fresh Python process so its peak RSS is its own (not the
previous phase's), and so a crash or an out-of-memory in one size does not hide the others. Inside a
phase the kernel's peak-RSS mark (VmHWM) is reset just before the timed part (`/proc/self/clear_refs`),
so `peak_rss_mb` covers what the timed part held resident, including inputs already in memory (the
account frame); `process_peak_rss_mb` is the whole child (synthesis included) from getrusage.

The bench works on a copy of the store in a temporary folder: its runs, hits and index rows never
land in the caller's store.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

RESULT_PREFIX = "BENCH_RESULT "
BASELINE_REPEATS = 5  # token_sort runs timed (its median counts)

PROFILES = ("platform", "distinct")
# What the issues ask; checked against the measured values. The platform base repeats names (about
# 420,000 distinct in a million); on the distinct one almost every name is new and scripts are mixed.
TARGETS = {
    "accounts_1m_seconds": ("<=", 60.0),
    "accounts_1m_peak_rss_gb": ("<=", 4.0),
    "lookup_p99_ms": ("<=", 10.0),
    "lookup_p50_ms": ("<=", 2.0),
    "index_build_seconds": ("<=", 30.0),
}
TARGETS_DISTINCT = {
    "accounts_per_second": (">=", 10_000.0),
    "speedup_vs_token_sort": (">=", 10.0),
    "accounts_1m_peak_rss_gb": ("<=", 4.0),
    "lookup_p99_ms": ("<=", 5.0),
}


# ---------------------------------------------------------------------------------------------
# memory probes (Linux /proc; getrusage elsewhere)


def _status_kb(field: str) -> int | None:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    m = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else None


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark to the current RSS; False when the platform cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def rss_mb() -> float | None:
    kb = _status_kb("VmRSS")
    return kb / 1024 if kb is not None else None


def peak_rss_mb() -> float:
    kb = _status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024


def process_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class PeakRss:
    """Peak resident memory of this process and its descendants (the screen's worker processes; the JVM
    and Spark's Python workers), sampled every half second from /proc: what the machine had to hold, not
    one process's share."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, _tree_rss_mb(os.getpid()))
            if self._stop.wait(0.5):
                return


def _tree_rss_mb(root: int) -> float:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1]: ppid
        rss[pid] = int(fields[21])  # pages
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


# ---------------------------------------------------------------------------------------------
# phases (each runs in a child process)


def _config() -> Any:
    from screening.matching import MatchConfig

    return MatchConfig()


def _accounts(n: int, seed: int, profile: str = "platform") -> tuple[Any, float]:
    """Synthetic accounts of a profile as the import would hand them over (canonical columns), and the
    seconds it took."""
    from screening.accounts import normalise_accounts
    from screening.evaluation.synth import synth_accounts
    from screening.evaluation.synth_distinct import distinct_accounts

    started = time.perf_counter()
    synth = distinct_accounts if profile == "distinct" else synth_accounts
    accounts = normalise_accounts(synth(n, seed)).accounts
    return accounts, time.perf_counter() - started


def phase_index(db: Path, **_: Any) -> dict[str, Any]:
    """Build the list-side index of every version in force from scratch, then load it into memory."""
    from screening.store import connect
    from screening.matching.index import load_index
    from screening.matching.index_store import ensure_index

    con = connect(db)
    config = _config()
    reset_peak_rss()
    started = time.perf_counter()
    ensure_index(con, config)
    built = time.perf_counter() - started
    started = time.perf_counter()
    index = load_index(con, config)
    loaded = time.perf_counter() - started
    names = con.execute("SELECT count(*) FROM current_names").fetchall()[0][0]
    return {"build_seconds": built, "load_seconds": loaded, "list_names": names,
            "index_units": len(getattr(index, "units", []) or []), "peak_rss_mb": peak_rss_mb(),
            "process_peak_rss_mb": process_peak_rss_mb()}


def phase_screen(db: Path, n: int, seed: int, profile: str = "platform", **_: Any) -> dict[str, Any]:
    """Screen n synthetic accounts against all lists as one full run (hits at or above the low band)."""
    from screening.store import connect
    from screening.matching import get_index
    from screening.runs import screen_accounts

    con = connect(db)
    config = _config()
    accounts, synth_seconds = _accounts(n, seed, profile)
    before = rss_mb()
    reset_peak_rss()
    started = time.perf_counter()
    get_index(con, config)  # the stored index into memory (once per process; cached for the run)
    loaded = time.perf_counter() - started
    with PeakRss() as tree:  # the screen's worker processes hold their own index and chunks
        result = screen_accounts(con, accounts, kind="full", min_score=config.low, config=config)
    elapsed = time.perf_counter() - started
    hits = result.hits
    return {
        "accounts": accounts.height,
        "distinct_names": accounts.select("name").n_unique(),
        "synth_seconds": synth_seconds,
        "index_load_seconds": loaded,
        "seconds": elapsed,  # index load + screen + storing the run and its hits
        "screen_seconds": elapsed - loaded,
        "accounts_per_second": accounts.height / elapsed if elapsed else None,
        "accounts_per_second_warm": accounts.height / (elapsed - loaded) if elapsed > loaded else None,
        "hits": hits.height,
        "alerted_accounts": hits.filter(hits["score"] >= config.review)["account_id"].n_unique(),
        # candidate pairs are distinct (account-side form, listed form) pairs
        "candidates_per_account": result.stats.get("candidates", 0) / max(1, accounts.height),
        "scored_per_account": result.stats.get("scored", 0) / max(1, accounts.height),
        "rss_before_mb": before,
        "peak_rss_mb": peak_rss_mb(),
        "process_peak_rss_mb": process_peak_rss_mb(),
        "workers_peak_rss_mb": tree.peak_mb,
    }


def phase_lookup(db: Path, calls: int, seed: int, profile: str = "platform", **_: Any) -> dict[str, Any]:
    """Time `calls` registration lookups one by one (names from the synthetic base, some of them listed)."""
    import polars as pl

    from screening.store import connect
    from screening.evaluation.metrics import latency
    from screening.evaluation.planting import plant_matches
    from screening.registration import lookup
    from screening.registration import get_screener

    con = connect(db)
    accounts, _ = _accounts(calls, seed, profile)
    accounts = plant_matches(accounts, con, n=max(1, calls // 20), seed=seed)
    con.close()  # lookup() opens the store itself, as the registration service would
    rows = accounts.select("subject_type", "name", "birth_date", "country").to_dicts()
    started = time.perf_counter()
    get_screener(db).warm()  # loads the index (what a service does at start)
    warmup = time.perf_counter() - started
    durations = []
    reset_peak_rss()
    for row in rows:
        t0 = time.perf_counter()
        lookup(row["name"], subject_type=row["subject_type"], birth_date=row["birth_date"], country=row["country"],
               db=db)
        durations.append(time.perf_counter() - t0)
    lat = latency(durations)
    return {"calls": lat.calls, "warmup_seconds": warmup, "p50_ms": lat.p50_ms, "p90_ms": lat.p90_ms,
            "p99_ms": lat.p99_ms, "max_ms": lat.max_ms, "mean_ms": lat.mean_ms,
            "listed_share": accounts.filter(pl.col("planted_source").is_not_null()).height / max(1, accounts.height),
            "peak_rss_mb": peak_rss_mb()}


def _simple_norm(text: str | None) -> str:
    """The naive baseline's normalisation: ASCII transliteration, lower case, punctuation to spaces."""
    from anyascii import anyascii

    return " ".join(re.sub(r"[^a-z0-9]+", " ", anyascii(text or "").lower()).split())


def phase_baseline(db: Path, n: int, seed: int, profile: str = "platform", **_: Any) -> dict[str, Any]:
    """Brute force: sampled account names against every list name with rapidfuzz, no blocking.

    Two scorers: WRatio (rapidfuzz's default, what `process.extract` uses: the naive choice) on `n`
    accounts, and token_sort_ratio (the cheapest order-free scorer) on 5·n accounts. token_sort takes about a
    second, where this machine's speed drifts by a third between minutes: it is timed BASELINE_REPEATS times
    and its median counts (the spread is kept).
    """
    from rapidfuzz import fuzz, process

    from screening.store import connect

    con = connect(db, read_only=True)
    choices = [_simple_norm(r[0]) for r in con.execute("SELECT DISTINCT name FROM current_names").fetchall()]
    con.close()
    accounts, _ = _accounts(5 * n, seed, profile)
    queries = [_simple_norm(x) for x in accounts["name"].to_list()]
    reset_peak_rss()
    out: dict[str, Any] = {"list_names": len(choices), "scorers": {}}
    for scorer, sample, repeats in ((fuzz.WRatio, queries[:n], 1), (fuzz.token_sort_ratio, queries, BASELINE_REPEATS)):
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            matrix = process.cdist(sample, choices, scorer=scorer, score_cutoff=80, workers=-1, dtype="uint8")
            times.append(time.perf_counter() - started)
        elapsed = statistics.median(times)
        out["scorers"][scorer.__name__] = {
            "accounts": len(sample), "seconds": elapsed, "runs": len(times),
            "seconds_min": min(times), "seconds_max": max(times),
            "accounts_per_second": len(sample) / elapsed if elapsed else None,
            "pairs_scored": len(sample) * len(choices), "pairs_over_80": int((matrix > 0).sum()),
        }
    out["peak_rss_mb"] = peak_rss_mb()
    return out


PHASES = {"index": phase_index, "screen": phase_screen, "lookup": phase_lookup, "baseline": phase_baseline}


def run_phase(phase: str, db: Path, timeout: float = 1800, **params: Any) -> dict[str, Any]:
    """Run one phase in a child process and return its measurements (or the error it died with)."""
    cmd = [sys.executable, "-m", "screening.evaluation.bench", phase, "--db", str(db)]
    for key, value in params.items():
        cmd += [f"--{key}", str(value)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    wall = time.perf_counter() - started
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            out = json.loads(line[len(RESULT_PREFIX):])
            out["child_wall_seconds"] = wall
            return out
    return {"error": f"exit {proc.returncode}", "stderr": proc.stderr[-2000:], "child_wall_seconds": wall}


# ---------------------------------------------------------------------------------------------
# the whole bench


def run_bench(db: Path, *, sizes: Sequence[int] = (100_000, 1_000_000), lookups: int = 10_000,
              baseline_sample: int = 300, seed: int = 0, profile: str = "platform",
              workdir: Path | None = None) -> dict[str, Any]:
    """All phases on a private copy of the store; a JSON-able report with targets checked."""
    from lists.refresh import ensure_lists
    from screening.evaluation.demo import list_status
    from screening.store import connect

    con = connect(db)
    ensure_lists(con, db)
    lists = list_status(con)
    con.close()
    tmp = Path(tempfile.mkdtemp(prefix="screening-bench-", dir=workdir))
    try:
        copy = tmp / "bench.duckdb"
        shutil.copyfile(db, copy)
        _drop_index(copy)  # the index phase measures a build from scratch
        report: dict[str, Any] = {
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "profile": profile,
            "lists": lists,
            "index": run_phase("index", copy),
            "screen": [run_phase("screen", copy, n=n, seed=seed, profile=profile) for n in sizes],
            "lookup": run_phase("lookup", copy, calls=lookups, seed=seed, profile=profile) if lookups else None,
            "baseline": (run_phase("baseline", copy, n=baseline_sample, seed=seed, profile=profile)
                         if baseline_sample else None),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    screens = [s for s in report["screen"] if "error" not in s]
    base = (report["baseline"] or {}).get("scorers") or {}
    if screens and base:
        best = max(screens, key=lambda s: s["accounts"])
        report["speedup_vs_baseline"] = {name: best["accounts_per_second"] / b["accounts_per_second"]
                                         for name, b in base.items() if b.get("accounts_per_second")}
    report["targets"] = check_targets(report)
    report["notes"] = [
        "seconds / accounts/s: loading the stored list index into memory + screen_accounts() (a full run, hits "
        "kept from the low band up, run and hits stored); synthesis and import excluded. 'warm' leaves the index "
        "load out (a long-lived process). The 1M target is checked on the cold figure.",
        "peak_rss_mb: the kernel's peak-RSS mark reset just before the timed part (inputs already resident count); "
        "process_peak_rss_mb: the whole child process, synthesis included; workers_peak_rss_mb: the screen's "
        "process and its worker processes together (sampled every half second), which the 1M memory target "
        "takes when it is the larger.",
        "index: ensure_index() from an empty index (build_seconds) plus load_index() into memory (load_seconds: "
        "assembling it and writing the assembled index file, index-cache/ beside the store); the screen phases' "
        "index_load_seconds read that file, as a process started after a list refresh does.",
        "baseline: brute-force rapidfuzz cdist of sampled account names against every distinct list name (simple "
        "anyascii/lower-case normalisation, cutoff 80, both cores) with WRatio (rapidfuzz's default scorer) and "
        "token_sort_ratio (the cheapest order-free one; the median of five runs, a run being about a second), on "
        "accounts of the same profile, in the same run; "
        "speed-up = matcher accounts/s (cold, largest size) over the baseline's.",
        "candidates/acct: distinct (account-side form, listed form) pairs the blocking found per account; "
        "scored/acct: those left after the bound (plus identifier and fallback pairs), which the scorer takes; it "
        "aligns only those its screen (kernels.pairs_may_reach) cannot rule out from per-token data.",
        "profile platform: the synthetic Chinese platform base (names repeat as in life); profile distinct: "
        "almost every name new, Latin of many languages, Cyrillic, Arabic, Han, Hangul, kanji and katakana.",
    ]
    return report


def _drop_index(db: Path) -> None:
    """Remove stored index rows from the bench copy so the index phase builds from scratch."""
    import duckdb

    con = duckdb.connect(str(db))
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for table in ("match_index_forms", "match_index_keys", "match_index_builds"):
            if table in tables:
                con.execute(f"DELETE FROM {table}")
    finally:
        con.close()


def check_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    measured: dict[str, float] = {}
    screens = [s for s in report.get("screen") or [] if "error" not in s]
    if screens:
        measured["accounts_per_second"] = max(screens, key=lambda s: s["accounts"])["accounts_per_second"]
    if "token_sort_ratio" in (report.get("speedup_vs_baseline") or {}):
        measured["speedup_vs_token_sort"] = report["speedup_vs_baseline"]["token_sort_ratio"]
    for s in report.get("screen") or []:
        if s.get("accounts") == 1_000_000 and "error" not in s:
            measured["accounts_1m_seconds"] = s["seconds"]
            measured["accounts_1m_peak_rss_gb"] = max(s["process_peak_rss_mb"], s.get("workers_peak_rss_mb", 0)) / 1024
    lk = report.get("lookup") or {}
    if "p99_ms" in lk:
        measured["lookup_p99_ms"] = lk["p99_ms"]
        measured["lookup_p50_ms"] = lk["p50_ms"]
    ix = report.get("index") or {}
    if "build_seconds" in ix:
        measured["index_build_seconds"] = ix["build_seconds"] + ix.get("load_seconds", 0.0)
    out = []
    for key, (op, goal) in (TARGETS_DISTINCT if report.get("profile") == "distinct" else TARGETS).items():
        if key in measured:
            value = measured[key]
            out.append({"target": key, "value": round(value, 3), "goal": f"{op} {goal}",
                        "met": value <= goal if op == "<=" else value >= goal})
    return out


def bench_text(report: dict[str, Any]) -> str:
    """The bench report for people."""
    from screening.evaluation.cli import format_table
    from screening.evaluation.demo import snapshot_banner

    out = []
    banner = snapshot_banner(report.get("lists", []))
    if banner:
        out += [banner, ""]
    names = sum(r.get("name_count") or 0 for r in report.get("lists", []))
    out.append(f"Lists: {len(report.get('lists', []))} sources, {names:,} names. Machine: {report['machine']['cpus']} CPUs. "
               f"Accounts: profile {report.get('profile', 'platform')}.")
    ix = report["index"]
    if "error" in ix:
        out.append(f"Index: FAILED {ix['error']}\n{ix.get('stderr', '')}")
    else:
        out.append(f"Index build {ix['build_seconds']:.2f} s + load {ix['load_seconds']:.2f} s "
                   f"(peak RSS {ix['peak_rss_mb']:.0f} MB)")
    rows = []
    for s in report["screen"]:
        if "error" in s:
            rows.append({"accounts": "?", "seconds": None, "accounts/s": None, "note": s["error"]})
            out.append(s.get("stderr", ""))
            continue
        rows.append({"accounts": s["accounts"], "distinct names": s.get("distinct_names"),
                     "seconds": round(s["seconds"], 2),
                     "index load s": round(s["index_load_seconds"], 2),
                     "accounts/s": round(s["accounts_per_second"]),
                     "accounts/s warm": round(s["accounts_per_second_warm"] or 0), "hits": s["hits"],
                     "alerted": s["alerted_accounts"],
                     "candidates/acct": round(s.get("candidates_per_account", 0), 1),
                     "scored/acct": round(s.get("scored_per_account", 0), 1),
                     "peak MB (screen)": round(s["peak_rss_mb"]),
                     "peak MB (process)": round(s["process_peak_rss_mb"]),
                     "peak MB (with workers)": round(s.get("workers_peak_rss_mb", 0))})
    if rows:
        out += ["", format_table(rows, list(rows[0]))]
    lk = report.get("lookup")
    if lk and "error" not in lk:
        out.append(f"\nlookup(): {lk['calls']:,} calls  p50 {lk['p50_ms']:.2f} ms  p90 {lk['p90_ms']:.2f} ms  "
                   f"p99 {lk['p99_ms']:.2f} ms  max {lk['max_ms']:.1f} ms  (first call, loading the index: "
                   f"{lk['warmup_seconds']:.2f} s)")
    elif lk:
        out.append(f"\nlookup(): FAILED {lk['error']}\n{lk.get('stderr', '')}")
    base = report.get("baseline")
    if base and "error" not in base:
        for name, b in base["scorers"].items():
            ratio = (report.get("speedup_vs_baseline") or {}).get(name)
            runs = (f" (median of {b['runs']} runs, {b['seconds_min']:.2f}–{b['seconds_max']:.2f} s)"
                    if b.get("runs", 1) > 1 else "")
            out.append(f"Naive baseline, rapidfuzz {name} brute force: {b['accounts']} accounts × "
                       f"{base['list_names']:,} names in {b['seconds']:.2f} s{runs} → {b['accounts_per_second']:.1f} "
                       f"accounts/s; matcher speed-up ×{ratio:,.1f}" if ratio else "")
    elif base:
        out.append(f"Baseline: FAILED {base['error']}\n{base.get('stderr', '')}")
    if report.get("targets"):
        out += ["", "Targets:", format_table(report["targets"], ["target", "value", "goal", "met"])]
    out += ["", "Notes:"] + [f"  - {n}" for n in report["notes"]]
    return "\n".join(out)


def _child(argv: Sequence[str]) -> None:
    parser = argparse.ArgumentParser(prog="screening.evaluation.bench")
    parser.add_argument("phase", choices=sorted(PHASES))
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--n", type=int, default=0)
    parser.add_argument("--calls", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", choices=PROFILES, default="platform")
    args = parser.parse_args(argv)
    result = PHASES[args.phase](db=args.db, n=args.n, calls=args.calls, seed=args.seed, profile=args.profile)
    print(RESULT_PREFIX + json.dumps(result, default=str), flush=True)


if __name__ == "__main__":
    _child(sys.argv[1:])
