"""`screening bench --engine spark`: the full rescreen on Spark beside the local engine, same accounts.

For each size: synthetic accounts of the bench's profile (`--profile distinct`: almost every name
distinct) are generated a chunk at a time straight into a folder of Parquet files, so ten million
accounts are never in memory at once. The local engine screens the files one by one in this process
(`screen_accounts(store=False)`, all cores); Spark screens the folder on `local[1]` and `local[2]` (a
fresh session each: its start-up is reported apart; the screen's time includes each Python worker
loading the snapshot once). Before the long part a short warm-up of the local engine prints an
estimate of the whole run, so an operator knows what they started. Only two cores exist here, so the
figure for more executors is an extrapolation from the 1 → 2 core speed-up, and says so.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from screening.evaluation.bench import PeakRss
from screening.matching.config import DEFAULT_CONFIG
from screening.runs import screen_accounts
from screening.store import connect

CHUNK = 500_000  # accounts per generated Parquet file and per local-engine screen (bounds memory)
WARMUP = 5_000  # accounts the local engine screens first, to estimate the run
SPARK_CONF = {"spark.driver.memory": "4g", "spark.ui.showConsoleProgress": "false"}


def write_accounts(folder: Path, n: int, seed: int, profile: str, chunk: int = CHUNK) -> list[Path]:
    """`n` synthetic accounts as Parquet files of at most `chunk` rows (ids unique across files)."""
    from screening.evaluation.bench import _accounts

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k, start in enumerate(range(0, n, chunk)):
        size = min(chunk, n - start)
        accounts, _ = _accounts(size, seed * 10_007 + k, profile)
        ids = (pl.int_range(pl.len(), dtype=pl.Int64) + start).cast(pl.String).str.zfill(9)
        accounts = accounts.with_columns(account_id=pl.format("B{}", ids))
        path = folder / f"part-{k:05d}.parquet"
        accounts.write_parquet(path)
        paths.append(path)
    return paths


def run_spark_bench(db: Path, sizes: Sequence[int], *, seed: int = 0, profile: str = "distinct",
                    cores: Sequence[int] = (1, 2), say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Local engine, then Spark on each of `cores`, on the same accounts and snapshot; one row each."""
    from lists.refresh import ensure_lists
    from screening.matching import snapshot

    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers must run this venv's Python
    con = connect(db)
    ensure_lists(con, db)
    rows: list[dict[str, Any]] = []
    estimates: list[dict[str, Any]] = []
    floor = DEFAULT_CONFIG.low
    with tempfile.TemporaryDirectory(prefix="spark-bench-") as tmp:
        root = Path(tmp) / "index"
        published = snapshot.publish(con, root)
        for n in sizes:
            folder = Path(tmp) / f"accounts-{n}"
            started = time.perf_counter()
            parts = write_accounts(folder, n, seed, profile)
            say(f"{n:,} {profile} accounts written as {len(parts)} Parquet file(s) in {time.perf_counter() - started:.0f} s")
            estimate = _estimate(con, n, seed, profile, floor, cores)
            estimates.append(estimate)
            say(estimate["text"])
            local_keys, row = _local(con, parts, n, floor)
            rows.append(row)
            say(_row_text(row))
            for k in cores:
                row = _spark(root, published.snapshot_id, folder, n, k, floor, local_keys)
                rows.append(row)
                say(_row_text(row))
    con.close()
    return {"rows": rows, "spark_version": _spark_version(), "profile": profile, "estimates": estimates,
            "machine": {"cpu_count": os.cpu_count(), "load_average_at_end": list(os.getloadavg())},
            "note": scaling_note(rows, cores)}


def _estimate(con: Any, n: int, seed: int, profile: str, floor: float, cores: Sequence[int]) -> dict[str, Any]:
    """Seconds the run should take, from the local engine on WARMUP accounts of the profile that are not
    in the run (its per-token caches are not warmed for the measured accounts); the index is loaded
    here, before the local engine's measured run."""
    from screening.evaluation.bench import _accounts

    sample, _ = _accounts(WARMUP, seed * 10_007 + 10_000, profile)
    screen_accounts(con, sample.head(200), store=False, min_score=floor)  # loads the index once
    started = time.perf_counter()
    screen_accounts(con, sample, store=False, min_score=floor)
    rate = sample.height / (time.perf_counter() - started)
    cpus = os.cpu_count() or 1
    # Spark per core assumed at the local engine's rate per core, plus about a minute of start-up and
    # snapshot loading per session: an estimate for the operator, not a measurement
    spark = {k: n / (rate / cpus * min(k, cpus)) + 60 for k in cores}
    total = n / rate + sum(spark.values())
    text = (f"ESTIMATE from a {sample.height:,}-account warm-up ({rate:,.0f} accounts/s locally): local engine "
            f"≈ {_minutes(n / rate)}, " + ", ".join(f"Spark local[{k}] ≈ {_minutes(s)}" for k, s in spark.items())
            + f"; whole run ≈ {_minutes(total)} (more when the machine is busy).")
    return {"accounts": n, "warmup_accounts": sample.height, "warmup_per_s": round(rate), "total_s": round(total),
            "text": text}


def _local(con: Any, parts: list[Path], n: int, floor: float) -> tuple[dict, dict[str, Any]]:
    """The local engine over the Parquet files one at a time (the hits are keyed for the comparison)."""
    keys: dict[tuple[str, str, str], float] = {}
    with PeakRss() as peak:
        started = time.perf_counter()
        for path in parts:
            hits = screen_accounts(con, pl.read_parquet(path), store=False, min_score=floor).hits
            keys.update(_keyed(hits))
        seconds = time.perf_counter() - started
    row = {"engine": "local", "master": "-", "cores": os.cpu_count(), "accounts": n, "wall_s": round(seconds, 1),
           "per_s": round(n / seconds), "hits": len(keys), "startup_s": 0.0, "peak_rss_mb": round(peak.peak_mb)}
    return keys, row


def _spark(root: Path, snapshot_id: str, folder: Path, n: int, k: int, floor: float,
           local_keys: dict[tuple[str, str, str], float]) -> dict[str, Any]:
    from screening.matching.engines import spark as engine

    with PeakRss() as peak:
        started = time.perf_counter()
        session = engine.session(f"local[{k}]", conf=SPARK_CONF)
        startup = time.perf_counter() - started
        started = time.perf_counter()
        result = engine.screen(session, str(folder), root, snapshot_id, DEFAULT_CONFIG, floor=floor,
                               partitions=2 * k)
        seconds = time.perf_counter() - started
        session.stop()
    keys = _keyed(result.hits)
    differing = len(keys.keys() ^ local_keys.keys()) + sum(
        1 for key in keys.keys() & local_keys.keys() if abs(keys[key] - local_keys[key]) > 1e-6)
    return {"engine": "spark", "master": result.master, "cores": k, "accounts": n, "wall_s": round(seconds, 1),
            "per_s": round(n / seconds), "hits": len(keys), "startup_s": round(startup, 1),
            "peak_rss_mb": round(peak.peak_mb), "hits_differing_from_local": differing}


def _keyed(hits: pl.DataFrame) -> dict[tuple[str, str, str], float]:
    return {(a, s, i): sc for a, s, i, sc in hits.select("account_id", "source", "source_id", "score").iter_rows()}


def _spark_version() -> str:
    import pyspark

    return str(pyspark.__version__)


def scaling_note(rows: list[dict[str, Any]], cores: Sequence[int]) -> str:
    """Measured local[a] → local[b] speed-up on the largest size, and an Amdahl extrapolation from it."""
    spark = {r["cores"]: r for r in rows if r["engine"] == "spark"}
    if len(cores) < 2 or not spark:
        return ""
    n = max(r["accounts"] for r in spark.values())
    at = {r["cores"]: r for r in rows if r["engine"] == "spark" and r["accounts"] == n}
    a, b = min(cores), max(cores)
    if a not in at or b not in at or not at[b]["wall_s"]:
        return ""
    t_a, t_b = at[a]["wall_s"], at[b]["wall_s"]
    speedup = t_a / t_b
    if speedup < 1.1:
        return (f"MEASURED: Spark local[{a}] → local[{b}] speed-up ×{speedup:.2f} on {n:,} accounts: too little to "
                "extrapolate from (fixed costs dominate at this size, or the cores were busy with other work).")
    # Amdahl: t(k) = t_a · (s + (1 − s) · a / k); s, the part that does not spread, from the two measurements
    serial = min(max((t_b / t_a - a / b) / (1 - a / b), 0.0), 1.0)

    def seconds(k: int) -> float:
        return t_a * (serial + (1 - serial) * a / k)

    est = ", ".join(f"{k} cores ≈ {n / seconds(k):,.0f} accounts/s ({_minutes(seconds(k) * 10_000_000 / n)} "
                    "for 10 M)" for k in (8, 32, 128))
    return (f"MEASURED: Spark local[{a}] → local[{b}] speed-up ×{speedup:.2f} on {n:,} accounts (parallel "
            f"efficiency {speedup / (b / a):.0%}; the part that did not spread: {serial:.0%} of local[{a}]'s time). "
            f"EXTRAPOLATED, not measured (Amdahl's law with that part): {est}. It ignores what grows with a "
            "cluster (shuffle over the network, each executor's snapshot load, the driver collecting ids and "
            "hits) and, on a shared machine, local[2] never had two whole cores, which makes this pessimistic.")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:,.1f} min" if seconds >= 90 else f"{math.ceil(seconds)} s"


def _row_text(r: dict[str, Any]) -> str:
    extra = f"  + session start {r['startup_s']} s" if r["engine"] == "spark" else ""
    same = r.get("hits_differing_from_local")
    check = "" if same is None else ("  same hits as local" if same == 0 else f"  {same} hits DIFFER from local")
    return (f"{r['engine']:<6} {r['master']:<9} {r['cores']:>5} {r['accounts']:>11,} {r['wall_s']:>9.1f} "
            f"{r['per_s']:>11,} {r['hits']:>8,} {r['peak_rss_mb']:>9,}{extra}{check}")


def spark_bench_text(report: dict[str, Any]) -> str:
    lines = [f"Spark {report['spark_version']} against the local engine (same accounts, same snapshot; "
             f"{report['profile']} profile; {report['machine']['cpu_count']} CPUs):",
             f"{'engine':<6} {'master':<9} {'cores':>5} {'accounts':>11} {'wall s':>9} {'accounts/s':>11} "
             f"{'hits':>8} {'peak MiB':>9}"]
    lines += [_row_text(r) for r in report["rows"]]
    lines.append("Spark's wall time is the screen, including each Python worker loading the snapshot once (a "
                 "fixed cost per executor: 20-30 s on this shared machine, loaded); its session start is shown apart. The "
                 "local engine's index load is not in its row (done in the warm-up). Peak MiB: this process and "
                 "its children (JVM, Python workers). Figures from a shared machine compare only side by side.")
    if report.get("note"):
        lines.append(report["note"])
    return "\n".join(lines)
