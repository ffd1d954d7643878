"""`screening bench --engine spark`: the full rescreen on Spark beside the local engine, same accounts.

For each size: synthetic accounts (the distinct-name profile when available: almost every name
distinct) written once as Parquet; the local engine screens them in this process
(`screen_accounts(store=False)`), then Spark screens the same file on `local[1]` and `local[2]` (a
fresh session each: start-up is reported apart from the screen). Only two cores exist here, so the
figure for more executors is an extrapolation from the 1 → 2 core speed-up, and says so.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

import polars as pl

from screening.matching.config import DEFAULT_CONFIG
from screening.runs import screen_accounts
from screening.store import connect


def _accounts(n: int, seed: int) -> tuple[pl.DataFrame, str]:
    try:  # the distinct-name profile (issue 13 §4) where this tree has it
        from screening.evaluation.synth import synth_accounts

        return synth_accounts(n, seed, profile="distinct"), "distinct"  # type: ignore[call-arg]
    except TypeError:
        from screening.evaluation.synth import synth_accounts

        return synth_accounts(n, seed), "default"


def run_spark_bench(db: Path, sizes: Sequence[int], *, seed: int = 0, cores: Sequence[int] = (1, 2)) -> dict[str, Any]:
    from screening.matching import snapshot
    from screening.matching.engines import spark as engine

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    con = connect(db)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="spark-bench-") as tmp:
        root = Path(tmp) / "index"
        published = snapshot.publish(con, root)
        floor = DEFAULT_CONFIG.low
        for n in sizes:
            accounts, profile = _accounts(n, seed)
            path = Path(tmp) / f"accounts-{n}.parquet"
            accounts.write_parquet(path)
            started = time.perf_counter()
            local = screen_accounts(con, accounts, store=False, min_score=floor)
            local_s = time.perf_counter() - started
            row: dict[str, Any] = {"accounts": n, "profile": profile, "local_s": round(local_s, 1),
                                   "local_per_s": round(n / local_s), "local_hits": local.hits.height}
            for k in cores:
                t0 = time.perf_counter()
                session = engine.session(f"local[{k}]")
                session.conf.set("spark.sql.shuffle.partitions", str(2 * k))
                startup = time.perf_counter() - t0
                t1 = time.perf_counter()
                result = engine.screen(session, str(path), root, published.snapshot_id, DEFAULT_CONFIG,
                                       floor=floor, partitions=max(2 * k, 2))
                seconds = time.perf_counter() - t1
                session.stop()
                row |= {f"spark{k}_startup_s": round(startup, 1), f"spark{k}_s": round(seconds, 1),
                        f"spark{k}_per_s": round(n / seconds), f"spark{k}_hits": result.hits.height}
            rows.append(row)
    con.close()
    return {"rows": rows, "spark_version": _spark_version(), "note": _scaling_note(rows, cores)}


def _spark_version() -> str:
    import pyspark

    return str(pyspark.__version__)


def _scaling_note(rows: list[dict[str, Any]], cores: Sequence[int]) -> str:
    if len(cores) < 2 or not rows:
        return ""
    last = rows[-1]
    a, b = cores[0], cores[-1]
    speedup = last[f"spark{a}_s"] / last[f"spark{b}_s"] if last[f"spark{b}_s"] else 0.0
    efficiency = speedup / (b / a) if b != a else 1.0
    per_core = last[f"spark{b}_per_s"] / b
    est = {e: round(per_core * e * efficiency) for e in (8, 32, 128)}
    return (f"measured: local[{a}] → local[{b}] speed-up ×{speedup:.2f} on {last['accounts']:,} accounts "
            f"(parallel efficiency {efficiency:.0%}). EXTRAPOLATED, not measured: with that efficiency, "
            f"{', '.join(f'{e} cores ≈ {v:,} accounts/s' for e, v in est.items())} — ignoring shuffle and "
            "index-load costs that grow with the cluster (each Python worker loads the snapshot once).")


def spark_bench_text(report: dict[str, Any]) -> str:
    lines = [f"Spark {report['spark_version']} against the local engine (same accounts, same snapshot):"]
    for r in report["rows"]:
        lines.append(f"  {r['accounts']:>10,} accounts ({r['profile']}): local {r['local_s']} s "
                     f"({r['local_per_s']:,}/s, {r['local_hits']} hits)")
        for k in (1, 2):
            if f"spark{k}_s" in r:
                lines.append(f"      spark local[{k}]: {r[f'spark{k}_s']} s ({r[f'spark{k}_per_s']:,}/s, "
                             f"{r[f'spark{k}_hits']} hits) + {r[f'spark{k}_startup_s']} s session start")
    if report.get("note"):
        lines.append("  " + report["note"])
    return "\n".join(lines)
