"""Eligibility benchmark: the whole pipeline over a synthetic base; prints wall time and peak RSS.

    python -m screening.evaluation.eligibility_bench --n 1000000
    screening eligibility bench --n 1000000

Synthesis is timed apart from the checks (it is not part of a real run). Peak RSS is the process
maximum (`getrusage`), so it includes the synthetic base itself.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import sys
import time

import click
import duckdb


def run_bench(n: int, seed: int = 1) -> dict[str, object]:
    from screening.eligibility.run import evaluate, prepare
    from screening.evaluation.synth import REFERENCE_DATE, synth_accounts

    started = time.perf_counter()
    accounts = synth_accounts(n, seed)
    synth_seconds = time.perf_counter() - started
    con = duckdb.connect()
    started = time.perf_counter()
    base = prepare(con, accounts, key=b"benchmark-key")
    prepared = time.perf_counter()
    evaluation = evaluate(base, as_of=REFERENCE_DATE)
    finished = time.perf_counter()
    counts = evaluation.results["status"].value_counts()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "accounts": n,
        "cpus": os.cpu_count(),
        "synth_seconds": round(synth_seconds, 1),
        "prepare_seconds": round(prepared - started, 1),
        "checks_seconds": round(finished - prepared, 1),
        "eligibility_seconds": round(finished - started, 1),
        "peak_rss_mib": round(peak_kib / 1024),
        "status": dict(zip(counts["status"].to_list(), counts["count"].to_list(), strict=True)),
        "reasons": evaluation.reasons.height,
        "as_of": str(REFERENCE_DATE),
        "date": str(dt.date.today()),
    }


def format_bench(result: dict[str, object]) -> str:
    return (
        f"eligibility over {result['accounts']:,} synthetic accounts on {result['cpus']} CPUs: "
        f"{result['eligibility_seconds']} s wall (ID hashing + checks {result['prepare_seconds']} s, "
        f"rules {result['checks_seconds']} s; synthesis {result['synth_seconds']} s not counted), "
        f"peak RSS {result['peak_rss_mib']:,} MiB; statuses {result['status']}"
    )


@click.command("bench")
@click.option("--n", "n", type=int, default=1_000_000, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def bench_command(n: int, seed: int, as_json: bool) -> None:
    """Time eligibility over N synthetic accounts (wall time, peak memory)."""
    from screening.cli import emit

    result = run_bench(n, seed)
    emit(result, as_json, format_bench(result))


if __name__ == "__main__":
    sys.exit(bench_command())
